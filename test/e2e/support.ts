/** Shared set-up of the end-to-end suites: a real SMTP sink plus a real n8n running workflows. */
import { N8nHost, sleep, type N8nHostOptions, type WorkflowCredential } from '../../scripts/lib/n8nHost';
import { SmtpSink, type ReceivedMail } from '../../scripts/lib/smtpSink';
import { demoSmtpCredential, webhookPathOf, type WorkflowJson } from '../../scripts/lib/workflows';

export interface Stack {
	n8n: N8nHost;
	smtp: SmtpSink;
	/** The mails the SMTP server received for this envelope recipient. */
	mailsTo(address: string): ReceivedMail[];
	/** POSTs a JSON body to a workflow's production webhook. */
	post(workflow: WorkflowJson, body: unknown, headers?: Record<string, string>): Promise<Response>;
	stop(): Promise<void>;
}

export interface StackOptions extends Partial<N8nHostOptions> {
	/** Further credentials that point at the SMTP sink, whose port is known only once it runs. */
	sinkCredentials?: (smtpPort: number) => WorkflowCredential[];
}

export async function startStack(
	workflows: WorkflowJson[],
	{ sinkCredentials, ...options }: StackOptions = {},
): Promise<Stack> {
	const smtp = await SmtpSink.start();
	let n8n: N8nHost;
	try {
		n8n = await N8nHost.start({
			workflows,
			...options,
			credentials: [
				demoSmtpCredential(smtp.port),
				...(sinkCredentials?.(smtp.port) ?? []),
				...(options.credentials ?? []),
			],
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
		mailsTo: (address) => smtp.mails.filter((mail) => mail.envelope.to.includes(address)),
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

/** Polls until the condition holds; fails the test after the timeout. */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await sleep(100);
	}
}
