import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';

import type { TriggerRecord } from '../shared/callModel';
import { AmiCallSource } from './amiCallSource';
import { asteriskAmiTriggerProperties } from './description';

interface AmiCredentials {
	host: string;
	port: number;
	username: string;
	secret: string;
	tls: boolean;
	allowUnauthorizedCerts?: boolean;
}

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
		credentials: [{ name: 'asteriskAmi', required: true }],
		properties: asteriskAmiTriggerProperties,
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const credentials = await this.getCredentials<AmiCredentials & IDataObject>('asteriskAmi');
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const logger = this.logger;
		const emit = (records: TriggerRecord[]) =>
			this.emit([records.map((record) => ({ json: record as unknown as IDataObject }))]);

		const start = (onRecords: (records: TriggerRecord[]) => void) =>
			new AmiCallSource({
				connection: {
					host: credentials.host,
					port: credentials.port,
					username: credentials.username,
					secret: credentials.secret,
					tls: credentials.tls
						? { rejectUnauthorized: !credentials.allowUnauthorizedCerts }
						: undefined,
					onStatus: (status) => logger.info(`Asterisk AMI: ${JSON.stringify(status)}`),
					onError: (error) => logger.error(`Asterisk AMI: ${error.message}`),
				},
				mapping: {
					internalContexts: String(options.internalContexts ?? 'from-internal')
						.split(',')
						.map((context) => context.trim())
						.filter(Boolean),
					trunkPattern: (options.trunkPattern as string) || undefined,
					presenceFromRegistrations: options.presenceFromRegistrations === true,
				},
				assembly: {
					silenceMs: ((options.silenceMinutes as number) ?? 30) * 60_000,
					maxPendingCalls: (options.maxPendingCalls as number) ?? 10000,
				},
				onRecords,
			});

		if (this.getMode() === 'manual') {
			// "Test step" in the editor: connect, wait for the first resolved call, show it, disconnect.
			let source: AmiCallSource | undefined;
			return {
				manualTriggerFunction: async () =>
					new Promise<void>((resolve) => {
						source = start((records) => {
							emit(records);
							void source?.close();
							resolve();
						});
					}),
				closeFunction: async () => source?.close(),
			};
		}
		const source = start(emit);
		return { closeFunction: async () => source.close() };
	}
}
