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

type AssemblyOptionName = 'maxPendingCalls' | 'silenceMinutes';

/** What the editor calls the two options (both triggers have them under Options), for messages. */
export const ASSEMBLY_OPTION_LABELS: Readonly<Record<AssemblyOptionName, string>> = {
	maxPendingCalls: `Options → ${maxPendingCallsOption.displayName}`,
	silenceMinutes: `Options → ${silenceTimeoutOption.displayName}`,
};

/**
 * What the two options above set, for the CallAssembler (defaults when removed from the collection).
 * Throws ConfigurationError for a value an expression may give outside the options' bounds; its
 * message names the option as the editor does.
 */
export function assemblyOptionsFrom(options: { maxPendingCalls?: unknown; silenceMinutes?: unknown }): CallAssemblerOptions {
	return {
		silenceMs:
			numberSetting('silenceMinutes', options.silenceMinutes, { ...SILENCE_MINUTES, label: ASSEMBLY_OPTION_LABELS.silenceMinutes }) *
			60_000,
		maxPendingCalls: numberSetting('maxPendingCalls', options.maxPendingCalls, {
			...MAX_PENDING_CALLS,
			label: ASSEMBLY_OPTION_LABELS.maxPendingCalls,
		}),
	};
}

/**
 * The description of a trigger's error about its options. The editor keeps typed values in bounds:
 * such a value comes from an expression (or an edited workflow file).
 */
export const TRIGGER_OPTIONS_HINT =
	'An expression gave this setting a value the editor would not accept: correct the expression, or enter a fixed value.';
