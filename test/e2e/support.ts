/** Shared set-up of the end-to-end suites: a real SMTP sink plus a real n8n running workflows. */
import { N8nHost, type N8nHostOptions } from '../../scripts/lib/n8nHost';
import { SmtpSink } from '../../scripts/lib/smtpSink';
import { demoSmtpCredential, webhookPathOf, type WorkflowJson } from '../../scripts/lib/workflows';

export interface Stack {
	n8n: N8nHost;
	smtp: SmtpSink;
	/** POSTs a JSON body to a workflow's production webhook. */
	post(workflow: WorkflowJson, body: unknown, headers?: Record<string, string>): Promise<Response>;
	stop(): Promise<void>;
}

export async function startStack(
	workflows: WorkflowJson[],
	options: Partial<N8nHostOptions> = {},
): Promise<Stack> {
	const smtp = await SmtpSink.start();
	let n8n: N8nHost;
	try {
		n8n = await N8nHost.start({
			workflows,
			...options,
			credentials: [demoSmtpCredential(smtp.port), ...(options.credentials ?? [])],
		});
		for (const workflow of workflows) {
			// Workflows started by another trigger (Asterisk AMI) have no webhook to wait for.
			if (workflow.nodes.some((node) => node.type.endsWith('.callEventTrigger'))) {
				await n8n.waitForWebhook(webhookPathOf(workflow));
			}
		}
	} catch (error) {
		await smtp.close();
		throw error;
	}
	return {
		n8n,
		smtp,
		post: (workflow, body, headers = {}) =>
			fetch(n8n.webhookUrl(webhookPathOf(workflow)), {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: typeof body === 'string' ? body : JSON.stringify(body),
			}),
		async stop() {
			await n8n.stop();
			await smtp.close();
		},
	};
}
