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
	/** Which start of the trigger holds the state (0: none yet); a stop of an earlier one leaves it alone. */
	lease: number;
	/**
	 * Since when no running trigger holds the state (stopped, or only fed by requests, as the test
	 * URL's): it is forgotten once that is longer than its silence timeout.
	 */
	idleSince?: number;
}

export class TriggerStates<Options, Resolved, State extends TriggerState<Options, Resolved>> {
	private readonly entries = new Map<string, Entry<State>>();
	private leases = 0;

	constructor(private readonly create: (options: Options) => State) {}

	/**
	 * The state under `key` with these options: made, or given them if they changed; with the calls
	 * that resolves at once (a lower Max Pending Calls). A state idle for longer than its silence
	 * timeout, the old or the new, is made anew, as after a restart of n8n: its calls would otherwise
	 * be given up as missed hours or days late (a workflow unpublished over the weekend, a test call
	 * left ringing); using an idle state (a request to the test URL) keeps it for another timeout.
	 */
	configured(key: string, options: Options, now: number): { state: State; resolved: Resolved[] } {
		// Idle longer than their own timeout: gone here.
		this.forgetIdle(now);
		const signature = JSON.stringify(options);
		const entry = this.entries.get(key);
		if (!entry) {
			const state = this.create(options);
			this.entries.set(key, { signature, state, lease: 0, idleSince: now });
			return { state, resolved: [] };
		}
		if (entry.idleSince !== undefined) {
			// Or than the new timeout, which changed options may shorten.
			const fresh = entry.signature === signature ? undefined : this.create(options);
			if (fresh && now - entry.idleSince > fresh.silenceMs) {
				this.entries.set(key, { signature, state: fresh, lease: entry.lease, idleSince: now });
				return { state: fresh, resolved: [] };
			}
			entry.idleSince = now;
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
		entry.idleSince = undefined;
		return { ...configured, lease: entry.lease };
	}

	/**
	 * The trigger of that start stopped (unpublished, published again, or its start failed): its
	 * calls wait for the next start as long as their silence timeout. A stop that comes after a newer
	 * start (n8n may start the new trigger first) changes nothing.
	 */
	stopped(key: string, lease: number, now: number): void {
		const entry = this.entries.get(key);
		if (entry?.lease === lease && entry.idleSince === undefined) entry.idleSince = now;
	}

	/** Whether the trigger of that start still holds the state: a timer of a stopped one must not sweep it. */
	holds(key: string, lease: number): boolean {
		const entry = this.entries.get(key);
		return entry?.lease === lease && entry.idleSince === undefined;
	}

	get(key: string): State | undefined {
		return this.entries.get(key)?.state;
	}

	/** Also what is kept of deleted workflows and of nodes tested once, at the next use of any. */
	private forgetIdle(now: number): void {
		for (const [key, { idleSince, state }] of this.entries) {
			if (idleSince !== undefined && now - idleSince > state.silenceMs) this.entries.delete(key);
		}
	}
}
