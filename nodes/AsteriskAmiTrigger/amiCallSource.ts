/**
 * The Asterisk source end to end without n8n: AMI connection → call events → call assembly →
 * records. A timer resolves calls nothing was heard of (silence timeout) even when the PBX is quiet.
 */
import type { TriggerRecord } from '../shared/callModel';
import { CallAssembler, SWEEP_INTERVAL_MS, type CallAssemblerOptions } from '../CallEventTrigger/assembly/CallAssembler';
import { AmiCallMapper, type AmiCallMapperOptions } from './ami/AmiCallMapper';
import { AmiClient, type AmiClientOptions } from './ami/AmiClient';

export interface AmiCallSourceOptions {
	connection: Omit<AmiClientOptions, 'onEvent'>;
	mapping?: AmiCallMapperOptions;
	assembly?: CallAssemblerOptions;
	/** How often pending calls are checked for silence. Default 10 s. */
	sweepIntervalMs?: number;
	onRecords: (records: TriggerRecord[]) => void;
}

/**
 * The mapper tracks calls before the assembler does, so both keep the same number of calls: the
 * trigger's Max Pending Calls (the mapper's own default is lower).
 */
export function mapperOptions(options: Pick<AmiCallSourceOptions, 'mapping' | 'assembly'>): AmiCallMapperOptions {
	return { maxCalls: options.assembly?.maxPendingCalls, ...options.mapping };
}

export class AmiCallSource {
	private readonly client: AmiClient;
	private readonly sweepTimer: NodeJS.Timeout;

	constructor(options: AmiCallSourceOptions) {
		const mapper = new AmiCallMapper(mapperOptions(options));
		const assembler = new CallAssembler(options.assembly);
		const deliver = (records: TriggerRecord[]) => {
			if (records.length > 0) options.onRecords(records);
		};
		this.client = new AmiClient({
			...options.connection,
			onEvent: (message, receivedAt) =>
				deliver(
					mapper.map(message, receivedAt).flatMap((event) => assembler.push(event, receivedAt)),
				),
		});
		this.sweepTimer = setInterval(
			() => deliver(assembler.sweep(Date.now())),
			options.sweepIntervalMs ?? SWEEP_INTERVAL_MS,
		);
		this.sweepTimer.unref();
		this.client.start();
	}

	async close(): Promise<void> {
		clearInterval(this.sweepTimer);
		await this.client.close();
	}
}
