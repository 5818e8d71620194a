import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError, fromParameter, webhookDescriptionFields } from 'n8n-workflow';

import type { CallEvent, TriggerRecord } from '../shared/callModel';
import { TRIGGER_OPTIONS_HINT } from '../shared/assemblyOptions';
import { ConfigurationError } from '../shared/errors';
import { SWEEP_INTERVAL_MS } from './assembly/CallAssembler';
import { intake, intakeAnswer, intakeHeldBy, intakeKey, sipgateCallIdsOf, startIntake, stopIntake, sweepIntake } from './callIntake';
import { callEventTriggerPanel, callEventTriggerProperties, callEventTriggerSubtitle } from './description';
import { EventInputError } from './sources/errors';
import { parseWebhookRequest } from './sources';
import { sipgateNewCallAnswer, unreachableCallback } from './sources/sipgate';
import { isStopping } from './shutdown';
import {
	checkRequest,
	CREDENTIAL_TYPES,
	credentialProblem,
	testCredential,
	unusableCredentialAnswer,
	urlWithCredentials,
	type WebhookAuthentication,
	type WebhookCredentials,
} from './webhookAuth';
import {
	webhookSettingsFrom,
	type TriggerOptions,
	type WebhookParameters,
	type WebhookSettings,
} from './webhookOptions';

