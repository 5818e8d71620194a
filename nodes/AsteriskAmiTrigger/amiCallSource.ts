/**
 * The Asterisk source end to end without n8n: AMI connection → call events → call assembly →
 * records. A timer resolves calls nothing was heard of (silence timeout) even when the PBX is quiet.
 */
import type { CallRecord, TriggerRecord } from '../shared/callModel';
import { TriggerStates } from '../shared/triggerStates';
import { CallAssembler, SWEEP_INTERVAL_MS, type CallAssemblerOptions } from '../CallEventTrigger/assembly/CallAssembler';
import { AmiCallMapper, type AmiCallMapperOptions } from './ami/AmiCallMapper';
import { AmiClient, type AmiClientOptions } from './ami/AmiClient';

export interface AmiCallStateOptions {
	mapping?: AmiCallMapperOptions;
	assembly?: CallAssemblerOptions;
}

export interface AmiCallSourceOptions {
	connection: Omit<AmiClientOptions, 'onEvent'>;
	/** The calls this source goes on with; it feeds them alone from now on. */
	state: AmiCallState;
	/** How often pending calls are checked for silence. Default 10 s. */
	sweepIntervalMs?: number;
	onRecords: (records: TriggerRecord[]) => void;
}

/**
 * The mapper tracks calls before the assembler does, so both keep the same number of calls: the
 * trigger's Max Pending Calls (the mapper's own default is lower).
 */
export function mapperOptions(options: AmiCallStateOptions): AmiCallMapperOptions {
	return { maxCalls: options.assembly?.maxPendingCalls, ...options.mapping };
}

/** What a trigger knows of the calls in progress: the mapper's channels and callers, the assembler's calls. */
export class AmiCallState {
	readonly mapper: AmiCallMapper;
	readonly assembler: CallAssembler;
	private source: AmiCallSource | undefined;

	constructor(options: AmiCallStateOptions) {
		this.mapper = new AmiCallMapper(mapperOptions(options));
		this.assembler = new CallAssembler(options.assembly);
	}

	get silenceMs(): number {
		return this.assembler.silenceMs;
	}

	/** A re-published trigger's options; returns the calls a lower Max Pending Calls resolves. */
	reconfigure(options: AmiCallStateOptions, now: number): CallRecord[] {
		// The mapper first: it may refuse the options (Trunk Pattern), and then nothing has changed.
		this.mapper.reconfigure(mapperOptions(options));
		return this.assembler.reconfigure(options.assembly ?? {}, now);
	}

	/**
	 * One connection feeds the calls, or each event would count twice. n8n closes the old trigger
	 * before it starts the new one; should the new one come first, the old one stops here.
	 */
	feedFrom(source: AmiCallSource): void {
		const previous = this.source;
		this.source = source;
		void previous?.close();
	}

	/** Forgets a closed source: kept with the calls, its client would keep the AMI secret in memory. */
	release(source: AmiCallSource): void {
		if (this.source === source) this.source = undefined;
	}
}

const published = new TriggerStates<AmiCallStateOptions, CallRecord, AmiCallState>((options) => new AmiCallState(options));

/**
 * The calls of a published trigger (workflow + node + the AMI user and host it logs in to: another
 * PBX's calls are not these), kept in process memory, so that publishing the workflow again goes on
 * with the calls ringing then, as a reconnect does. With the calls the new options resolve at once,
 * and the lease to hand to `stopPublishedCalls`. The editor's Test step makes a state of its own.
 */
export function startPublishedCalls(
	trigger: string,
	options: AmiCallStateOptions,
	now: number,
): { state: AmiCallState; resolved: CallRecord[]; lease: number } {
	return published.started(trigger, options, now);
}

/** The trigger stopped: its calls wait for the next publishing as long as their silence timeout. */
export function stopPublishedCalls(trigger: string, lease: number, now: number): void {
	published.stopped(trigger, lease, now);
}

export class AmiCallSource {
	private readonly client: AmiClient;
	private readonly sweepTimer: NodeJS.Timeout;
	private readonly state: AmiCallState;

	constructor(options: AmiCallSourceOptions) {
		this.state = options.state;
		const { mapper, assembler } = options.state;
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
		options.state.feedFrom(this);
		this.client.start();
	}

	/** Stops the connection and the timer; the calls stay with the state for the next source. */
	async close(): Promise<void> {
		clearInterval(this.sweepTimer);
		this.state.release(this);
		await this.client.close();
	}
}
