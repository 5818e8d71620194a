import { parseGenericEvents } from '../../../nodes/CallEventTrigger/sources/generic';
import { inputError } from './events';

const RECEIVED = Date.UTC(2024, 4, 6, 8, 0, 0);

function rejection(body: unknown, limits?: { maxEvents?: number }) {
	return inputError(() => parseGenericEvents(body, RECEIVED, limits));
}

describe('parseGenericEvents: valid input', () => {
	it.each([
		// A PBX clock set to another zone is hours off; within a day its events are still taken.
		['23 hours after its receipt', '2024-05-07T07:00:00Z', Date.UTC(2024, 4, 7, 7)],
		['exactly a day after its receipt', '2024-05-07T08:00:00Z', Date.UTC(2024, 4, 7, 8)],
		["RFC 3339's space between date and time", '2024-05-06 10:00:00+02:00', RECEIVED],
		['the largest offset a clock uses', '2024-05-06T22:00:00+14:00', RECEIVED],
		['a week date', '2024-W19-1T08:00:00Z', RECEIVED],
		// Java's ZonedDateTime writes the zone's name after the offset (RFC 9557).
		['an RFC 9557 zone name after the offset', '2024-05-06T10:00:00+02:00[Europe/Berlin]', RECEIVED],
	])('takes a time %s', (_case, time, expected) => {
		expect(parseGenericEvents({ type: 'ended', callId: 'c1', time }, RECEIVED)).toEqual([
			{ type: 'ended', callId: 'c1', time: expected },
		]);
	});

	it('maps every field of a full event, trimming strings', () => {
		expect(
			parseGenericEvents(
				{
					type: 'answered',
					callId: ' c-17 ',
					eventId: 'e-9',
					time: '2024-05-06T10:00:05.250+02:00',
					line: '203',
					caller: { number: '+49301234567', name: ' Max Muster ', restricted: false },
					called: '+49891234200',
					direction: 'inbound',
					pickup: true,
					from: '201',
				},
				RECEIVED,
			),
		).toEqual([
			{
				type: 'answered',
				callId: 'c-17',
				eventId: 'e-9',
				time: Date.UTC(2024, 4, 6, 8, 0, 5, 250),
				line: '203',
				caller: { number: '+49301234567', name: 'Max Muster', restricted: false },
				called: '+49891234200',
				direction: 'inbound',
				pickup: true,
				from: '201',
			},
		]);
	});

	it('accepts an array; time as epoch ms, as ISO with Z, or missing (time of receipt)', () => {
		expect(
			parseGenericEvents(
				[
					{ type: 'ringing', callId: 'c1', line: '201', time: 1714982401000 },
					{ type: 'stopped', callId: 'c1', line: '201', reason: 'busy', time: '2024-05-06T08:00:02Z' },
					{ type: 'diverted', callId: 'c1', line: '201', to: '+491701234567' },
					{ type: 'ended', callId: 'c1' },
				],
				RECEIVED,
			),
		).toEqual([
			{ type: 'ringing', callId: 'c1', line: '201', time: Date.UTC(2024, 4, 6, 8, 0, 1) },
			{
				type: 'stopped',
				callId: 'c1',
				line: '201',
				reason: 'busy',
				time: Date.UTC(2024, 4, 6, 8, 0, 2),
			},
			{ type: 'diverted', callId: 'c1', line: '201', to: '+491701234567', time: RECEIVED },
			{ type: 'ended', callId: 'c1', time: RECEIVED },
		]);
	});

	it('presence needs no callId; null counts as absent; a withheld number may be empty', () => {
		expect(
			parseGenericEvents(
				[
					{ type: 'login', line: 'w0', callId: null },
					{ type: 'offered', callId: 'c2', caller: { number: '', restricted: true }, called: null },
				],
				RECEIVED,
			),
		).toEqual([
			{ type: 'login', line: 'w0', time: RECEIVED },
			{ type: 'offered', callId: 'c2', caller: { number: '', restricted: true }, time: RECEIVED },
		]);
	});

	it('an empty array is no events', () => {
		expect(parseGenericEvents([], RECEIVED)).toEqual([]);
	});

	it('ignores prototype-pollution keys and never touches Object.prototype', () => {
		const body = JSON.parse(
			'{"type":"ended","callId":"c1","__proto__":{"line":"x","polluted":true},"constructor":{"prototype":{"polluted":true}}}',
		);
		expect(parseGenericEvents(body, RECEIVED)).toEqual([{ type: 'ended', callId: 'c1', time: RECEIVED }]);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(rejection(JSON.parse('{"__proto__":{"type":"ringing"},"callId":"c1"}')).message).toBe(
			'event[0]: type is required',
		);
	});
});

