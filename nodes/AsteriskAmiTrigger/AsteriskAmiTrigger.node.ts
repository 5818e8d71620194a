import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IDataObject,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CallAssemblerOptions } from '../CallEventTrigger/assembly/CallAssembler';
import { assemblyOptionsFrom, TRIGGER_OPTIONS_HINT } from '../shared/assemblyOptions';
import type { TriggerRecord } from '../shared/callModel';
import { booleanSetting } from '../shared/settings';
import { parseInternalContexts } from './ami/AmiCallMapper';
import { AmiLoginError } from './ami/AmiClient';
import { AmiCallSource, AmiCallState, startPublishedCalls, stopPublishedCalls, type AmiCallStateOptions } from './amiCallSource';
import {
	amiAddress,
	checkAmiLogin,
	connectionFailedMessage,
	connectionOptions,
	CONNECTION_HINT,
	loginRefusedMessage,
	LOGIN_HINT,
	withHint,
	type AmiCredentials,
} from './amiConnection';
import { asteriskAmiTriggerPanel, asteriskAmiTriggerProperties } from './description';

export class AsteriskAmiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Asterisk AMI Trigger',
		name: 'asteriskAmiTrigger',
		icon: 'file:asteriskAmi.svg',
		group: ['trigger'],
		version: 1,
		description:
			'Receives calls from Asterisk / FreePBX over the Manager Interface and emits one call record per call when it resolves',
		defaults: { name: 'Asterisk AMI Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'asteriskAmi', required: true, testedBy: 'asteriskAmiLoginTest' }],
		triggerPanel: asteriskAmiTriggerPanel,
		properties: asteriskAmiTriggerProperties,
	};

	methods = {
		credentialTest: {
			async asteriskAmiLoginTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const check = await checkAmiLogin(credential.data as unknown as AmiCredentials);
				return check.ok
					? { status: 'OK', message: check.message }
					: { status: 'Error', message: withHint(check.message, check.hint) };
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const credentials = await this.getCredentials<AmiCredentials & IDataObject>('asteriskAmi');
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const logger = this.logger;
		const node = this.getNode();
		let assembly: CallAssemblerOptions;
		let presenceFromRegistrations: boolean;
		try {
			assembly = assemblyOptionsFrom(options);
			presenceFromRegistrations = booleanSetting(
				'presenceFromRegistrations',
				options.presenceFromRegistrations,
				'Options → Presence From Registrations',
			);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				description: TRIGGER_OPTIONS_HINT,
			});
		}
		const callOptions: AmiCallStateOptions = {
			mapping: {
				internalContexts: parseInternalContexts(options.internalContexts as string | undefined),
				trunkPattern: (options.trunkPattern as string) || undefined,
				presenceFromRegistrations,
			},
			assembly,
		};
		// Options the mapper cannot take (a Trunk Pattern that is no regular expression) fail here, named.
		const withOptionError = <T>(make: () => T): T => {
			try {
				return make();
			} catch (error) {
				throw new NodeOperationError(node, error as Error, { description: 'Correct it under Options.' });
			}
		};
		const address = amiAddress(credentials);
		const emit = (records: TriggerRecord[]) =>
			this.emit([records.map((record) => ({ json: record as unknown as IDataObject }))]);
		const loginRefused = (error: AmiLoginError) =>
			new NodeOperationError(node, loginRefusedMessage(address, error), { description: LOGIN_HINT });
		// The reason goes in the description: n8n replaces a message naming ECONNREFUSED & co. with a
		// generic text that would hide the address.
		const connectionFailed = (reason: string) =>
			new NodeOperationError(node, connectionFailedMessage(address), {
				description: withHint(reason, CONNECTION_HINT),
			});

		const start = (state: AmiCallState, handlers: ConnectionHandlers) =>
			new AmiCallSource({
				connection: {
					...connectionOptions(credentials),
					onStatus: (status) => {
						logger.info(`Asterisk AMI: ${JSON.stringify(status)}`);
						if (status.state === 'connected') handlers.onConnected?.();
						// retryInMs null: closed on purpose, nothing to report.
						if (status.state === 'disconnected' && status.retryInMs !== null) {
							handlers.onDrop(status.reason, status.retryInMs);
						}
					},
					onError: (error) => {
						if (error instanceof AmiLoginError) handlers.onLoginRefused(loginRefused(error));
						else logger.error(`Asterisk AMI: ${error.message}`);
					},
				},
				state,
				onRecords: handlers.onRecords,
			});

		if (this.getMode() === 'manual') {
			// "Test step" in the editor: connect, wait for the first resolved call, show it, disconnect.
			// Any failure ends the test with its reason: the user is waiting, not a reconnect loop.
			let source: AmiCallSource | undefined;
			// Calls of its own: the published workflow's go on untouched.
			const testState = withOptionError(() => new AmiCallState(callOptions));
			return {
				manualTriggerFunction: async () =>
					new Promise<void>((resolve, reject) => {
						const fail = (error: NodeOperationError) => {
							void source?.close();
							reject(error);
						};
						source = start(testState, {
							onRecords: (records) => {
								emit(records);
								void source?.close();
								resolve();
							},
							onLoginRefused: fail,
							onDrop: (reason) => fail(connectionFailed(reason)),
						});
					}),
				closeFunction: async () => source?.close(),
			};
		}

		// Publishing again goes on with the calls of the previous publication.
		// Its calls are this PBX's: another host's (a credential changed) are not taken over.
		const trigger = `${this.getWorkflow().id}:${node.id}:${credentials.username}@${credentials.host}`;
		const { state, resolved, lease } = withOptionError(() => startPublishedCalls(trigger, callOptions, Date.now()));
		if (resolved.length > 0) emit(resolved);
		// Activation waits for the first login, so a wrong secret fails it at once; n8n then retries
		// the activation with its own back-off. An unreachable PBX is not fatal: it may be rebooting.
		let source: AmiCallSource | undefined;
		let activated = false;
		const activation = new Promise<void>((resolve, reject) => {
			const activate = () => {
				activated = true;
				resolve();
			};
			source = start(state, {
				onRecords: emit,
				onConnected: activate,
				onDrop: (reason, retryInMs) => {
					logger.warn(`Asterisk AMI at ${address}: ${reason}; retrying in ${retryInMs} ms`);
					activate();
				},
				onLoginRefused: (error) => {
					// The same secret will be refused again: stop, and let n8n show the workflow's error.
					void source?.close();
					if (activated) this.emitError(error);
					else reject(error);
				},
			});
		});
		try {
			await activation;
		} catch (error) {
			// n8n does not stop a trigger whose start failed.
			stopPublishedCalls(trigger, lease, Date.now());
			throw error;
		}
		return {
			closeFunction: async () => {
				stopPublishedCalls(trigger, lease, Date.now());
				await source?.close();
			},
		};
	}
}

interface ConnectionHandlers {
	onRecords: (records: TriggerRecord[]) => void;
	onConnected?: () => void;
	/** The connection broke or could not be made; the client retries in `retryInMs`. */
	onDrop: (reason: string, retryInMs: number) => void;
	onLoginRefused: (error: NodeOperationError) => void;
}
