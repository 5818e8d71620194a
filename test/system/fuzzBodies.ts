/**
 * Malformed and hostile webhook requests for the Call Event Trigger, from a seeded generator.
 *
 * INVALID BY CONSTRUCTION. A request must never be valid by accident (a valid one is rightly
 * answered 2xx and may start an execution). Every request breaks at least one rule of
 * docs/events.md (§1, §4), chosen before anything else is added:
 *
 * - a field of an event gets a value its rule refuses: a required field missing, blank or null
 *   (null and "" count as "not sent"), a wrong JSON type, a string longer than its limit after
 *   trimming, an unknown value of an enumeration, an unparsable or offset-less time. Only fields
 *   the parser reads unconditionally are broken, or conditional ones under their condition
 *   (`line` only for the types that require it, and so on); a break never sets a valid value, so a
 *   second break cannot undo the first;
 * - or the request as a whole breaks a rule: not an object or array, an element that is not an
 *   object, more than 1000 events, a body over the 1 MiB limit, a content type the source does not
 *   take, text that is not JSON;
 * - additions made afterwards ("decorations") only add keys that no rule reads (unknown fields,
 *   `__proto__`, `constructor`, …, which the format ignores), so they cannot repair a break.
 *
 * Each request carries the statuses the documented rules give it (`expected`).
 */
import { Random } from './support';

export type FuzzTarget = 'generic' | 'sipgate';

export interface FuzzRequest {
	target: FuzzTarget;
	category: string;
	/** What makes it invalid, for the failure report. */
	breaks: string;
	/** null: no Content-Type header at all. */
	contentType: string | null;
	body: string | Buffer;
	/** The statuses docs/events.md gives this request. */
	expected: number[];
}

export const BODY_LIMIT = 1024 * 1024;
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

// ---- the documented vocabulary (docs/events.md §1), written out here, not imported ----
const TYPES = ['offered', 'ringing', 'stopped', 'diverted', 'answered', 'voicemail', 'ended', 'login', 'logout'];
const PRESENCE = ['login', 'logout'];
const NEEDS_LINE = ['ringing', 'stopped', 'diverted', 'answered', 'voicemail', 'login', 'logout'];
const DIRECTIONS = ['inbound', 'internal', 'outbound'];
const REASONS = ['noAnswer', 'busy', 'rejected', 'timeout', 'cancelled'];
const ID_LIMIT = 256;
const NAME_LIMIT = 512;
const SIPGATE_EVENTS = ['newCall', 'answer', 'hangup', 'dtmf'];
const SIPGATE_DIRECTIONS = ['in', 'out'];
const SIPGATE_CAUSES = ['normalClearing', 'busy', 'cancel', 'noAnswer', 'congestion', 'notFound', 'forwarded'];
/** Every key the sipgate mapping reads; decorations never use them. */
const SIPGATE_KEYS = [
	'event', 'callId', 'direction', 'from', 'to', 'origCallId', 'originalCallId', 'answeringNumber', 'cause',
	'user', 'user[]', 'userId', 'userId[]', 'fullUserId', 'fullUserId[]',
];

/** Lines of the fuzz workflows' directory: a valid part of a request would reach a real user. */
export const FUZZ_LINES = ['201', '202', 'w0'];
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:';
const TEXT_ALPHABET = `${ID_ALPHABET}äöüß€中文😀<>"'&;\\/{}[]`;
const DEEP_MARK = '\u0000DEEP\u0000';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Sets a key as an own, enumerable property, so `__proto__` becomes a JSON key, not a prototype. */
function setOwn(target: JsonObject, key: string, value: Json): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---- valid pieces (the body a sender meant), before anything breaks them ----

function validTime(r: Random): Json {
	const ms = 1_764_000_000_000 + r.int(0, 3_000_000_000);
	if (r.chance(0.3)) return ms;
	if (r.chance(0.5)) return new Date(ms).toISOString();
	return `${new Date(ms + 3_600_000).toISOString().slice(0, 19)}+01:00`;
}

