import type { INodeProperties } from 'n8n-workflow';

import { SWEEP_INTERVAL_MS } from '../CallEventTrigger/assembly/CallAssembler';

/** The call-assembly options both triggers offer (webhook and Asterisk AMI), defined once. */
export const maxPendingCallsOption: INodeProperties = {
	displayName: 'Max Pending Calls',
	name: 'maxPendingCalls',
	type: 'number',
	typeOptions: { minValue: 10 },
	default: 10000,
	description: 'Calls still ringing that are kept in memory; beyond this the oldest is resolved as incomplete',
};

export const silenceTimeoutOption: INodeProperties = {
	displayName: 'Silence Timeout (Minutes)',
	name: 'silenceMinutes',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30,
	description: `A call nothing was heard of for this long is resolved as missed and flagged incomplete. Checked every ${SWEEP_INTERVAL_MS / 1000} seconds.`,
};
