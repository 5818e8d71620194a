/**
 * sipgate.io push / Zammad generic CTI. The request fixtures follow the public documentation: the
 * sipgate.io README and API reference (github.com/sipgate/sipgate.io, developer.sipgate.io/push-api:
 * the newCall/answer/hangup parameters, the cURL samples, the hangup causes and the FAQ sequences
 * "How is forwarding signaled?") and Zammad's generic CTI docs (docs.zammad.org, api/generic-cti).
 */
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import { parseDocument } from 'htmlparser2';

import {
	parseSipgateEvent,
	SipgateCallIds,
	sipgateNewCallAnswer,
	unreachableCallback,
} from '../../../nodes/CallEventTrigger/sources/sipgate';
import type { CallEvent, TriggerRecord } from '../../../nodes/shared/callModel';
import { at, inputError } from './events';

/** Decodes a form body the way the webhook does: a repeated key becomes an array. */
function form(text: string): Record<string, unknown> {
	const body: Record<string, unknown> = {};
	for (const [key, value] of new URLSearchParams(text)) {
		const seen = body[key];
		body[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
	}
	return body;
}

// The cURL samples of the sipgate.io API reference.
const NEW_CALL =
	'event=newCall&from=492111234567&to=4915791234567&direction=in&callId=123456' +
	'&user[]=Alice&user[]=Bob&userId[]=w0&userId[]=w1&fullUserId[]=1234567w0&fullUserId[]=1234567w1';
const ANSWER =
	'event=answer&callId=123456&user=Bob&userId=w1&fullUserId=1234567w1' +
	'&from=492111234567&to=4915791234567&direction=in&answeringNumber=4921100000001';
const HANGUP =
	'event=hangup&cause=normalClearing&callId=123456&from=492111234567&to=4915791234567' +
	'&direction=in&answeringNumber=4921100000001';

const R = at(0);
const base = {
	callId: '123456',
	time: R,
	direction: 'inbound',
	caller: { number: '+492111234567' },
	called: '+4915791234567',
};

function rejection(body: Record<string, unknown>) {
	return inputError(() => parseSipgateEvent(body, R));
}

describe('parseSipgateEvent: mapping', () => {
	it('newCall: offered, then one ringing per user, by user id', () => {
		expect(parseSipgateEvent(form(NEW_CALL), R)).toEqual([
			{ ...base, type: 'offered' },
			{ ...base, type: 'ringing', line: 'w0' },
			{ ...base, type: 'ringing', line: 'w1' },
		]);
	});

	it('newCall from Zammad-style senders: names only, as `user[]`, `user` array or a single `user`', () => {
		const lines = (body: Record<string, unknown>) =>
			parseSipgateEvent(body, R)
				.filter((e) => e.type === 'ringing')
				.map((e) => e.line);
		const call = {
			event: 'newCall',
			from: '493055571600',
			to: '491711234567890',
			direction: 'in',
			callId: 'z1',
		};
		expect(lines({ ...call, 'user[]': ['Alice', 'Bob'] })).toEqual(['Alice', 'Bob']);
		expect(lines({ ...call, user: ['Alice', 'Bob'] })).toEqual(['Alice', 'Bob']);
		expect(lines({ ...call, user: 'Alice' })).toEqual(['Alice']);
		expect(lines(form('event=newCall&from=1&to=2&direction=in&callId=z1&fullUserId[]=1234567w0'))).toEqual([
			'1234567w0',
		]);
		expect(lines(call)).toEqual([]);
	});

	it('numbers: E.164 without "+" gets it; national, short, withheld and "+" numbers stay', () => {
		const call = (from: string, to: string) =>
			parseSipgateEvent({ event: 'newCall', callId: 'n1', direction: 'in', from, to }, R)[0];
		const numbers: Array<[from: string, to: string, caller: string, called: string]> = [
			// sipgate's own samples, and Zammad's.
			['492111234567', '4915791234567', '+492111234567', '+4915791234567'],
			['493055571600', '491711234567890', '+493055571600', '+491711234567890'],
			// Zammad also shows national numbers.
			['02214710334', '03023125771', '02214710334', '03023125771'],
			['+492111234567', '201', '+492111234567', '201'],
		];
		for (const [from, to, caller, called] of numbers) {
			expect(call(from, to)).toMatchObject({ caller: { number: caller }, called });
		}
		expect(call('anonymous', '4915791234567').caller).toEqual({ number: '', restricted: true });
		// One digit too many for E.164: not a phone number, left as sent.
		expect(call('1234567890123456', '4915791234567').caller).toEqual({ number: '1234567890123456' });

		const answeredBy = (answeringNumber: string) =>
			parseSipgateEvent({ event: 'answer', callId: 'n1', direction: 'out', answeringNumber }, R)[0].line;
		expect(answeredBy('4921100000001')).toBe('+4921100000001');
		// Zammad's answeringNumber may be a user id, login or e-mail.
		expect(answeredBy('42')).toBe('42');
		expect(answeredBy('jdoe')).toBe('jdoe');
	});

	it('newCall from `anonymous`: a withheld caller', () => {
		const [offered] = parseSipgateEvent(form(NEW_CALL.replace('from=492111234567', 'from=anonymous')), R);
		expect(offered.caller).toEqual({ number: '', restricted: true });
	});

	it('outbound newCall: the user is the caller, so nothing rings', () => {
		const body = form('event=newCall&from=4921100000001&to=4915791234567&direction=out&callId=o1&user[]=Alice');
		expect(parseSipgateEvent(body, R)).toEqual([
			{
				type: 'offered',
				callId: 'o1',
				time: R,
				direction: 'outbound',
				caller: { number: '+4921100000001' },
				called: '+4915791234567',
			},
		]);
	});

	it('answer: answered on the user id; without user the answering number, then the called number', () => {
		expect(parseSipgateEvent(form(ANSWER), R)).toEqual([{ ...base, type: 'answered', line: 'w1' }]);
		const zammad = {
			event: 'answer',
			callId: 'z1',
			from: '493055571600',
			to: '491711234567890',
			direction: 'in',
		};
		const line = (body: Record<string, unknown>) => parseSipgateEvent(body, R)[0].line;
		expect(line({ ...zammad, user: 'Alice', answeringNumber: '42' })).toBe('Alice');
		expect(line({ ...zammad, 'user[]': ['Alice'] })).toBe('Alice');
		expect(line({ ...zammad, answeringNumber: 'jdoe@example.com' })).toBe('jdoe@example.com');
		expect(line(zammad)).toBe('+491711234567890');
		expect(line({ ...zammad, direction: 'out', user: 'Alice', answeringNumber: '491711234567890' })).toBe(
			'+491711234567890',
		);
	});

	it.each<[string, Array<Partial<CallEvent>>]>([
		['normalClearing', [{ type: 'ended' }]],
		['busy', [{ type: 'stopped', reason: 'busy' }, { type: 'ended' }]],
		['cancel', [{ type: 'ended' }]],
		['noAnswer', [{ type: 'stopped', reason: 'noAnswer' }, { type: 'ended' }]],
		['congestion', [{ type: 'ended' }]],
		['notFound', [{ type: 'ended' }]],
		['forwarded', [{ type: 'diverted' }]],
	])('hangup cause %s', (cause, expected) => {
		const events = parseSipgateEvent(form(HANGUP.replace('normalClearing', cause)), R);
		expect(events).toEqual(expected.map((fields) => ({ ...base, ...fields })));
		expect(events.every((event) => event.line === undefined)).toBe(true);
	});

	it('files every event carrying origCallId (or originalCallId) under that call id', () => {
		const forwarded = form(`${ANSWER.replace('callId=123456', 'callId=654321')}&origCallId=123456`);
		expect(parseSipgateEvent(forwarded, R)[0].callId).toBe('123456');
		const library = form(`${HANGUP.replace('callId=123456', 'callId=654321')}&originalCallId=123456`);
		expect(parseSipgateEvent(library, R)[0].callId).toBe('123456');
		const empty = form(`${HANGUP}&origCallId=`);
		expect(parseSipgateEvent(empty, R)[0].callId).toBe('123456');
	});

	it('dtmf carries nothing for call assembly', () => {
		expect(parseSipgateEvent({ event: 'dtmf', callId: '123456', dtmf: '1' }, R)).toEqual([]);
	});
});

describe('parseSipgateEvent: bad input is refused with 400 naming the field', () => {
	it.each<[string, Record<string, unknown>, string]>([
		['no event', { callId: '1' }, 'event is required (one of newCall, answer, hangup, dtmf)'],
		['an unknown event', { event: 'ring', callId: '1' }, 'unknown event "ring" (expected one of newCall, answer, hangup, dtmf)'],
		['no callId', { event: 'newCall', from: '1' }, 'newCall: callId is required'],
		['a numeric callId', { event: 'hangup', callId: 17, cause: 'busy' }, 'hangup: callId must be a string, in quotes ("17", not 17)'],
		['a repeated callId', { event: 'newCall', callId: ['1', '2'] }, 'newCall: callId must be given once, got ["1","2"]'],
		['a too long callId', { event: 'newCall', callId: '9'.repeat(257) }, 'newCall: callId is longer than 256 characters'],
		[
			'a wrong direction',
			{ event: 'newCall', callId: '1', direction: 'inbound' },
			'newCall: unknown direction "inbound" (expected one of in, out)',
		],
		['a non-string user', { event: 'newCall', callId: '1', 'user[]': ['Alice', 7] }, 'newCall: user[1] must be a string, in quotes ("7", not 7)'],
		['a hangup without cause', { event: 'hangup', callId: '1' }, 'hangup: cause is required'],
		[
			'an unknown cause',
			{ event: 'hangup', callId: '1', cause: 'hungUp' },
			'hangup: unknown cause "hungUp" (expected one of normalClearing, busy, cancel, noAnswer, congestion, notFound, forwarded)',
		],
		[
			'an answer by two users',
			{ event: 'answer', callId: '1', 'user[]': ['Alice', 'Bob'] },
			'answer: user names 2 users; an answer has one',
		],
		['an answer by nobody', { event: 'answer', callId: '1' }, 'answer: user or answeringNumber is required'],
	])('%s', (_case, body, message) => {
		expect(rejection(body)).toEqual({ message, status: 400 });
	});

	it('a body that is not an object', () => {
		expect(rejection('event=newCall' as unknown as Record<string, unknown>)).toEqual({
			message: 'body must be a form or a JSON object',
			status: 400,
		});
	});
});

/** Feeds requests (form text, seconds after T0) as the webhook would, one assembler for all. */
function run(requests: Array<[string, number]>): TriggerRecord[] {
	const assembler = new CallAssembler();
	const callIds = new SipgateCallIds();
	const records = requests.flatMap(([text, seconds]) =>
		parseSipgateEvent(form(text), at(seconds), callIds).flatMap((event) => assembler.push(event)),
	);
	expect(assembler.pendingCount).toBe(0);
	return records;
}

describe('sipgate sequences through call assembly', () => {

	it('group call answered by Bob: one record at the answer, Alice answeredElsewhere', () => {
		expect(
			run([
				[NEW_CALL, 0],
				[ANSWER, 4],
				[HANGUP, 60],
			]),
		).toEqual([
			{
				kind: 'call',
				callId: '123456',
				direction: 'inbound',
				caller: { number: '+492111234567', name: '', restricted: false },
				called: '+4915791234567',
				startedAt: '2024-05-06T08:00:00.000Z',
				resolvedAt: '2024-05-06T08:00:04.000Z',
				outcome: 'answered',
				answeredBy: { line: 'w1', at: '2024-05-06T08:00:04.000Z', pickup: false },
				voicemail: null,
				incomplete: false,
				legs: [
					{
						line: 'w0',
						ringingFrom: '2024-05-06T08:00:00.000Z',
						ringingUntil: '2024-05-06T08:00:04.000Z',
						result: 'answeredElsewhere',
					},
					{
						line: 'w1',
						ringingFrom: '2024-05-06T08:00:00.000Z',
						ringingUntil: '2024-05-06T08:00:04.000Z',
						result: 'answered',
					},
				],
			},
		]);
	});

	it('the caller gives up (cancel): missed, both legs notAnswered until the hangup', () => {
		const records = run([
			[NEW_CALL, 0],
			[HANGUP.replace('normalClearing', 'cancel'), 12],
		]);
		expect(records).toHaveLength(1);
		const [record] = records;
		expect(record).toMatchObject({
			outcome: 'missed',
			resolvedAt: '2024-05-06T08:00:12.000Z',
			legs: [
				{
					line: 'w0',
					ringingFrom: '2024-05-06T08:00:00.000Z',
					ringingUntil: '2024-05-06T08:00:12.000Z',
					result: 'notAnswered',
				},
				{
					line: 'w1',
					ringingFrom: '2024-05-06T08:00:00.000Z',
					ringingUntil: '2024-05-06T08:00:12.000Z',
					result: 'notAnswered',
				},
			],
		});
	});

	it('busy without forward: the lines are busy, the call missed', () => {
		const records = run([
			[NEW_CALL, 0],
			[HANGUP.replace('normalClearing', 'busy'), 1],
		]);
		expect(records).toHaveLength(1);
		const [record] = records;
		expect(record).toMatchObject({ outcome: 'missed', resolvedAt: '2024-05-06T08:00:01.000Z' });
		expect(record.kind === 'call' && record.legs.map((l) => [l.line, l.result])).toEqual([
			['w0', 'busy'],
			['w1', 'busy'],
		]);
	});

	// FAQ "How is forwarding signaled?": Jennifer calls Doc Brown, his line is busy, the call is
	// forwarded to Marty, who picks up. The forwarded call has a new callId and carries origCallId.
	const jennifer = 'from=4921112345&to=4921199991&direction=in';
	const busyForward = (origKey: string): Array<[string, number]> => [
		[`event=newCall&${jennifer}&callId=12111955&user[]=Doc`, 0],
		[`event=hangup&cause=forwarded&${jennifer}&callId=12111955`, 1],
		[`event=newCall&${jennifer}&callId=21102015&${origKey}=12111955&user[]=Marty&diversion=4921199991`, 1.2],
		[`event=answer&${jennifer}&callId=21102015&${origKey}=12111955&user=Marty&diversion=4921199991`, 6],
		[`event=hangup&cause=normalClearing&${jennifer}&callId=21102015&${origKey}=12111955`, 90],
	];

	it.each(['origCallId', 'originalCallId'])('busy-forward (%s): one call, Doc diverted, Marty answered', (key) => {
		expect(run(busyForward(key))).toEqual([
			{
				kind: 'call',
				callId: '12111955',
				direction: 'inbound',
				caller: { number: '+4921112345', name: '', restricted: false },
				called: '+4921199991',
				startedAt: '2024-05-06T08:00:00.000Z',
				resolvedAt: '2024-05-06T08:00:06.000Z',
				outcome: 'answered',
				answeredBy: { line: 'Marty', at: '2024-05-06T08:00:06.000Z', pickup: false },
				voicemail: null,
				incomplete: false,
				legs: [
					{
						line: 'Doc',
						ringingFrom: '2024-05-06T08:00:00.000Z',
						ringingUntil: '2024-05-06T08:00:01.000Z',
						result: 'diverted',
					},
					{
						line: 'Marty',
						ringingFrom: '2024-05-06T08:00:01.200Z',
						ringingUntil: '2024-05-06T08:00:06.000Z',
						result: 'answered',
					},
				],
			},
		]);
	});

	// The API reference lists origCallId for newCall only: a forwarded call's answer and hangup may
	// come without it, and must still be filed under the first call (else it would wait out the
	// silence timeout as "missed" and mail Doc and Marty although Marty answered).
	it('busy-forward whose answer and hangup carry no origCallId: still one call, answered by Marty', () => {
		const requests = busyForward('origCallId').map(([text, seconds]): [string, number] => [
			text.startsWith('event=newCall') ? text : text.replace('&origCallId=12111955', ''),
			seconds,
		]);
		expect(requests[3][0]).not.toContain('origCallId');
		expect(run(requests)).toEqual(run(busyForward('origCallId')));
	});

	it('a forward of a forward that names the call it forwarded is still filed under the first call', () => {
		const callIds = new SipgateCallIds();
		const callIdOf = (text: string) => parseSipgateEvent(form(text), R, callIds)[0].callId;
		expect(callIdOf(`event=newCall&${jennifer}&callId=B&origCallId=A&user[]=Marty`)).toBe('A');
		expect(callIdOf(`event=newCall&${jennifer}&callId=C&origCallId=B&user[]=Biff`)).toBe('A');
		expect(callIdOf(`event=hangup&cause=normalClearing&${jennifer}&callId=C`)).toBe('A');
	});

	it('a refused newCall teaches nothing about its call id', () => {
		const callIds = new SipgateCallIds();
		expect(() => parseSipgateEvent({ event: 'newCall', callId: 'B', origCallId: 'A', user: [42] }, R, callIds)).toThrow(
			'newCall: user[0] must be a string',
		);
		expect(callIds.firstCallOf('B')).toBeUndefined();
	});

	it('busy-forward that Marty does not answer: missed once the forwarded call hangs up', () => {
		const requests = busyForward('origCallId').slice(0, 3);
		requests.push([`event=hangup&cause=noAnswer&${jennifer}&callId=21102015&origCallId=12111955`, 31.2]);
		const records = run(requests);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({
			callId: '12111955',
			outcome: 'missed',
			resolvedAt: '2024-05-06T08:00:31.200Z',
			legs: [
				{
					line: 'Doc',
					ringingFrom: '2024-05-06T08:00:00.000Z',
					ringingUntil: '2024-05-06T08:00:01.000Z',
					result: 'diverted',
				},
				{
					line: 'Marty',
					ringingFrom: '2024-05-06T08:00:01.200Z',
					ringingUntil: '2024-05-06T08:00:31.200Z',
					result: 'notAnswered',
				},
			],
		});
	});
});

// sipgate.io sends an `answer` when a voicemail box takes the call ("onAnswer: is triggered when a
// call is answered – either by a person or an automatic voicemail", sipgate-io/sipgateio-callevents-php
// README), with the user "voicemail" (Zammad's spec/requests/integration/sipgate_spec.rb). SPEC §2.3:
// a call that reached voicemail is missed. Read as an answer, nobody was mailed.
describe('sipgate voicemail', () => {
	const call = 'from=492111234567&to=4915791234567&direction=in';

	it('an answer by "voicemail" is a voicemail event, not an answer; one user id with it is the box', () => {
		for (const user of ['user=voicemail', 'user=Voicemail', 'user[]=voicemail']) {
			expect(parseSipgateEvent(form(`event=answer&callId=1&${call}&${user}`), R)).toEqual([
				{ ...base, callId: '1', type: 'voicemail' },
			]);
		}
		expect(parseSipgateEvent(form(`event=answer&callId=1&${call}&user=voicemail&userId=w0`), R)).toEqual([
			{ ...base, callId: '1', type: 'voicemail', line: 'w0' },
		]);
		// Outbound, the user is the caller.
		expect(parseSipgateEvent(form(`event=answer&callId=1&${call.replace('=in', '=out')}&user=voicemail`), R)).toEqual([
			expect.objectContaining({ type: 'answered', line: '+4915791234567' }),
		]);
	});

	it('the box of the called group takes the call: missed, both phones not answered', () => {
		const records = run([
			[NEW_CALL, 0],
			[`event=answer&callId=123456&${call}&user=voicemail`, 20],
			[HANGUP, 50],
		]);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ outcome: 'missed', answeredBy: null, resolvedAt: '2024-05-06T08:00:50.000Z' });
		expect(records[0].kind === 'call' && records[0].legs.map((leg) => [leg.line, leg.result, leg.ringingUntil])).toEqual([
			['w0', 'notAnswered', '2024-05-06T08:00:20.000Z'],
			['w1', 'notAnswered', '2024-05-06T08:00:20.000Z'],
		]);
	});

	// The trace in sipgate/sipgate.io issue #134: the user's phone rings 20 s, then sipgate forwards
	// to the voicemail as a new call whose only user is "voicemail".
	it('forwarded to the voicemail after ringing: missed, the phone diverted, no line "voicemail"', () => {
		const records = run([
			[`event=newCall&callId=A1&origCallId=A1&${call}&user[]=Ben&userId[]=w1`, 0],
			[`event=hangup&cause=forwarded&callId=A1&origCallId=A1&${call}`, 20],
			[`event=newCall&callId=B2&origCallId=A1&${call}&user[]=voicemail`, 20.2],
			[`event=answer&callId=B2&${call}&user=voicemail`, 20.5],
			[`event=hangup&cause=normalClearing&callId=B2&${call}`, 45],
		]);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ callId: 'A1', outcome: 'missed', answeredBy: null });
		expect(records[0].kind === 'call' && records[0].legs.map((leg) => [leg.line, leg.result])).toEqual([['w1', 'diverted']]);
	});
});