function validCaller(r: Random): JsonObject {
	const caller: JsonObject = { number: r.pick(['+49 30 1234567', '030 7654321', '', 'anonymous', '201', '+44 20 7946 0018']) };
	if (r.chance(0.5)) caller.name = r.pick(['Max Muster', 'MUELLER JUERGEN', 'Ünal Çelik', '山田太郎', r.string(r.int(1, 60), TEXT_ALPHABET)]);
	if (r.chance(0.2)) caller.restricted = r.chance(0.5);
	return caller;
}

function validEvent(r: Random, type = r.pick(TYPES), callId?: string): JsonObject {
	const event: JsonObject = { type };
	if (!PRESENCE.includes(type) || r.chance(0.2)) {
		event.callId = callId ?? (r.chance(0.5) ? `call-${r.int(1, 30)}` : r.string(r.int(1, 40), ID_ALPHABET));
	}
	if (NEEDS_LINE.includes(type) || r.chance(0.2)) event.line = r.pick(FUZZ_LINES);
	if (r.chance(0.85)) event.time = validTime(r);
	if (type === 'diverted') event.to = r.pick([...FUZZ_LINES, '+491701234567']);
	if (r.chance(0.3)) event.eventId = r.string(r.int(1, 36), ID_ALPHABET);
	if (r.chance(0.4)) event.caller = validCaller(r);
	if (r.chance(0.2)) event.called = '+49 89 1234 200';
	if (r.chance(0.2)) event.direction = r.pick(DIRECTIONS);
	if (type === 'stopped' && r.chance(0.6)) event.reason = r.pick(REASONS);
	if (type === 'answered' && r.chance(0.3)) {
		event.pickup = true;
		if (r.chance(0.5)) event.from = r.pick(FUZZ_LINES);
	}
	// null means "not sent": allowed on optional fields.
	if (r.chance(0.1)) event[r.pick(['eventId', 'called', 'direction', 'reason', 'pickup', 'from', 'caller'])] = null;
	return event;
}

/** A complete missed call on a directory line: were it applied, a mail would go out. */
function resolvingCall(r: Random): JsonObject[] {
	const callId = `fuzz-call-${r.string(12)}`;
	const start = 1_764_000_000_000 + r.int(0, 1_000_000_000);
	return [
		{ type: 'offered', callId, time: start, caller: { number: `+49 30 ${r.int(1_000_000, 9_999_999)}` } },
		{ type: 'ringing', callId, time: start + 500, line: r.pick(FUZZ_LINES) },
		{ type: 'ended', callId, time: start + 15_000 },
	];
}

// ---- values that a rule refuses ----

function shallowJunk(r: Random): Json {
	return r.pick<() => Json>([
		() => r.int(-1_000_000, 1_000_000),
		() => r.next() * 1e6,
		() => 1e308,
		() => -0,
		() => true,
		() => false,
		() => [],
		() => {
			const pollution: JsonObject = {};
			setOwn(pollution, '__proto__', { polluted: true });
			return pollution;
		},
	])();
}

/** Not a string and not null: "… must be a string". */
function nonString(r: Random): Json {
	return r.pick<() => Json>([
		() => r.int(-1_000_000, 1_000_000),
		() => r.next() * 1e6,
		() => 1e308,
		() => true,
		() => false,
		() => [],
		() => [r.string(5)],
		() => ({}),
		() => ({ value: r.string(5) }),
		() => [[[r.int(0, 9)]]],
	])();
}

/** Longer than `limit` after trimming (maybe padded with whitespace that trimming removes). */
function tooLong(r: Random, limit: number, max = limit + 3000): string {
	const core = r.string(r.int(limit + 1, max), ID_ALPHABET);
	return r.chance(0.2) ? `  ${core}\n` : core;
}

/** Blank after trimming, or null: "not sent". */
function blankOrNull(r: Random): Json {
	return r.pick<Json>(['', ' ', '\t\n ', null]);
}