export class CallEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Call Event Trigger',
		name: 'callEventTrigger',
		icon: 'file:callEventTrigger.svg',
		group: ['trigger'],
		// Both versions behave the same. n8n treats a version-1 webhook node as having the old Webhook
		// node's "Binary Data" option and evaluates an expression for it on every request, which costs
		// a V8 isolate per request on n8n 2.x's default engine; version 2 is spared that.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: callEventTriggerSubtitle,
		description: 'Receives PBX call events and emits one call record per call when it resolves',
		defaults: { name: 'Call Event Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [
			{
				name: 'callEventBasicAuth',
				required: true,
				testedBy: 'callEventBasicAuthTest',
				displayOptions: { show: { authentication: ['basicAuth'] } },
			},
			{
				name: 'callEventHeaderAuth',
				required: true,
				testedBy: 'callEventHeaderAuthTest',
				displayOptions: { show: { authentication: ['headerAuth'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty: answer with our webhookResponse (the default would send the word "firstEntryJson").
				responseData: '',
				...webhookPath(),
				isFullPath: true,
			},
		],
		triggerPanel: callEventTriggerPanel,
		properties: callEventTriggerProperties,
	};

	methods = {
		credentialTest: {
			// The same check publishing makes; n8n shows the answer when the credential is saved.
			async callEventBasicAuthTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return testCredential('basicAuth', credential.data ?? {});
			},
			async callEventHeaderAuthTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return testCredential('headerAuth', credential.data ?? {});
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		// Every refusal is answered here and starts no execution: an exception thrown from a webhook
		// would make n8n answer 500 and still run the workflow.
		const refuse = (statusCode: number, message: string, headers: IDataObject = {}) => {
			response
				.status(statusCode)
				.set(headers as Record<string, string>)
				.json({ error: message });
			return { noWebhookResponse: true };
		};

		const mode = this.getMode() === 'manual' ? 'test' : 'production';
		const { authentication, credentials, problem } = await webhookCredentials(this);
		if (problem) {
			// The details (a secret's length) go to the log and the publication status; to the caller
			// only on the test URL, which only the administrator uses.
			this.logger.error(`Call Event Trigger "${this.getNode().name}": ${problem}`);
			return refuse(500, unusableCredentialAnswer(problem, mode));
		}
		const verdict = checkRequest(authentication, credentials, this.getHeaderData() as Record<string, string>);
		if (!verdict.ok) {
			return refuse(verdict.statusCode ?? 403, verdict.message ?? 'Forbidden', {
				'WWW-Authenticate': 'Basic realm="Call events"',
			});
		}

		let settings: WebhookSettings;
		try {
			settings = webhookSettingsFrom(webhookParameters(this), mode);
		} catch (error) {
			if (!(error instanceof ConfigurationError)) throw error;
			// Not the sender's fault: 500, so that a PBX sends its events again once the option is mended.
			this.logger.error(`Call Event Trigger "${this.getNode().name}": ${error.message}`);
			return refuse(500, `The trigger's options cannot work: ${error.message}`);
		}
		const size = request.rawBody?.length ?? Number(request.headers['content-length'] ?? 0);
		if (size > settings.maxBodyBytes) {
			return refuse(413, `Request body of ${size} bytes exceeds the limit of ${settings.maxBodyBytes} bytes`);
		}

		const receivedAt = Date.now();
		const key = intakeKey(this.getWorkflow().id, this.getNode().id, mode);
		let events: CallEvent[];
		try {
			events = parseWebhookRequest(
				settings.source,
				String(request.headers['content-type'] ?? ''),
				this.getBodyData(),
				receivedAt,
				settings.source === 'sipgate' ? sipgateCallIdsOf(key) : undefined,
			);
		} catch (error) {
			if (error instanceof EventInputError) return refuse(error.statusCode, error.message);
			throw error;
		}
		if (!settings.emitPresence) {
			events = events.filter((event) => event.type !== 'login' && event.type !== 'logout');
		}

		if (isStopping()) {
			return refuse(503, 'n8n is shutting down; send the events again in a few seconds', { 'Retry-After': '5' });
		}
		const result = intake(key, settings.assembly, events, receivedAt);
		const { records } = result;
		const summary = intakeAnswer(events.length, result);
		if (mode === 'test' && records.length > 0) testRunRecords.set(key, records);
		const workflowData = records.length > 0 ? [asItems(records)] : undefined;
		const callbackUrl = settings.subscribeAnswerHangup ? this.getNodeWebhookUrl('default') : undefined;
		const subscription = callbackUrl
			? sipgateNewCallAnswer(this.getBodyData(), urlWithCredentials(callbackUrl, authentication, credentials))
			: null;
		if (subscription !== null) {
			const unreachable = unreachableCallback(callbackUrl!);
			if (unreachable) this.logger.warn(`Call Event Trigger "${this.getNode().name}": ${unreachable}`);
			response.status(200).type('application/xml').send(subscription);
			return { noWebhookResponse: true, workflowData };
		}
		if (!workflowData) {
			// Nothing resolved yet (a call still ringing): acknowledge without starting an execution.
			response.status(202).json(summary);
			return { noWebhookResponse: true };
		}
		return { webhookResponse: summary, workflowData };
	}

	/**
	 * While the workflow is published, n8n runs this beside the webhook: a timer that resolves silent
	 * calls between requests (SPEC §2.3). In a test run (the test URL) n8n calls it instead of taking
	 * the webhook's items, so it hands on the records that request resolved.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getMode() === 'manual') {
			const key = intakeKey(this.getWorkflow().id, this.getNode().id, 'test');
			return {
				manualTriggerFunction: async () => {
					const records = testRunRecords.get(key) ?? [];
					testRunRecords.delete(key);
					this.emit([asItems(records)]);
				},
			};
		}
		// The webhook would refuse every request with options or a credential that cannot work:
		// refuse to publish, naming the problem.
		let settings: WebhookSettings;
		try {
			settings = webhookSettingsFrom(webhookParameters(this), 'production');
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, { description: TRIGGER_OPTIONS_HINT });
		}
		const { problem } = await webhookCredentials(this);
		if (problem) {
			throw new NodeOperationError(this.getNode(), `The webhook's credential cannot protect it: ${problem}`, {
				description: 'Edit the credential chosen under Authentication.',
			});
		}
		const key = intakeKey(this.getWorkflow().id, this.getNode().id, 'production');
		const { records: evicted, lease } = startIntake(key, settings.assembly, Date.now());
		if (evicted.length > 0) this.emit([asItems(evicted)]);
		const timer = setInterval(() => {
			// A trigger n8n left running when it started another (n8n 1.x, after a sibling trigger failed
			// to start) would emit the calls it resolves into a dead context: only the newest sweeps.
			if (!intakeHeldBy(key, lease)) {
				clearInterval(timer);
				return;
			}
			// A call resolved while n8n stops might never run; pending, it is at least not half-done.
			if (isStopping()) return;
			const records = sweepIntake(key, Date.now());
			if (records.length > 0) this.emit([asItems(records)]);
		}, SWEEP_INTERVAL_MS);
		return {
			closeFunction: async () => {
				clearInterval(timer);
				stopIntake(key, lease, Date.now());
			},
		};
	}
}

/**
 * What the last test-URL request resolved, per trigger, until n8n's test run asks for it (n8n runs a
 * node that has a trigger method through that method in manual runs, webhook or not).
 */
const testRunRecords = new Map<string, TriggerRecord[]>();

function asItems(records: TriggerRecord[]): INodeExecutionData[] {
	return records.map((record) => ({ json: record as unknown as IDataObject }));
}

/**
 * The webhook's path from the Path parameter. Declared with its resolver where n8n-workflow offers
 * one (n8n 2.x), so n8n reads the path without its expression engine: with
 * `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true` a request then costs no V8 isolate. Older n8n versions
 * get the plain expression.
 */
function webhookPath(): { path: string } {
	if (typeof webhookDescriptionFields !== 'function') return { path: '={{$parameter["path"]}}' };
	return webhookDescriptionFields({ path: fromParameter('path') }) as { path: string };
}

function webhookParameters(context: IWebhookFunctions | ITriggerFunctions): WebhookParameters {
	return {
		source: context.getNodeParameter('source', 'generic'),
		options: context.getNodeParameter('options', {}) as TriggerOptions,
	};
}

/**
 * The chosen authentication, its credential's data (none: no data) and why that credential cannot
 * protect the webhook, if it cannot (the webhook refuses requests then, publishing fails).
 */
async function webhookCredentials(context: IWebhookFunctions | ITriggerFunctions): Promise<{
	authentication: WebhookAuthentication;
	credentials: WebhookCredentials;
	problem: string | null;
}> {
	const authentication = context.getNodeParameter('authentication', 'none') as WebhookAuthentication;
	const credentialType = CREDENTIAL_TYPES.get(authentication);
	const credentials = credentialType ? await context.getCredentials(credentialType) : {};
	return { authentication, credentials, problem: credentialProblem(authentication, credentials) };
}
