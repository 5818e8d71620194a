/** Shared set-up of the end-to-end suites: a real SMTP sink plus a real n8n running workflows. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureN8n, N8nHost, sleep, type N8nHostOptions, type WorkflowCredential } from '../../scripts/lib/n8nHost';
import { SmtpSink, type ReceivedMail } from '../../scripts/lib/smtpSink';
import { demoSmtpCredential, webhookPathOf, type WorkflowJson } from '../../scripts/lib/workflows';

export interface Stack {
	n8n: N8nHost;
	smtp: SmtpSink;
	/** The mails the SMTP server received for this envelope recipient. */
	mailsTo(address: string): ReceivedMail[];
	/** POSTs a JSON body to a workflow's production webhook. */
	post(workflow: WorkflowJson, body: unknown, headers?: Record<string, string>): Promise<Response>;
	/**
	 * "Listen for test event" in the editor (as the owner whose session cookie is given), then a
	 * POST of a JSON body to the workflow's test URL.
	 */
	postToTestUrl(workflow: WorkflowJson, cookie: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
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
		async postToTestUrl(workflow, cookie, body, headers = {}) {
			const run = await fetch(`${n8n.baseUrl}/rest/workflows/${workflow.id}/run`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie },
				body: JSON.stringify({
					triggerToStartFrom: { name: 'Call Event Trigger' },
					// n8n 1.x runs the workflow the editor sends; 2.x reads it from its database.
					...(n8n.n8nMajor === 1 ? { workflowData: workflow } : {}),
				}),
			});
			const answer = await run.text();
			if (!answer.includes('"waitingForWebhook":true')) throw new Error(`test run not waiting: ${answer}`);
			return fetch(`${n8n.baseUrl}/webhook-test/${webhookPathOf(workflow)}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify(body),
			});
		},
		async stop() {
			await n8n.stop();
			await smtp.close();
		},
	};
}

/** Polls until the condition holds; fails the test after the timeout. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await sleep(100);
	}
}

/**
 * What a credential's "Test" in the editor answers (n8n's POST /rest/credentials/test, which runs
 * the node's credential test): for a stored credential, with `data` overriding what is stored.
 */
export async function testCredential(
	stack: Stack,
	cookie: string,
	credential: Pick<WorkflowCredential, 'id' | 'name' | 'type' | 'data'>,
): Promise<{ status: string; message: string }> {
	const response = await fetch(`${stack.n8n.baseUrl}/rest/credentials/test`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ credentials: credential }),
	});
	if (!response.ok) throw new Error(`POST /rest/credentials/test: ${response.status} ${await response.text()}`);
	return ((await response.json()) as { data: { status: string; message: string } }).data;
}

export interface OutputItem {
	json: Record<string, unknown>;
	pairedItem?: { item: number } | Array<{ item: number }>;
}

export interface Execution {
	id: string;
	status: string;
	data: {
		resultData: {
			error?: { message: string; name?: string; description?: string };
			lastNodeExecuted?: string;
			runData: Record<string, Array<{ error?: { message: string }; data?: { main: Array<OutputItem[] | null> } }>>;
		};
	};
}

/** An execution as n8n's editor lists it. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: string | null;
	stoppedAt: string | null;
}

/** Statuses of an execution that has ended, one way or another. */
const FINISHED = ['success', 'error', 'crashed', 'canceled'];
export const isFinished = (execution: Pick<ExecutionSummary, 'status'>): boolean => FINISHED.includes(execution.status);

/**
 * Saved executions with their run data, read through n8n's internal REST API as the owner (start
 * the stack with an owner and `EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all'`).
 */
export class SavedExecutions {
	private constructor(
		private readonly stack: Stack,
		/** The owner's session, for other REST calls: n8n limits logins to a few a minute. */
		readonly cookie: string,
		/** n8n's own `flatted`, which wrote the execution data the REST API returns. */
		private readonly unflatten: (text: string) => unknown,
	) {}

	static async of(stack: Stack, owner: { email: string; password: string }): Promise<SavedExecutions> {
		const cookie = await stack.n8n.login(owner.email, owner.password);
		const { n8nBin } = await ensureN8n();
		const flatted = createRequire(path.resolve(path.dirname(n8nBin), '../n8n/package.json'))('flatted');
		return new SavedExecutions(stack, cookie, flatted.parse);
	}

	private async get(route: string): Promise<Response> {
		const send = () => fetch(`${this.stack.n8n.baseUrl}/rest/${route}`, { headers: { cookie: this.cookie } });
		// n8n closes a keep-alive connection idle for 5 s. While a test blocks the event loop longer
		// (the fuzz test generating 175 MB of bodies), fetch cannot see those closes: the next request
		// goes out on a closed connection and fails ("other side closed") before n8n reads it, and so
		// may an immediate resend, on the next such connection. A pause lets fetch read the closes; a
		// GET is safe to send again.
		let response: Response | undefined;
		for (let attempt = 1; !response; attempt++) {
			try {
				response = await send();
			} catch (error) {
				if (!(error instanceof TypeError) || attempt === 3) throw error;
				await sleep(200);
			}
		}
		if (!response.ok) throw new Error(`GET /rest/${route}: ${response.status} ${await response.text()}`);
		return response;
	}

	private async rest<T>(route: string): Promise<T> {
		return ((await (await this.get(route)).json()) as { data: T }).data;
	}

	/** n8n's count of executions (any status), of one workflow or of all: not one page (at most 100) of them. */
	async count(filter: { workflowId?: string; status?: string[] } = {}): Promise<number> {
		const query = encodeURIComponent(JSON.stringify(filter));
		return (await this.rest<{ count: number }>(`executions?filter=${query}&limit=1`)).count;
	}

	/** How many of the workflow's executions (or of all workflows') have finished. */
	async finishedCount(workflow?: WorkflowJson): Promise<number> {
		return this.count({ workflowId: workflow?.id, status: FINISHED });
	}

	/** Every execution, newest first, page by page. */
	async list(): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
			const page: { results: ExecutionSummary[]; nextCursor: string | null } = await this.rest(`executions?limit=100${query}`);
			all.push(...page.results);
			cursor = page.nextCursor;
		} while (cursor);
		return all;
	}

	/** The workflow's finished executions (at most 100), newest first. */
	async finished(workflow: WorkflowJson): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: workflow.id }));
		const { results } = await this.rest<{ results: ExecutionSummary[] }>(`executions?filter=${filter}`);
		return results.filter(isFinished);
	}

	/** One execution with its run data, as the raw JSON text n8n answers (flatted run data inside). */
	async text(id: string): Promise<string> {
		return (await this.get(`executions/${id}`)).text();
	}

	/** One execution with its run data. */
	async withRunData(id: string): Promise<Execution> {
		const execution = await this.rest<Omit<Execution, 'data'> & { data: string }>(`executions/${id}`);
		return { ...execution, data: this.unflatten(execution.data) as Execution['data'] };
	}

	/** The workflow's single finished production execution, with its run data. */
	async only(workflow: WorkflowJson, timeoutMs = 20_000): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const done = await this.finished(workflow);
			if (done.length > 1) throw new Error(`${workflow.name} ran ${done.length} times, expected once`);
			if (done.length === 1) return this.withRunData(done[0].id);
			if (Date.now() > deadline) throw new Error(`${workflow.name} did not finish within ${timeoutMs} ms`);
			await sleep(100);
		}
	}
}

/** The items a node put out on one of its outputs (default the first) in the execution's only run. */
export function outputOf(execution: Execution, node: string, output = 0): OutputItem[] {
	const runs = execution.data.resultData.runData[node];
	expect(runs).toHaveLength(1);
	return runs[0].data?.main[output] ?? [];
}

export const itemIndexOf = (item: OutputItem) =>
	(Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem)?.item;