/** A non-blank string that is none of `valid` after trimming. */
function unknownWord(r: Random, valid: string[]): string {
	const nearMisses = [
		...valid.map((word) => word.toUpperCase()),
		...valid.map((word) => word[0].toUpperCase() + word.slice(1) + 'x'),
		...valid.map((word) => `${word}s`),
		...valid.map((word) => `${word}\u0000`),
		...valid.map((word) => `\u202e${word}`),
		'constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', '<script>alert(1)</script>',
		'null', 'undefined', '0', 'ring ing', 'hangUp', 'newcall',
	];
	for (;;) {
		const word = r.chance(0.8) ? r.pick(nearMisses) : r.string(r.int(1, 30), TEXT_ALPHABET);
		if (word.trim() !== '' && !valid.includes(word.trim())) return word;
	}
}

/** Times the format refuses: not ISO 8601 with offset, not integer epoch milliseconds ≥ 1e11. */
function badTime(r: Random): Json {
	return r.pick<() => Json>([
		() => r.pick(['yesterday', 'now', '', '   ', 'Mon, 06 May 2024 10:00:00 GMT', '1714982400000']),
		() => '2024-05-06T10:00:00', // no offset (docs: refused, ambiguous)
		() => '2024-05-06', // no time, no offset
		() => '2024-02-30T10:00:00Z', // no such day
		() => '2024-13-01T00:00:00+01:00', // no such month
		() => '2024-05-06T10:00:00+2', // offset needs two digits
		() => `x${r.string(r.int(0, 30), TEXT_ALPHABET)}`,
		() => r.int(1, 99_999_999_999), // epoch seconds (and every small positive integer)
		() => 0,
		() => -r.int(1, 1e12),
		() => 1_714_982_400_000.5,
		() => 9e15, // beyond the Date range
		() => 1e300,
		() => true,
		() => false,
		() => ({}),
		() => [],
		() => [1_714_982_400_000],
		() => ({ iso: '2024-05-06T10:00:00Z' }),
	])();
}

// ---- breaking one event ----

type EventBreak = (r: Random, event: JsonObject) => string | undefined;

const isPresence = (event: JsonObject) => PRESENCE.includes(String(event.type));
const needsLine = (event: JsonObject) => NEEDS_LINE.includes(String(event.type));

