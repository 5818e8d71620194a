import type { INodeProperties } from 'n8n-workflow';

import { SWEEP_INTERVAL_MS, type CallAssemblerOptions } from '../CallEventTrigger/assembly/CallAssembler';
import { numberSetting, type NumberRule } from './settings';

/** The call-assembly options both triggers offer (webhook and Asterisk AMI), defined once. */
const MAX_PENDING_CALLS: NumberRule = { default: 10000, min: 10, whole: true };
const SILENCE_MINUTES: NumberRule = { default: 30, min: 1, unit: 'minutes' };

export const maxPendingCallsOption: INodeProperties = {
	displayName: 'Max Pending Calls',
	name: 'maxPendingCalls',
	type: 'number',
	typeOptions: { minValue: MAX_PENDING_CALLS.min },
	default: MAX_PENDING_CALLS.default,
	description: 'Calls still ringing that are kept in memory; beyond this the oldest is resolved as incomplete',
};

export const silenceTimeoutOption: INodeProperties = {
	displayName: 'Silence Timeout (Minutes)',
	name: 'silenceMinutes',
	type: 'number',
	typeOptions: { minValue: SILENCE_MINUTES.min },
	default: SILENCE_MINUTES.default,
	description: `A call nothing was heard of for this long is resolved as missed and flagged incomplete. Checked every ${SWEEP_INTERVAL_MS / 1000} seconds.`,
};

/**
 * What the two options above set, for the CallAssembler (defaults when removed from the collection).
 * Throws ConfigurationError for a value an expression may give outside the options' bounds.
 */
export function assemblyOptionsFrom(options: { maxPendingCalls?: unknown; silenceMinutes?: unknown }): CallAssemblerOptions {
	return {
		silenceMs: numberSetting('silenceMinutes', options.silenceMinutes, SILENCE_MINUTES) * 60_000,
		maxPendingCalls: numberSetting('maxPendingCalls', options.maxPendingCalls, MAX_PENDING_CALLS),
	};
}

/** The description of a trigger's error about its options (the message names option and value). */
export const TRIGGER_OPTIONS_HINT =
	"Check the trigger's options: the message names the option and the value an expression gave it.";
