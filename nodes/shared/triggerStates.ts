/**
 * What a trigger knows of the calls in progress, kept in process memory per trigger (a key the
 * trigger makes from workflow and node). Publishing a workflow again replaces the trigger's
 * instance, not the calls: ringing calls lost there would each be mailed as missed, however they
 * ended, and their late events could start calls anew. So the state is made once and later given
 * the new options in place.
 */
export interface TriggerState<Options, Resolved> {
	/** Takes new options, keeping what it holds; returns the calls they resolve at once. */
	reconfigure(options: Options, now: number): Resolved[];
	/** The silence timeout in force: after that long unheard of, a call is given up. */
	readonly silenceMs: number;
}

interface Entry<State> {
	signature: string;
	state: State;
	/** Which start of the trigger holds the state; a stop of an earlier one leaves it alone. */
	lease: number;
	/** When its trigger stopped, while no newer one has started. */
	stoppedAt?: number;
}

export class TriggerStates<Options, Resolved, State extends TriggerState<Options, Resolved>> {
	private readonly entries = new Map<string, Entry<State>>();
	private leases = 0;

	constructor(private readonly create: (options: Options) => State) {}

	/**
	 * The state under `key` with these options: made, or given them if they changed; with the calls
	 * that resolves at once (a lower Max Pending Calls).
	 */
	configured(key: string, options: Options, now: number): { state: State; resolved: Resolved[] } {
		this.forgetStopped(now);
		const signature = JSON.stringify(options);
		const entry = this.entries.get(key);
		if (!entry) {
			const state = this.create(options);
			this.entries.set(key, { signature, state, lease: 0 });
			return { state, resolved: [] };
		}
		if (entry.signature === signature) return { state: entry.state, resolved: [] };
		const resolved = entry.state.reconfigure(options, now);
		// Only once the state took them: options it refused are tried again at the next publishing.
		entry.signature = signature;
		return { state: entry.state, resolved };
	}

	/** A published trigger starts with the state under `key`; `lease` names this start for `stopped`. */
	started(key: string, options: Options, now: number): { state: State; resolved: Resolved[]; lease: number } {
		const configured = this.configured(key, options, now);
		const entry = this.entries.get(key)!;
		entry.lease = ++this.leases;
		entry.stoppedAt = undefined;
		return { ...configured, lease: entry.lease };
	}

	/**
	 * The trigger of that start stopped: published again, its calls go on. Stopped for longer than
	 * its silence timeout (unpublished over the weekend), they are forgotten, as after a restart of
	 * n8n, rather than given up as missed calls days late; so is the memory of a deleted workflow.
	 * A stop that comes after a newer start (n8n may start the new trigger first) changes nothing.
	 */
	stopped(key: string, lease: number, now: number): void {
		const entry = this.entries.get(key);
		if (entry?.lease === lease) entry.stoppedAt = now;
	}

	get(key: string): State | undefined {
		return this.entries.get(key)?.state;
	}

	private forgetStopped(now: number): void {
		for (const [key, { stoppedAt, state }] of this.entries) {
			if (stoppedAt !== undefined && now - stoppedAt > state.silenceMs) this.entries.delete(key);
		}
	}
}