// sipgate.io pushes only newCall unless the answer to it names URLs for answer and hangup ("Per
// default, sipgate.io only sends webhooks for newCall events", sipgate-io/sipgateio-callevents-php
// README; developer.sipgate.io/push-api/api-reference/#the-xml-response).
describe('the answer to a newCall', () => {
	const url = 'https://n8n.example.com/webhook/sipgate';

	it('is only for newCall requests', () => {
		expect(sipgateNewCallAnswer(form('event=newCall&callId=1&from=492111234567'), url)).not.toBeNull();
		expect(sipgateNewCallAnswer(form('event=answer&callId=1'), url)).toBeNull();
		expect(sipgateNewCallAnswer(form('event=hangup&callId=1&cause=normalClearing'), url)).toBeNull();
		expect(sipgateNewCallAnswer(form('event=newCall&event=newCall'), url)).toBeNull();
		expect(sipgateNewCallAnswer(['newCall'], url)).toBeNull();
	});

	it("subscribes to the call's answer and hangup at the given URL, read back by an XML parser", () => {
		const withQuery = "https://pbx:p%40ss@n8n.example.com/webhook/sipgate?a=1&b='2'";
		const xml = sipgateNewCallAnswer({ event: 'newCall' }, withQuery)!;
		expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
		const elements = parseDocument(xml, { xmlMode: true }).children.filter((node) => node.type === 'tag');
		expect(elements).toEqual([expect.objectContaining({ name: 'Response', children: [] })]);
		expect((elements[0] as unknown as { attribs: Record<string, string> }).attribs).toEqual({
			onAnswer: withQuery,
			onHangup: withQuery,
		});
	});

	// n8n names its webhooks by localhost unless WEBHOOK_URL is set: behind a proxy sipgate.io
	// reaches the newCall, but would send answer and hangup nowhere.
	it('a loopback callback URL is named as unreachable', () => {
		for (const host of ['localhost:5678', '127.0.0.1:5678', '[::1]:5678']) {
			expect(unreachableCallback(`http://${host}/webhook/sipgate`)).toMatch(/cannot reach: set n8n's WEBHOOK_URL/);
		}
		expect(unreachableCallback(url)).toBeNull();
	});
});