/** Each returns what it broke, or undefined when it does not apply to this event. */
const EVENT_BREAKS: EventBreak[] = [
	(r, e) => {
		delete e.type;
		return r.chance(0.5) ? 'type missing' : ((e.type = blankOrNull(r)), 'type blank');
	},
	(r, e) => ((e.type = nonString(r)), 'type not a string'),
	(r, e) => ((e.type = unknownWord(r, TYPES)), 'unknown type'),
	(r, e) => {
		if (isPresence(e)) return undefined;
		delete e.callId;
		if (r.chance(0.5)) e.callId = blankOrNull(r);
		return 'callId missing';
	},
	(r, e) => ((e.callId = nonString(r)), 'callId not a string'),
	(r, e) => ((e.callId = tooLong(r, ID_LIMIT)), 'callId too long'),
	(r, e) => {
		if (!needsLine(e)) return undefined;
		delete e.line;
		if (r.chance(0.5)) e.line = blankOrNull(r);
		return 'line missing';
	},
	(r, e) => ((e.line = r.chance(0.5) ? nonString(r) : tooLong(r, ID_LIMIT)), 'line wrong'),
	(r, e) => ((e.time = badTime(r)), 'bad time'),
	(r, e) => ((e.direction = r.chance(0.7) ? unknownWord(r, DIRECTIONS) : nonString(r)), 'bad direction'),
	(r, e) => ((e.reason = r.chance(0.7) ? unknownWord(r, REASONS) : nonString(r)), 'bad reason'),
	(r, e) => {
		if (e.type !== 'diverted') return undefined;
		delete e.to;
		if (r.chance(0.5)) e.to = blankOrNull(r);
		return 'to missing';
	},
	(r, e) => ((e.to = r.chance(0.5) ? nonString(r) : tooLong(r, ID_LIMIT)), 'to wrong'),
	(r, e) => ((e.pickup = r.pick<Json>(['true', 'false', 'yes', 1, 0, [], {}, [true]])), 'pickup not a boolean'),
	(r, e) => {
		const field = r.pick(['eventId', 'called', 'from']);
		e[field] = r.chance(0.5) ? nonString(r) : tooLong(r, ID_LIMIT);
		return `${field} wrong`;
	},
	(r, e) => ((e.caller = r.pick<Json>([r.string(8), 4930123, true, [], [{ number: '1' }]])), 'caller not an object'),
	(r, e) => {
		const caller = validCaller(r);
		delete caller.number;
		if (r.chance(0.3)) caller.number = null;
		if (r.chance(0.3)) setOwn(caller, '__proto__', { number: '+49 30 1234567' });
		e.caller = caller;
		return 'caller.number missing';
	},
	(r, e) => {
		const caller = validCaller(r);
		caller.number = r.chance(0.5) ? nonString(r) : tooLong(r, ID_LIMIT);
		e.caller = caller;
		return 'caller.number wrong';
	},
	(r, e) => {
		const caller = validCaller(r);
		caller.name = r.chance(0.4) ? nonString(r) : tooLong(r, NAME_LIMIT);
		e.caller = caller;
		return 'caller.name wrong';
	},
	(r, e) => {
		const caller = validCaller(r);
		caller.restricted = r.pick<Json>(['true', 1, 0, 'no', [], {}]);
		e.caller = caller;
		return 'caller.restricted not a boolean';
	},
];

function breakEvent(r: Random, event: JsonObject): string {
	const broken: string[] = [];
	const wanted = r.chance(0.8) ? 1 : r.int(2, 3);
	while (broken.length < wanted) {
		const what = r.pick(EVENT_BREAKS)(r, event);
		if (what) broken.push(what);
	}
	return broken.join(' + ');
}

/** Keys no rule reads; their values may look like events (pollution attempts). */
function decorate(r: Random, event: JsonObject): void {
	if (!r.chance(0.35)) return;
	for (let i = r.int(1, 3); i > 0; i--) {
		const key = r.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'toJSON', 'x-pbx', 'extra']);
		const value = r.pick<() => Json>([
			() => validEvent(r),
			() => ({ prototype: { type: 'ringing', callId: 'polluted', line: '201', polluted: true } }),
			() => shallowJunk(r),
			() => r.string(r.int(0, 40), TEXT_ALPHABET),
		])();
		setOwn(event, key, value);
	}
}

function brokenEvent(r: Random): { event: JsonObject; breaks: string } {
	const event = validEvent(r);
	const breaks = breakEvent(r, event);
	decorate(r, event);
	return { event, breaks };
}

// ---- requests ----

function json(target: FuzzTarget, category: string, breaks: string, value: Json, expected = [400]): FuzzRequest {
	return sized({ target, category, breaks, contentType: JSON_TYPE, body: JSON.stringify(value), expected });
}

/** A body over the limit is refused for its size first, whatever else is wrong with it. */
function sized(request: FuzzRequest): FuzzRequest {
	return byteLength(request.body) > BODY_LIMIT ? { ...request, expected: [413] } : request;
}

