import { InvalidRecordError, readContact, readTriggerRecord } from '../../../nodes/MissedCallFilter/input';
import { answeredCall, caught, leg, missedCall } from './fixtures';

describe('readTriggerRecord', () => {
	it("refuses a time more than a day ahead of n8n's clock, naming the field", () => {
		const ahead = new Date(Date.now() + 3 * 86_400_000 + 60_000).toISOString();
		const error = caught(() => readTriggerRecord({ kind: 'presence', type: 'login', line: '201', at: ahead }));
		expect(error).toBeInstanceOf(InvalidRecordError);
		expect(error).toMatchObject({
			field: 'at',
			message: `"at" "${ahead}" is more than 3 days ahead of n8n's clock; are the PBX's clock and time zone right?`,
		});
	});

	it('passes call records of the trigger through unchanged', () => {
		const missed = missedCall([leg('201', 0, 20), { ...leg('202', 20, 30, 'diverted'), divertedTo: '+491711234567' }]);
		expect(readTriggerRecord(structuredClone(missed))).toEqual(missed);
		const answered = answeredCall([leg('201', 0, 8, 'pickedUp')], '202', 8, true);
		expect(readTriggerRecord(structuredClone(answered))).toEqual(answered);
		const givenUp = missedCall([leg('201', 0, 20), { ...leg('202', 5, 20), stillRinging: true }], { incomplete: true });
		expect(readTriggerRecord(structuredClone(givenUp))).toEqual(givenUp);
	});

	it('fills the optional fields of a hand-made record', () => {
		expect(
			readTriggerRecord({
				kind: 'call',
				callId: 'x',
				direction: 'inbound',
				caller: {},
				startedAt: '2024-03-05T09:00:00Z',
				resolvedAt: '2024-03-05T09:00:20Z',
				outcome: 'missed',
				legs: [],
			}),
		).toEqual({
			kind: 'call',
			callId: 'x',
			direction: 'inbound',
			caller: { number: '', name: '', restricted: false },
			called: '',
			startedAt: '2024-03-05T09:00:00.000Z',
			resolvedAt: '2024-03-05T09:00:20.000Z',
			outcome: 'missed',
			answeredBy: null,
			voicemail: null,
			incomplete: false,
			legs: [],
		});
	});

	it('reads presence records', () => {
		const presence = { kind: 'presence', type: 'login', line: '201', at: '2024-03-05T07:00:00.000Z' };
		expect(readTriggerRecord({ ...presence })).toEqual(presence);
	});

	// The composer reads times with luxon, the rules with Date.parse: both must get the same instant.
	it.each([
		['an offset', '2024-03-05T08:00:00+01:00'],
		["RFC 3339's space", '2024-03-05 07:00:00Z'],
		['fractions', '2024-03-05T07:00:00.000000Z'],
		['a week date', '2024-W10-2T07:00:00Z'],
	])('passes on a time with %s as the trigger writes times (UTC)', (_, at) => {
		expect(readTriggerRecord({ kind: 'presence', type: 'login', line: '201', at })).toMatchObject({
			at: '2024-03-05T07:00:00.000Z',
		});
	});

	const valid = () => missedCall([leg('201', 0, 20)]) as unknown as Record<string, unknown>;
	it.each<[string, (record: Record<string, unknown>) => unknown, string, string]>([
		['not an object', () => 'call', '', 'The item must be an object'],
		['an unknown kind', (record) => ({ ...record, kind: 'event' }), 'kind', '"kind" must be one of call, presence, got "event"'],
		['no call id', (record) => ({ ...record, callId: '' }), 'callId', '"callId" must be a non-empty string, got ""'],
		['a bad direction', (record) => ({ ...record, direction: 'in' }), 'direction', '"direction" must be one of inbound, internal, outbound, got "in"'],
		['no caller', (record) => ({ ...record, caller: null }), 'caller', 'caller must be an object'],
		['a numeric caller number', (record) => ({ ...record, caller: { number: 301234567 } }), 'caller.number', '"caller.number" must be a string, got 301234567'],
		['a stillRinging that is not a flag', (record) => ({ ...record, legs: [{ ...leg('201', 0, 20), stillRinging: 'yes' }] }), 'legs[0].stillRinging', '"legs[0].stillRinging" must be true or false, got "yes"'],
		['a bad time', (record) => ({ ...record, resolvedAt: 'soon' }), 'resolvedAt', '"resolvedAt" must be an ISO 8601 time with a UTC offset (Z or +02:00), got "soon"'],
		// Read as n8n's zone by Date.parse and as UTC by the mail, it would be two different times.
		['a time without offset', (record) => ({ ...record, startedAt: '2024-03-05T09:00:00' }), 'startedAt', '"startedAt" must be an ISO 8601 time with a UTC offset (Z or +02:00), got "2024-03-05T09:00:00"'],
		['a time in words', (record) => ({ ...record, startedAt: 'March 5, 2024 09:00' }), 'startedAt', '"startedAt" must be an ISO 8601 time with a UTC offset (Z or +02:00), got "March 5, 2024 09:00"'],
		// As the trigger bounds its events' times (a call dated 1970 or years ahead).
		['a time before 2000', (record) => ({ ...record, resolvedAt: '1970-01-01T00:00:00Z' }), 'resolvedAt', '"resolvedAt" "1970-01-01T00:00:00Z" is before 2000; is it a zero or in another unit?'],
		['legs not an array', (record) => ({ ...record, legs: {} }), 'legs', '"legs" must be an array, got {}'],
		[
			'a leg with a bad result',
			(record) => ({ ...record, legs: [leg('201', 0, 20), { ...leg('202', 0, 20), result: 'lost' }] }),
			'legs[1].result',
			'"legs[1].result" must be one of answered, notAnswered, busy, rejected, diverted, answeredElsewhere, pickedUp, got "lost"',
		],
		[
			'a leg ringing backwards',
			(record) => ({ ...record, legs: [leg('201', 20, 0)] }),
			'legs[0].ringingUntil',
			'"legs[0].ringingUntil" is before its ringingFrom',
		],
		[
			'answeredBy without line',
			(record) => ({ ...record, answeredBy: { at: '2024-03-05T09:00:20Z' } }),
			'answeredBy.line',
			'"answeredBy.line" must be a non-empty string, got undefined',
		],
	])('names the field for %s', (_case, change, field, message) => {
		const error = caught(() => readTriggerRecord(change(valid())));
		expect(error).toBeInstanceOf(InvalidRecordError);
		expect(error).toMatchObject({ field, message });
	});
});

describe('readContact', () => {
	it('is null when the item has none', () => {
		expect(readContact(undefined, 'contact')).toBeNull();
		expect(readContact(null, 'contact')).toBeNull();
	});

	it('keeps the known fields, numbers as text', () => {
		expect(readContact({ name: 'Eva Kunde', postalCode: 80331, state: 'BY', crmId: 'a1', company: { id: 1 } }, 'crm.contact')).toEqual({
			name: 'Eva Kunde',
			postalCode: '80331',
			state: 'BY',
		});
	});

	it('refuses something that is no contact, naming the field', () => {
		const error = caught(() => readContact('Eva Kunde', 'crm.contact'));
		expect(error).toBeInstanceOf(InvalidRecordError);
		expect(error).toMatchObject({ field: 'crm.contact', message: '"crm.contact" must be an object with the caller\'s contact data' });
	});
});
