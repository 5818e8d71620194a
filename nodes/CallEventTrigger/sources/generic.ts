/**
 * The project's own JSON event format (SPEC §2.1, docs/events.md). Validation is strict and
 * all-or-nothing: the first bad event rejects the whole request, so a batch is never half applied.
 */
import {
	CALL_EVENT_TYPES,
	STOP_REASONS,
	isPresenceEventType,
	type CallDirection,
	type CallEvent,
	type CallEventType,
} from '../../shared/callModel';
import { implausibleTime, readIsoInstant } from '../../shared/instant';
import { EventInputError } from './errors';
import {
	MAX_ID_LENGTH,
	MAX_NAME_LENGTH,
	isRecord,
	oneOf,
	ownValue,
	quote,
	readText,
	type Fail,
} from './fields';

export interface GenericEventLimits {
	/** Events accepted in one request; more is refused with 413. Default 1000. */
	maxEvents?: number;
}

const DIRECTIONS: readonly CallDirection[] = ['inbound', 'internal', 'outbound'];
const NEEDS_LINE: ReadonlySet<CallEventType> = new Set<CallEventType>([
	'ringing',
	'stopped',
	'diverted',
	'answered',
	'voicemail',
	'login',
	'logout',
]);

/** Numbers below this (1973-03-03 in milliseconds) are almost surely epoch seconds. */
const SECONDS_BELOW = 1e11;

export function parseGenericEvents(
	body: unknown,
	receivedAt: number,
	limits: GenericEventLimits = {},
): CallEvent[] {
	const maxEvents = limits.maxEvents ?? 1000;
	let items: unknown[];
	if (Array.isArray(body)) items = body;
	else if (isRecord(body)) items = [body];
	else throw new EventInputError('body must be an event object or an array of event objects');
	if (items.length > maxEvents) {
		throw new EventInputError(
			`body has ${items.length} events; at most ${maxEvents} are accepted per request`,
			413,
		);
	}
	return items.map((item, index) => parseEvent(item, index, receivedAt));
}

function parseEvent(item: unknown, index: number, receivedAt: number): CallEvent {
	const fail: Fail = (problem) => {
		throw new EventInputError(`event[${index}]: ${problem}`);
	};
	if (!isRecord(item)) return fail('must be an object');
	const text = (name: string) =>
		readText(ownValue(item, name), name, MAX_ID_LENGTH, fail) || undefined;
	const required = (name: string) => text(name) ?? fail(`${name} is required`);

	const type = oneOf(required('type'), 'type', CALL_EVENT_TYPES, fail);
	const event: CallEvent = { type, time: parseTime(ownValue(item, 'time'), receivedAt, fail) };
	const callId = isPresenceEventType(type) ? text('callId') : required('callId');
	if (callId !== undefined) event.callId = callId;
	const line = NEEDS_LINE.has(type) ? required('line') : text('line');
	if (line !== undefined) event.line = line;
	const eventId = text('eventId');
	if (eventId !== undefined) event.eventId = eventId;
	const called = text('called');
	if (called !== undefined) event.called = called;
	const direction = text('direction');
	if (direction !== undefined) event.direction = oneOf(direction, 'direction', DIRECTIONS, fail);
	const reason = text('reason');
	if (reason !== undefined) event.reason = oneOf(reason, 'reason', STOP_REASONS, fail);
	const to = type === 'diverted' ? required('to') : text('to');
	if (to !== undefined) event.to = to;
	const pickup = readBoolean(ownValue(item, 'pickup'), 'pickup', fail);
	if (pickup !== undefined) event.pickup = pickup;
	const from = text('from');
	if (from !== undefined) event.from = from;
	const caller = ownValue(item, 'caller');
	if (caller !== undefined) event.caller = parseCaller(caller, fail);
	return event;
}

function parseCaller(value: unknown, fail: Fail): NonNullable<CallEvent['caller']> {
	if (!isRecord(value)) return fail('caller must be an object');
	const number =
		readText(ownValue(value, 'number'), 'caller.number', MAX_ID_LENGTH, fail) ??
		fail('caller.number is required (an empty string for a withheld number)');
	const caller: NonNullable<CallEvent['caller']> = { number };
	const name = readText(ownValue(value, 'name'), 'caller.name', MAX_NAME_LENGTH, fail);
	if (name) caller.name = name;
	const restricted = readBoolean(ownValue(value, 'restricted'), 'caller.restricted', fail);
	if (restricted !== undefined) caller.restricted = restricted;
	return caller;
}

function readBoolean(value: unknown, name: string, fail: Fail): boolean | undefined {
	if (value !== undefined && typeof value !== 'boolean') fail(`${name} must be true or false`);
	return value as boolean | undefined;
}

/**
 * Epoch milliseconds, or ISO 8601 with `Z`/offset, from 2000 to a day after its receipt; a missing
 * time is the time of receipt.
 */
function parseTime(value: unknown, receivedAt: number, fail: Fail): number {
	if (value === undefined) return receivedAt;
	let time: number | undefined;
	if (typeof value === 'number' && value > 0 && value < SECONDS_BELOW) {
		// Also `time.time()`'s 1714982400.123: seconds, whatever the fraction.
		fail(`time ${value} looks like epoch seconds; epoch milliseconds are expected`);
	} else if (typeof value === 'number' && Number.isInteger(value)) {
		time = value;
	} else if (typeof value === 'number' && Number.isFinite(value)) {
		fail(`time ${value} is not a whole number; epoch milliseconds are an integer`);
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d+$/.test(text)) fail(`time ${quote(text)} is a string; send epoch milliseconds as a JSON number`);
		const reading = readIsoInstant(text);
		if (reading && 'problem' in reading) fail(`time ${quote(text)} ${reading.problem}`);
		time = reading?.millis;
	}
	if (time === undefined) return fail(`time ${quote(value)} is not ISO 8601 with offset or epoch milliseconds`);
	const problem = implausibleTime(time, receivedAt, 'after its receipt');
	if (problem) fail(`time ${quote(value)} ${problem}`);
	return time;
}