describe('parseGenericEvents: bad input is refused with a 4xx naming the problem', () => {
	it.each<[string, unknown, string]>([
		['a string body', 'ringing', 'body must be an event object or an array of event objects'],
		['a number body', 42, 'body must be an event object or an array of event objects'],
		['a null body', null, 'body must be an event object or an array of event objects'],
		['a non-object event', [{ type: 'ended', callId: 'c1' }, 7], 'event[1]: must be an object'],
		['a missing type', { callId: 'c1' }, 'event[0]: type is required'],
		['a non-string type', { type: 3, callId: 'c1' }, 'event[0]: type must be a string, in quotes ("3", not 3)'],
		['an event without type in a batch', [{ type: 'ended', callId: 'c1' }, {}], 'event[1]: type is required'],
		['a missing callId', { type: 'ringing', line: '201' }, 'event[0]: callId is required'],
		['a blank callId', { type: 'ended', callId: '   ' }, 'event[0]: callId is required'],
		['a numeric callId', { type: 'ended', callId: 17 }, 'event[0]: callId must be a string, in quotes ("17", not 17)'],
		['a numeric line', { type: 'ringing', callId: 'c1', line: 201 }, 'event[0]: line must be a string, in quotes ("201", not 201)'],
		['ringing without line', { type: 'ringing', callId: 'c1' }, 'event[0]: line is required'],
		['login without line', { type: 'login' }, 'event[0]: line is required'],
		['diverted without target', { type: 'diverted', callId: 'c1', line: '201' }, 'event[0]: to is required'],
		[
			'a wrong direction',
			{ type: 'offered', callId: 'c1', direction: 'in' },
			'event[0]: unknown direction "in" (expected one of inbound, internal, outbound)',
		],
		[
			'a wrong reason',
			{ type: 'stopped', callId: 'c1', line: '201', reason: 'gone' },
			'event[0]: unknown reason "gone" (expected one of noAnswer, busy, rejected, timeout, cancelled)',
		],
		[
			'a non-boolean pickup',
			{ type: 'answered', callId: 'c1', line: '201', pickup: 'yes' },
			'event[0]: pickup must be true or false',
		],
		['a non-object caller', { type: 'offered', callId: 'c1', caller: '+4930' }, 'event[0]: caller must be an object'],
		[
			'a caller without number',
			{ type: 'offered', callId: 'c1', caller: { name: 'Max' } },
			'event[0]: caller.number is required (an empty string for a withheld number)',
		],
		[
			'a numeric caller number',
			{ type: 'offered', callId: 'c1', caller: { number: 4930123 } },
			'event[0]: caller.number must be a string, in quotes ("4930123", not 4930123)',
		],
		[
			'a non-boolean restricted flag',
			{ type: 'offered', callId: 'c1', caller: { number: '', restricted: 1 } },
			'event[0]: caller.restricted must be true or false',
		],
		[
			'an unparsable time',
			[
				{ type: 'ended', callId: 'c1' },
				{ type: 'ended', callId: 'c2' },
				{ type: 'ended', callId: 'c3', time: 'yesterday' },
			],
			'event[2]: time "yesterday" is not ISO 8601 with offset or epoch milliseconds',
		],
		[
			'a local time without offset',
			{ type: 'ended', callId: 'c1', time: '2024-05-06T10:00:00' },
			'event[0]: time "2024-05-06T10:00:00" has no UTC offset; add Z or an offset such as +02:00',
		],
		[
			'a date without time',
			{ type: 'ended', callId: 'c1', time: '2024-05-06' },
			'event[0]: time "2024-05-06" has no UTC offset; add Z or an offset such as +02:00',
		],
		[
			'an impossible date',
			{ type: 'ended', callId: 'c1', time: '2024-13-06T10:00:00Z' },
			'event[0]: time "2024-13-06T10:00:00Z" is not ISO 8601 with offset or epoch milliseconds',
		],
		[
			'epoch seconds',
			{ type: 'ended', callId: 'c1', time: 1714982400 },
			'event[0]: time 1714982400 looks like epoch seconds; epoch milliseconds are expected',
		],
		[
			'fractional epoch seconds',
			{ type: 'ended', callId: 'c1', time: 1714982400.123 },
			'event[0]: time 1714982400.123 looks like epoch seconds; epoch milliseconds are expected',
		],
		[
			'a fractional epoch',
			{ type: 'ended', callId: 'c1', time: 1714982400000.5 },
			'event[0]: time 1714982400000.5 is not a whole number; epoch milliseconds are an integer',
		],
		[
			'a boolean time',
			{ type: 'ended', callId: 'c1', time: true },
			'event[0]: time true is not ISO 8601 with offset or epoch milliseconds',
		],
		[
			'epoch milliseconds as a string',
			{ type: 'ended', callId: 'c1', time: '1714982400000' },
			'event[0]: time "1714982400000" is a string; send epoch milliseconds as a JSON number',
		],
		[
			'an offset no clock uses',
			{ type: 'ended', callId: 'c1', time: '2024-05-06T10:00:00+25:00' },
			'event[0]: time "2024-05-06T10:00:00+25:00" has an offset beyond ±14:00, which no clock uses',
		],
		// A zero or a wrong unit: read as 1970 it would date the mail "1 January 1970".
		[
			'an ISO time before 2000',
			{ type: 'ended', callId: 'c1', time: '1970-01-01T00:00:00Z' },
			'event[0]: time "1970-01-01T00:00:00Z" is before 2000; is it a zero or in another unit?',
		],
		[
			'epoch milliseconds before 2000',
			{ type: 'ended', callId: 'c1', time: 900000000000 },
			'event[0]: time 900000000000 is before 2000; is it a zero or in another unit?',
		],
		// A call "in 2036" would stay newer than every login until then: the repeat rule "while not
		// logged in" would hold back this caller's calls to the user for ten years.
		[
			'a time more than a day after its receipt',
			{ type: 'ended', callId: 'c1', time: '2036-11-27T10:00:00Z' },
			'event[0]: time "2036-11-27T10:00:00Z" is more than 4588 days after its receipt; are the PBX\'s clock and time zone right?',
		],
		[
			'a time 30 hours after its receipt',
			{ type: 'ended', callId: 'c1', time: '2024-05-07T14:00:00Z' },
			'event[0]: time "2024-05-07T14:00:00Z" is more than 30 hours after its receipt; are the PBX\'s clock and time zone right?',
		],
		[
			'a time a millisecond more than a day after its receipt',
			{ type: 'ended', callId: 'c1', time: '2024-05-07T08:00:00.001Z' },
			'event[0]: time "2024-05-07T08:00:00.001Z" is more than 24 hours after its receipt; are the PBX\'s clock and time zone right?',
		],
		[
			'epoch milliseconds of a far future',
			{ type: 'ended', callId: 'c1', time: 8.64e15 },
			'event[0]: time 8640000000000000 is more than 99980150 days after its receipt; are the PBX\'s clock and time zone right?',
		],
		[
			'a line over 256 characters',
			{ type: 'ringing', callId: 'c1', line: 'x'.repeat(257) },
			'event[0]: line is longer than 256 characters',
		],
		[
			'a caller name over 512 characters',
			{ type: 'offered', callId: 'c1', caller: { number: '1', name: 'n'.repeat(513) } },
			'event[0]: caller.name is longer than 512 characters',
		],
	])('%s', (_case, body, message) => {
		expect(rejection(body)).toEqual({ message, status: 400 });
	});

	it('names the unknown type and lists the known ones', () => {
		expect(rejection({ type: 'ringin', callId: 'c1' }).message).toBe(
			'event[0]: unknown type "ringin" (expected one of offered, ringing, stopped, diverted, answered, voicemail, ended, login, logout)',
		);
		const batch = [
			{ type: 'ended', callId: 'c1' },
			{ type: 'ended', callId: 'c2' },
			{ type: 'ended', callId: 'c3' },
			{ type: 'ringin', callId: 'c4' },
		];
		expect(rejection(batch).message).toMatch(/^event\[3\]: unknown type "ringin" \(expected one of offered, ringing, /);
	});

	it('shortens a huge value in the message instead of echoing it', () => {
		const { message } = rejection({ type: 'ended', callId: 'c1', time: 'y'.repeat(10_000) });
		expect(message).toBe(`event[0]: time "${'y'.repeat(56)}… is not ISO 8601 with offset or epoch milliseconds`);
	});

	it('accepts names up to 512 and ids up to 256 characters', () => {
		const [event] = parseGenericEvents(
			{ type: 'offered', callId: 'c'.repeat(256), caller: { number: '1', name: 'n'.repeat(512) } },
			RECEIVED,
		);
		expect(event.callId).toHaveLength(256);
		expect(event.caller?.name).toHaveLength(512);
	});

	it('refuses more events than the limit with 413, default 1000', () => {
		const events = (n: number) =>
			Array.from({ length: n }, (_, i) => ({ type: 'ended', callId: `c${i}` }));
		expect(parseGenericEvents(events(1000), RECEIVED)).toHaveLength(1000);
		expect(rejection(events(1001))).toEqual({
			message: 'body has 1001 events; at most 1000 are accepted per request',
			status: 413,
		});
		expect(rejection(events(3), { maxEvents: 2 })).toEqual({
			message: 'body has 3 events; at most 2 are accepted per request',
			status: 413,
		});
	});

	it('rejects the whole batch when one event is bad', () => {
		const batch = [
			{ type: 'ringing', callId: 'c1', line: '201' },
			{ type: 'ended', callId: 'c1', time: 'soon' },
		];
		expect(() => parseGenericEvents(batch, RECEIVED)).toThrow(
			'event[1]: time "soon" is not ISO 8601 with offset or epoch milliseconds',
		);
	});
});

describe('parseGenericEvents: deeply nested junk', () => {
	it('refuses a value nested 10,000 levels deep with a 400, not a stack overflow', () => {
		let time: unknown = 1;
		for (let i = 0; i < 10_000; i++) time = [time];
		const { status, message } = inputError(() =>
			parseGenericEvents({ type: 'ended', callId: 'c', time }, Date.now()),
		);
		expect(status).toBe(400);
		expect(message).toMatch(/time/);
	});
});
