/**
 * Entry of a render thread (renderThreads.ts): renders mails with this thread's own compiled
 * templates and sends back the mail, or the error with what is needed to rebuild it.
 */
import { parentPort } from 'node:worker_threads';

import { TemplateError } from './errors';
import type { RenderReply, RenderRequest } from './renderThreads';
import { compileTemplate } from './xslTemplate';

parentPort?.on('message', async ({ id, template, xml }: RenderRequest) => {
	let reply: RenderReply;
	try {
		reply = { id, mail: await compileTemplate(template).render(xml) };
	} catch (error) {
		reply =
			error instanceof TemplateError
				? { id, error: { message: error.message, problem: error.problem, line: error.line, column: error.column } }
				: { id, error: { message: String((error as Error)?.message ?? error) } };
	}
	parentPort?.postMessage(reply);
});
