/**
 * XSL transformations on worker threads. n8n runs the executions of the whole instance on one main
 * thread, and rendering a mail (two XSLT runs) is the largest part of the chain's own time there:
 * while it runs, no other call is taken in. A template is still compiled and checked on the calling
 * thread, so a broken one is reported at once with its line; each render thread compiles its own
 * copy from the text once (its own cache) and renders.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { TemplateError } from './errors';
import { MAX_RENDER_MS, type CompiledTemplate, type RenderedMail } from './xslTemplate';

export interface RenderRequest {
	id: number;
	/** The template text. */
	template: string;
	xml: string;
}

export type RenderReply =
	| { id: number; mail: RenderedMail }
	| { id: number; error: { message: string; problem?: string; line?: number; column?: number } };

interface RenderThread {
	worker: Worker;
	/** Renders sent and not yet answered. */
	busy: number;
}

interface Pending {
	thread: RenderThread;
	/** Stops the thread when the render outlasts `timeoutMs`. */
	watchdog: NodeJS.Timeout;
	resolve(mail: RenderedMail): void;
	reject(error: Error): void;
}

export interface RenderThreadsOptions {
	/** The worker script: compiled `renderWorker.js`. */
	file: string;
	/** Threads at most; started when all running ones are busy. */
	size: number;
	/** Node options for the threads (tests load the TypeScript source). */
	execArgv?: string[];
	/** Heap of a thread in MB; a template that needs more stops its thread, not the process. Default 256. */
	heapMb?: number;
	/**
	 * A render that takes longer stops its thread. The transformation checks its own time limit only
	 * between template steps, so one slow XPath expression (`//*` inside `//*`) would run on for
	 * minutes. Default: that limit for each of the two parts, and 5 s more.
	 */
	timeoutMs?: number;
}

/** The shipped template renders in a few MB; this leaves room for large custom ones. */
const DEFAULT_HEAP_MB = 256;

export class RenderThreads {
	private readonly threads: RenderThread[] = [];
	private readonly pending = new Map<number, Pending>();
	private lastId = 0;

	constructor(private readonly options: RenderThreadsOptions) {}

	render(template: string, xml: string): Promise<RenderedMail> {
		const thread = this.pick();
		const id = ++this.lastId;
		const timeoutMs = this.options.timeoutMs ?? 2 * MAX_RENDER_MS + 5000;
		return new Promise((resolve, reject) => {
			const watchdog = setTimeout(() => {
				const slow = new TemplateError(
					`rendering took longer than ${timeoutMs / 1000} s and was stopped; ` +
						'does an expression search the whole document inside a search of it (//* within //*)?',
				);
				this.lose(thread, slow);
				void thread.worker.terminate();
			}, timeoutMs);
			this.pending.set(id, { thread, watchdog, resolve, reject });
			// Only a thread with work keeps the process alive.
			if (thread.busy++ === 0) thread.worker.ref();
			thread.worker.postMessage({ id, template, xml } satisfies RenderRequest);
		});
	}

	/** Stops every thread; renders still running fail. */
	async close(): Promise<void> {
		await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
	}

	private pick(): RenderThread {
		const idle = this.threads.find((thread) => thread.busy === 0);
		if (idle) return idle;
		if (this.threads.length < this.options.size) return this.start();
		return this.threads.reduce((least, thread) => (thread.busy < least.busy ? thread : least));
	}

	private start(): RenderThread {
		const heapMb = this.options.heapMb ?? DEFAULT_HEAP_MB;
		const worker = new Worker(this.options.file, {
			execArgv: this.options.execArgv,
			resourceLimits: { maxOldGenerationSizeMb: heapMb },
		});
		const thread: RenderThread = { worker, busy: 0 };
		worker.unref();
		worker.on('message', (reply: RenderReply) => {
			const pending = this.pending.get(reply.id);
			if (!pending) return;
			this.pending.delete(reply.id);
			clearTimeout(pending.watchdog);
			if (--thread.busy === 0) worker.unref();
			if ('mail' in reply) pending.resolve(reply.mail);
			else pending.reject(revive(reply.error));
		});
		// A thread that fails or stops takes only its own renders with it; the next render starts a new one.
		worker.on('error', (error: Error & { code?: string }) =>
			this.lose(
				thread,
				error.code === 'ERR_WORKER_OUT_OF_MEMORY'
					? new TemplateError(
							`rendering needed more than ${heapMb} MB of memory; ` +
								'is a template calling itself without end or building a huge text?',
						)
					: error,
			),
		);
		worker.on('exit', (code) => this.lose(thread, new Error(`the render thread stopped (exit code ${code})`)));
		this.threads.push(thread);
		return thread;
	}

	private lose(thread: RenderThread, error: Error): void {
		const index = this.threads.indexOf(thread);
		if (index === -1) return;
		this.threads.splice(index, 1);
		for (const [id, pending] of this.pending) {
			if (pending.thread !== thread) continue;
			this.pending.delete(id);
			clearTimeout(pending.watchdog);
			pending.reject(error instanceof TemplateError ? error : new Error(`Rendering the mail failed: ${error.message}`));
		}
	}
}

function revive(error: Extract<RenderReply, { error: unknown }>['error']): Error {
	return error.problem === undefined ? new Error(error.message) : new TemplateError(error.problem, error.line, error.column);
}

const WORKER_FILE = path.join(__dirname, 'renderWorker.js');
let shared: RenderThreads | null | undefined;

/**
 * The template, rendered on this process's render threads: one fewer than the cores (at least
 * one, at most four). Run from the TypeScript sources (no compiled worker script), it renders on
 * the calling thread.
 */
export function onRenderThreads(template: CompiledTemplate): CompiledTemplate {
	shared ??= existsSync(WORKER_FILE)
		? new RenderThreads({ file: WORKER_FILE, size: Math.min(4, Math.max(1, availableParallelism() - 1)) })
		: null;
	const threads = shared;
	if (!threads) return template;
	return { hash: template.hash, source: template.source, render: (xml) => threads.render(template.source, xml) };
}
