/** Test helpers. Event times count seconds after a fixed start, so expected ISO strings are easy. */
import { EventInputError } from '../../../nodes/CallEventTrigger/sources/errors';
import type { CallEvent } from '../../../nodes/shared/callModel';

/** 2024-05-06T08:00:00.000Z */
export const T0 = Date.UTC(2024, 4, 6, 8, 0, 0);

export function at(seconds: number): number {
	return T0 + Math.round(seconds * 1000);
}

/** A call event of call `c1` (unless given) at `seconds` after T0. */
export function ev(
	seconds: number,
	type: CallEvent['type'],
	fields: Partial<CallEvent> = {},
): CallEvent {
	return { type, callId: 'c1', time: at(seconds), ...fields };
}

/** The EventInputError that `parse` throws, as the webhook would answer it. */
export function inputError(parse: () => unknown): { message: string; status: number } {
	try {
		parse();
	} catch (error) {
		if (!(error instanceof EventInputError)) throw error;
		return { message: error.message, status: error.statusCode };
	}
	throw new Error('input was accepted');
}
