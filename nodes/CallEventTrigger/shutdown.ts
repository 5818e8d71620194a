/**
 * Whether this n8n process has been told to stop. While n8n shuts down it still answers requests on
 * open connections, but an execution it starts then may never run (n8n drops executions it has not
 * started, and exits once the running ones are done). A call resolved then would be acknowledged and
 * lost: the trigger answers 503 instead, so the PBX sends the events again to the next n8n.
 *
 * n8n installs its own SIGTERM/SIGINT handlers, which stop the process; these listeners only note
 * the signal and change nothing else.
 */
let stopping = false;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		stopping = true;
	});
}

export function isStopping(): boolean {
	return stopping;
}
