import type { INodeProperties } from 'n8n-workflow';

import { SWEEP_INTERVAL_MS, type CallAssemblerOptions } from '../CallEventTrigger/assembly/CallAssembler';

/** The call-assembly options both triggers offer (webhook and Asterisk AMI), defined once. */
const DEFAULT_MAX_PENDING_CALLS = 10000;
const DEFAULT_SILENCE_MINUTES = 30;

export const maxPendingCallsOption: INodeProperties = {
	displayName: 'Max Pending Calls',
	name: 'maxPendingCalls',
	type: 'number',
	typeOptions: { minValue: 10 },
	default: DEFAULT_MAX_PENDING_CALLS,
	description: 'Calls still ringing that are kept in memory; beyond this the oldest is resolved as incomplete',
};

export const silenceTimeoutOption: INodeProperties = {
	displayName: 'Silence Timeout (Minutes)',
	name: 'silenceMinutes',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_SILENCE_MINUTES,
	description: `A call nothing was heard of for this long is resolved as missed and flagged incomplete. Checked every ${SWEEP_INTERVAL_MS / 1000} seconds.`,
};

/** What the two options above set, for the CallAssembler (defaults when removed from the collection). */
export function assemblyOptionsFrom(options: { maxPendingCalls?: unknown; silenceMinutes?: unknown }): CallAssemblerOptions {
	return {
		silenceMs: ((options.silenceMinutes as number | undefined) ?? DEFAULT_SILENCE_MINUTES) * 60_000,
		maxPendingCalls: (options.maxPendingCalls as number | undefined) ?? DEFAULT_MAX_PENDING_CALLS,
	};
}
