/** Scenario builders for the filter tests: a small office in Munich and calls on a fixed morning. */
import type { CallLeg, CallRecord, LegResult } from '../../../nodes/shared/callModel';
import { compileFilter, type CompiledFilter } from '../../../nodes/MissedCallFilter/filter';
import type { FilterSettings } from '../../../nodes/MissedCallFilter/rules';

export const BASE_NUMBER = '+49891234';

/** anna: two devices, Berlin time; ben: no zone (instance UTC); carla opted out; dirk has no e-mail. */
export const DIRECTORY = [
	{
		id: 'anna',
		name: 'Anna Berg',
		email: 'anna@example.com',
		language: 'de',
		timeZone: 'Europe/Berlin',
		lines: ['201', 'w0'],
	},
	{ id: 'ben', name: 'Ben Cole', email: 'ben@example.com', lines: ['+49 89 1234 202'] },
	{ id: 'carla', name: 'Carla Diaz', email: 'carla@example.com', lines: ['0891234203'], notify: false },
	{ id: 'dirk', name: 'Dirk Ernst', lines: ['204'] },
];

export function office(settings: Partial<FilterSettings> = {}, internalPattern?: string): CompiledFilter {
	return compileFilter({
		numberingPlan: { country: 'DE', baseNumber: BASE_NUMBER, internalPattern },
		directory: DIRECTORY,
		settings,
		workflowTimeZone: 'UTC',
	});
}

/** 2024-03-05 09:00:00 UTC, a Tuesday; legs are given in seconds after it. */
export const T0 = Date.parse('2024-03-05T09:00:00Z');

export function at(seconds: number): string {
	return new Date(T0 + seconds * 1000).toISOString();
}

export function leg(line: string, fromSeconds: number, untilSeconds: number, result: LegResult = 'notAnswered'): CallLeg {
	return { line, ringingFrom: at(fromSeconds), ringingUntil: at(untilSeconds), result };
}

export const CALLER = '+49 30 1234567';
export const CALLER_E164 = '+49301234567';

/** A missed inbound call from a Berlin customer that ended when the last leg stopped ringing. */
export function missedCall(legs: CallLeg[], overrides: Partial<CallRecord> = {}): CallRecord {
	const end = Math.max(...legs.map((item) => Date.parse(item.ringingUntil)));
	return {
		kind: 'call',
		callId: 'call-1',
		direction: 'inbound',
		caller: { number: CALLER, name: 'Kunde GmbH', restricted: false },
		called: '+49891234200',
		startedAt: at(0),
		resolvedAt: new Date(end).toISOString(),
		outcome: 'missed',
		answeredBy: null,
		voicemail: null,
		incomplete: false,
		legs,
		...overrides,
	};
}

/** The same call, answered on `line` at `seconds`. */
export function answeredCall(
	legs: CallLeg[],
	line: string,
	seconds: number,
	pickup = false,
	overrides: Partial<CallRecord> = {},
): CallRecord {
	return missedCall(legs, {
		outcome: 'answered',
		answeredBy: { line, at: at(seconds), pickup },
		resolvedAt: at(seconds),
		...overrides,
	});
}

/** The error `run` throws (fails the test when it throws none), to assert on its fields. */
export function caught(run: () => unknown): unknown {
	try {
		run();
	} catch (error) {
		return error;
	}
	throw new Error('expected an error, none was thrown');
}
