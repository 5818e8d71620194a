/**
 * What a trigger knows of the calls in progress, kept in process memory per trigger (a key the
 * trigger makes from workflow and node). Publishing a workflow again replaces the trigger's
 * instance, not the calls: ringing calls lost there would each be mailed as missed, however they
 * ended, and their late events could start calls anew. So the state is made once and later given
 * the new options in place.
 */
export interface Reconfigurable<Options, Resolved> {
	/** Takes new options, keeping what it holds; returns the calls they resolve at once. */
	reconfigure(options: Options, now: number): Resolved[];
}

export class TriggerStates<Options, Resolved, State extends Reconfigurable<Options, Resolved>> {
	private readonly entries = new Map<string, { signature: string; state: State }>();

	constructor(private readonly create: (options: Options) => State) {}

	/**
	 * The state under `key` with these options: made, or given them if they changed; with the calls
	 * that resolves at once (a lower Max Pending Calls).
	 */
	configured(key: string, options: Options, now: number): { state: State; resolved: Resolved[] } {
		const signature = JSON.stringify(options);
		const entry = this.entries.get(key);
		if (!entry) {
			const state = this.create(options);
			this.entries.set(key, { signature, state });
			return { state, resolved: [] };
		}
		if (entry.signature === signature) return { state: entry.state, resolved: [] };
		const resolved = entry.state.reconfigure(options, now);
		// Only once the state took them: options it refused are tried again at the next publishing.
		entry.signature = signature;
		return { state: entry.state, resolved };
	}

	get(key: string): State | undefined {
		return this.entries.get(key)?.state;
	}
}