export function byteLength(body: string | Buffer): number {
	return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

function genericField(r: Random): FuzzRequest {
	const { event, breaks } = brokenEvent(r);
	const request = json('generic', 'field', breaks, event);
	// Charset parameters are part of an accepted media type.
	if (r.chance(0.1)) request.contentType = r.pick(['application/json; charset=utf-8', 'application/json;charset=UTF-8']);
	return request;
}

function genericBatch(r: Random): FuzzRequest {
	const events: Json[] = [];
	if (r.chance(0.5)) events.push(...resolvingCall(r));
	for (let i = r.int(0, 30); i > 0; i--) events.push(validEvent(r));
	const breaks: string[] = [];
	for (let i = r.chance(0.8) ? 1 : r.int(2, 3); i > 0; i--) {
		let bad: Json;
		if (r.chance(0.2)) {
			bad = r.pick<Json>([null, 42, 'ringing', true, [], [validEvent(r)]]);
			breaks.push('element not an object');
		} else {
			const broken = brokenEvent(r);
			bad = broken.event;
			breaks.push(broken.breaks);
		}
		events.splice(r.int(0, events.length), 0, bad);
	}
	return json('generic', 'batch', `${events.length} events, ${breaks.join(', ')}`, events);
}

function notAnEvent(r: Random): FuzzRequest {
	const body = r.pick<() => string>([
		() => 'null',
		() => String(r.int(-1e9, 1e9)),
		() => r.pick(['true', 'false', '0', '-1.5e300']),
		() => JSON.stringify(r.pick(['ringing', '', ' ', r.string(r.int(1, 100), TEXT_ALPHABET)])),
		() => JSON.stringify(JSON.stringify(resolvingCall(r))), // the events, but as one JSON string
		() => '', // empty body
	])();
	if (body === '') return { target: 'generic', category: 'notAnEvent', breaks: 'empty body', contentType: JSON_TYPE, body, expected: [400] };
	// A top-level array needs at least one bad element: an array of junk.
	if (r.chance(0.4)) {
		const junk: Json[] = Array.from({ length: r.int(1, 20) }, () => r.pick<Json>([null, r.int(0, 9), r.string(4), true, [], [[validEvent(r)]]]));
		return json('generic', 'notAnEvent', 'array of junk', junk);
	}
	return { target: 'generic', category: 'notAnEvent', breaks: 'body not an object or array', contentType: JSON_TYPE, body, expected: [400] };
}

/** Not JSON at all: n8n's body parser refuses it with 422 before the trigger sees it. */
function syntax(r: Random): FuzzRequest {
	const target: FuzzTarget = r.chance(0.85) ? 'generic' : 'sipgate';
	const source = JSON.stringify(r.chance(0.5) ? resolvingCall(r) : validEvent(r));
	const corrupt = r.pick<() => string | Buffer>([
		() => source.slice(0, r.int(1, source.length - 1)),
		() => source.replace('"', "'"),
		() => `${source.slice(0, -1)},${source.slice(-1)}`,
		() => source.replace(/:("[^"]*"|\d+)/, ':NaN'),
		() => source.replace(/:("[^"]*"|\d+)/, ':undefined'),
		() => `// PBX\n${source}`,
		() => source.replace(/"(\w+)":/, '$1:'),
		() => `${source}${source}`,
		() => `<events><event type="ringing"/></events>`,
		() => Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(r.string(r.int(0, 200), TEXT_ALPHABET))]),
	]);
	let body = corrupt();
	if (parsesAsJson(body)) body = source.slice(0, r.int(1, source.length - 1));
	return { target, category: 'syntax', breaks: 'not JSON', contentType: JSON_TYPE, body, expected: [422] };
}

function parsesAsJson(body: string | Buffer): boolean {
	try {
		JSON.parse(body.toString());
		return true;
	} catch {
		return false;
	}
}

/** A body the sender meant as valid, sent with a content type the source does not take. */
function contentType(r: Random): FuzzRequest {
	const target: FuzzTarget = r.chance(0.7) ? 'generic' : 'sipgate';
	const body = JSON.stringify(target === 'generic' ? resolvingCall(r) : { event: 'hangup', callId: 'x1', cause: 'cancel' });
	const type = r.pick([
		'text/plain', 'text/json', 'application/javascript', 'application/json-patch+json', 'application/ld+json',
		'application/jsonx', 'image/png', 'application/octet-stream', null,
		'application/xml', 'text/xml', 'application/soap+xml', 'multipart/form-data', 'multipart/form-data; boundary=x',
		...(target === 'generic' ? [FORM_TYPE] : []),
	]);
	// n8n parses XML and multipart bodies itself, and may refuse a JSON text there (422, 400) before
	// the trigger runs; everything that reaches the trigger is answered 415.
	const expected = type !== null && /[/+]xml$/.test(type) ? [415, 422]
		: type !== null && type.startsWith('multipart/') ? [400, 415]
			: [415];
	return { target, category: 'contentType', breaks: `Content-Type ${type ?? '(none)'}`, contentType: type, body: type === null ? Buffer.from(body) : body, expected };
}

function nested(depth: number, kind: 'array' | 'object'): string {
	return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"inner":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function deep(r: Random): FuzzRequest {
	const depth = r.pick([50, 500, 2_000, 5_000, 20_000, 100_000]);
	const kind = r.pick(['array', 'object'] as const);
	const deepText = nested(depth, kind);
	const place = r.pick(['time', 'caller', 'type', 'callId', 'topLevel', 'unknownField', 'sipgateRepeated']);
	if (place === 'topLevel') {
		// An array whose first element is an array (or an object that is not an event).
		const text = kind === 'array' ? `[${deepText}]` : `[${'{"inner":'.repeat(depth)}{}${'}'.repeat(depth)}]`;
		return { target: 'generic', category: 'deep', breaks: `element nested ${depth} deep`, contentType: JSON_TYPE, body: text, expected: [400] };
	}
	if (place === 'sipgateRepeated') {
		// callId given twice, the second value deeply nested: "must be given once".
		const text = `{"event":"hangup","cause":"cancel","callId":["a",${deepText}]}`;
		return { target: 'sipgate', category: 'deep', breaks: `sipgate callId repeated, nested ${depth} deep`, contentType: JSON_TYPE, body: text, expected: [400] };
	}
	const event = validEvent(r, r.pick(TYPES.filter((type) => !PRESENCE.includes(type))));
	let breaks = `${place} nested ${depth} deep`;
	if (place === 'unknownField') breaks = `${breakEvent(r, event)}, unknown field nested ${depth} deep`;
	event[place === 'unknownField' ? 'x-deep' : place] = DEEP_MARK;
	const body = JSON.stringify(event).replace(JSON.stringify(DEEP_MARK), deepText);
	return sized({ target: 'generic', category: 'deep', breaks, contentType: JSON_TYPE, body, expected: [400] });
}

function huge(r: Random): FuzzRequest {
	const kind = r.weighted<'field' | 'overLimit' | 'boundary' | 'manyEvents'>([[5, 'field'], [3, 'overLimit'], [1, 'boundary'], [1, 'manyEvents']]);
	if (kind === 'manyEvents') {
		const events = Array.from({ length: r.int(1001, 1300) }, () => validEvent(r, 'ringing', 'many-events-call'));
		return json('generic', 'huge', `${events.length} events (more than 1000)`, events, [413]);
	}
	if (kind === 'overLimit') {
		// Valid events made too big by an unknown field: only the size rule refuses them.
		const events: Json[] = resolvingCall(r);
		const size = BODY_LIMIT + r.int(1, BODY_LIMIT);
		const padded = { ...(events[0] as JsonObject), pad: '' };
		padded.pad = 'x'.repeat(size - JSON.stringify([padded, ...events.slice(1)]).length);
		return json('generic', 'huge', `body of ${size} bytes`, [padded, ...events.slice(1)], [413]);
	}
	// A length-limited field with a huge value; at `boundary` the body is exactly 1 MiB or one byte more.
	const event = validEvent(r, 'ringing');
	const field = r.pick(['callId', 'line', 'eventId', 'called', 'caller.name', 'caller.number']);
	// Sizes spread evenly on a log scale from 600 bytes to the limit.
	const target = kind === 'boundary' ? BODY_LIMIT + r.pick([0, 1]) : Math.round(600 * (BODY_LIMIT / 600) ** r.next());
	const holder: JsonObject = field.startsWith('caller.') ? (event.caller = validCaller(r)) as JsonObject : event;
	const key = field.replace('caller.', '');
	holder[key] = '';
	const value = 'y'.repeat(Math.max(NAME_LIMIT + 1, target - Buffer.byteLength(JSON.stringify(event))));
	holder[key] = value;
	return json('generic', 'huge', `${field} of ${value.length} characters`, event);
}

function prototypeKeys(r: Random): FuzzRequest {
	const variant = r.int(0, 4);
	if (variant <= 2) {
		// The event's fields are only under a pollution key: nothing the rules read is there.
		const wrapper: JsonObject = {};
		const inner = validEvent(r, r.pick(['ringing', 'ended', 'answered']));
		if (variant === 0) setOwn(wrapper, '__proto__', inner);
		else if (variant === 1) setOwn(wrapper, 'constructor', { prototype: inner });
		else setOwn(wrapper, 'prototype', inner);
		return json('generic', 'prototype', 'event fields only under a pollution key (type missing)', r.chance(0.5) ? wrapper : [wrapper]);
	}
	if (variant === 3) {
		const event = validEvent(r, 'ringing');
		const callId: JsonObject = {};
		setOwn(callId, '__proto__', 'x');
		event.callId = callId;
		return json('generic', 'prototype', 'callId is an object with __proto__', event);
	}
	const { event, breaks } = brokenEvent(r);
	setOwn(event, '__proto__', { type: 'ringing', callId: 'polluted', line: '201', isAdmin: true });
	setOwn(event, 'constructor', { prototype: { polluted: true } });
	return json('generic', 'prototype', `${breaks}, with __proto__ and constructor keys`, event);
}

// ---- sipgate.io / Zammad CTI ----

type Fields = Array<[string, Json]>;

function sipgateBase(r: Random, event: 'newCall' | 'answer' | 'hangup'): Fields {
	const fields: Fields = [['event', event], ['callId', `SG${r.string(10, '0123456789ABCDEF')}`]];
	if (r.chance(0.7)) fields.push(['from', r.pick(['4930987654', 'anonymous', '+4989123456'])]);
	if (event !== 'answer' && r.chance(0.7)) fields.push(['to', '4989123400']);
	if (r.chance(0.5)) fields.push(['direction', r.pick(SIPGATE_DIRECTIONS)]);
	if (event === 'newCall') for (let i = r.int(0, 3); i > 0; i--) fields.push(['user[]', r.pick(['w0', 'w1', 'Sina'])]);
	if (event === 'answer') fields.push(r.chance(0.5) ? ['user[]', 'w0'] : ['answeringNumber', '201']);
	if (event === 'hangup') fields.push(['cause', r.pick(SIPGATE_CAUSES)]);
	return fields;
}

/**
 * Not a string, for the sipgate mapping, which reads a one-element array as its element (a form
 * field given once): so no arrays of one string and no empty arrays, which would be valid.
 */
function sipgateNonString(r: Random): Json {
	return r.pick<Json>([r.int(-1_000_000, 1_000_000), r.next() * 1e6, true, false, {}, { value: 'x' }, [[1]], [7]]);
}

function without(fields: Fields, name: string): Fields {
	return fields.filter(([key]) => key !== name);
}

/** Breaks one field the mapping reads for every event (or for this event under its condition). */
function breakSipgate(r: Random, fields: Fields, json: boolean): { fields: Fields; breaks: string } {
	const event = String(fields[0][1]);
	const single = r.pick(['event', 'callId', 'direction', 'from', 'to', 'origCallId', ...(event === 'hangup' ? ['cause'] : [])]);
	const choice = r.int(0, 5);
	if (choice === 0) {
		// Given twice (a repeated form key, a JSON array of two).
		const value = single === 'event' ? event : single === 'direction' ? 'in' : single === 'cause' ? 'cancel' : 'x1';
		const rest = without(fields, single);
		return { fields: json ? [...rest, [single, [value, r.pick([value, 'other'])]]] : [...rest, [single, value], [single, value]], breaks: `${single} given twice` };
	}
	if (choice === 1) return { fields: [...without(fields, single), [single, tooLong(r, ID_LIMIT)]], breaks: `${single} too long` };
	if (choice === 2 && ['event', 'callId', 'cause'].includes(single)) {
		const rest = without(fields, single);
		return { fields: r.chance(0.5) ? rest : [...rest, [single, r.pick(['', ' '])]], breaks: `${single} missing` };
	}
	if (choice === 3 && ['event', 'direction', 'cause'].includes(single)) {
		const valid = single === 'event' ? SIPGATE_EVENTS : single === 'direction' ? SIPGATE_DIRECTIONS : SIPGATE_CAUSES;
		return { fields: [...without(fields, single), [single, unknownWord(r, valid)]], breaks: `unknown ${single}` };
	}
	if (choice === 4 && event === 'answer') {
		// Two answering users, or none and nothing to fall back on.
		const rest = without(without(without(fields, 'user[]'), 'answeringNumber'), 'to');
		return r.chance(0.5)
			? { fields: [...rest, ['user[]', 'w0'], ['user[]', 'w1']], breaks: 'answer names two users' }
			: { fields: rest, breaks: 'answer without user, answeringNumber or to' };
	}
	if (choice === 5 && event === 'newCall' && !fields.some(([key, value]) => key === 'direction' && value === 'out')) {
		return { fields: [...fields, ['user[]', tooLong(r, ID_LIMIT)]], breaks: 'user[] entry too long' };
	}
	if (json) return { fields: [...without(fields, single), [single, sipgateNonString(r)]], breaks: `${single} not a string` };
	return { fields: [...without(fields, single), [single, tooLong(r, ID_LIMIT)]], breaks: `${single} too long` };
}

function sipgate(r: Random): FuzzRequest {
	const asJson = r.chance(0.25);
	const base = sipgateBase(r, r.pick(['newCall', 'answer', 'hangup'] as const));
	const { fields, breaks } = breakSipgate(r, base, asJson);
	// Keys nothing reads, including pollution attempts in qs-style bracket syntax.
	if (r.chance(0.4)) {
		for (let i = r.int(1, 3); i > 0; i--) {
			const key = r.pick(['__proto__', '__proto__[callId]', 'constructor[prototype][event]', 'toString', 'hasOwnProperty', 'dtmf', 'xcid']);
			if (!SIPGATE_KEYS.includes(key)) fields.push([key, r.pick(['1', 'newCall', 'w0'])]);
		}
	}
	if (asJson) {
		const body: JsonObject = {};
		for (const [key, value] of fields) {
			const old = Object.prototype.hasOwnProperty.call(body, key) ? body[key] : undefined;
			setOwn(body, key, old === undefined ? value : [...(Array.isArray(old) ? old : [old]), value]);
		}
		return json('sipgate', 'sipgateJson', breaks, r.chance(0.05) ? [body] : body);
	}
	const form = new URLSearchParams(fields.map(([key, value]): [string, string] => [key, String(value)])).toString();
	return sized({ target: 'sipgate', category: 'sipgateForm', breaks, contentType: FORM_TYPE, body: form, expected: [400] });
}

const GENERATORS: ReadonlyArray<readonly [number, (r: Random) => FuzzRequest]> = [
	[30, genericField],
	[13, genericBatch],
	[5, notAnEvent],
	[8, syntax],
	[7, contentType],
	[5, deep],
	[2, huge],
	[5, prototypeKeys],
	[25, sipgate],
];

export function fuzzRequests(seed: number, count: number): FuzzRequest[] {
	const r = new Random(seed);
	return Array.from({ length: count }, () => r.weighted(GENERATORS)(r));
}
