/**
 * The Call Event Trigger's source and options as the webhook uses them, checked: an expression can give what
 * the editor's bounds would refuse, and a NaN would silently switch a limit off.
 */
import { assemblyOptionsFrom } from '../shared/assemblyOptions';
import { booleanSetting, numberSetting, type NumberRule } from '../shared/settings';
import type { CallAssemblerOptions } from './assembly/CallAssembler';
import { callEventSourceOf, type CallEventSource } from './sources';

export const MAX_BODY_KB = {
	default: 1024,
	min: 1,
	max: 16384,
	unit: 'kilobytes',
	label: 'Options → Max Body Size (KB)',
} satisfies NumberRule;
export const REORDER_WINDOW_MS = {
	default: 0,
	min: 0,
	max: 60_000,
	unit: 'milliseconds',
	label: 'Options → Reorder Window (Milliseconds)',
} satisfies NumberRule;

export interface TriggerOptions {
	emitPresence?: boolean;
	maxBodyKb?: number;
	maxPendingCalls?: number;
	reorderWindowMs?: number;
	silenceMinutes?: number;
	subscribeAnswerHangup?: boolean;
}

/** The trigger's parameters that shape how a request is taken in, as n8n gives them. */
export interface WebhookParameters {
	source: unknown;
	options: TriggerOptions;
}

export interface WebhookSettings {
	source: CallEventSource;
	emitPresence: boolean;
	maxBodyBytes: number;
	/** sipgate.io: answer a newCall with the XML that asks for the call's answer and hangup. */
	subscribeAnswerHangup: boolean;
	assembly: CallAssemblerOptions;
}

/** Throws ConfigurationError naming the parameter and its value. */
export function webhookSettingsFrom({ source, options }: WebhookParameters, mode: 'production' | 'test'): WebhookSettings {
	const reorderWindowMs = numberSetting('reorderWindowMs', options.reorderWindowMs, REORDER_WINDOW_MS);
	const callEventSource = callEventSourceOf(source);
	return {
		source: callEventSource,
		emitPresence: booleanSetting('emitPresence', options.emitPresence, 'Options → Emit Presence Events', true),
		subscribeAnswerHangup:
			callEventSource === 'sipgate' &&
			booleanSetting('subscribeAnswerHangup', options.subscribeAnswerHangup, 'Options → Subscribe to Answer and Hangup', true),
		maxBodyBytes: numberSetting('maxBodyKb', options.maxBodyKb, MAX_BODY_KB) * 1024,
		assembly: {
			...assemblyOptionsFrom(options),
			// A test run takes its records from its request, and no timer would emit a held call.
			reorderWindowMs: mode === 'production' ? reorderWindowMs : 0,
		},
	};
}
