/**
 * AmiCallMapper: AMI events → CallEvents (SPEC §2.2).
 *
 * The first part replays the real captures in ../shared/fixtures/ami, from the public repository
 * sweeney/asterisk-mqtt (testdata/fixtures/*.raw, commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44,
 * MIT licence). The expected events were worked out by reading the raw files: message N of a
 * capture is fed with receivedAt = T0 + N seconds, so an expected time names the message that
 * caused it. The rest uses hand-written events for what the captures do not show (Local channels,
 * queues, pickup, trunks, reconnects).
 */
import {
	AmiCallMapper,
	parseInternalContexts,
	type AmiCallMapperOptions,
} from '../../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import { AmiParser, type AmiMessage } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import type { CallEvent } from '../../../nodes/shared/callModel';
import {
	chan,
	dialBegin,
	dialEnd,
	event,
	hangup,
	newchannel,
	snapshot,
	type Snapshot,
} from './amiEvents';
import { readCapture } from './captures';

const T0 = Date.UTC(2026, 1, 12, 9, 30, 0);
const at = (index: number) => T0 + index * 1000;

/** Feeds message N at T0 + N s and collects every CallEvent. */
function mapAll(messages: AmiMessage[], options?: AmiCallMapperOptions): CallEvent[] {
	const mapper = new AmiCallMapper(options);
	return messages.flatMap((message, index) => mapper.map(message, at(index)));
}

describe('AmiCallMapper on the captures', () => {
	const parse = (name: Parameters<typeof readCapture>[0]) =>
		new AmiParser().push(readCapture(name));
	const martin = { number: '1986', name: 'Martin', restricted: false };

	it('hunt group 666: offered, six device legs ringing then NOANSWER, the caller hangs up', () => {
		const callId = '1770888635.49';
		const lines = ['11', '12', '21', '41', '42', '51'];
		expect(mapAll(parse('unanswered-huntgroup'))).toEqual([
			// Sent with the first DialBegin (message 13), timed at the caller's Newchannel (0).
			{
				type: 'offered',
				callId,
				time: at(0),
				caller: martin,
				called: '666',
				direction: 'internal',
			},
			...lines.map((line, i) => ({ type: 'ringing', callId, time: at(13 + i), line })),
			...lines.map((line, i) => ({
				type: 'stopped',
				callId,
				time: at(39 + i),
				line,
				reason: 'noAnswer',
			})),
			// Messages 45–51 are the phones' own hangups: only the caller's (52) ends the call.
			{ type: 'ended', callId, time: at(52) },
		]);
	});

	it('cancel: one phone rings, the caller hangs up first (DialEnd CANCEL)', () => {
		const callId = '1770888559.46';
		expect(mapAll(parse('unanswered-cancel'))).toEqual([
			{ type: 'offered', callId, time: at(0), caller: martin, called: '21', direction: 'internal' },
			{ type: 'ringing', callId, time: at(5), line: '21' },
			{ type: 'stopped', callId, time: at(10), line: '21', reason: 'cancelled' },
			{ type: 'ended', callId, time: at(14) },
		]);
	});

	it('answered internal call: 21 (Kitchen) calls 1986, who answers', () => {
		const callId = '1770888534.43';
		expect(mapAll(parse('answered-internal'))).toEqual([
			{
				type: 'offered',
				callId,
				time: at(0),
				caller: { number: '21', name: 'Kitchen', restricted: false },
				called: '1986',
				direction: 'internal',
			},
			{ type: 'ringing', callId, time: at(5), line: '1986' },
			{ type: 'answered', callId, time: at(10), line: '1986' },
			// 1986's channel hangs up first (24); the caller's hangup (26) ends the call.
			{ type: 'ended', callId, time: at(26) },
		]);
	});

	it('"answered-outbound": 1986 calls 21, both phones of the PBX, so internal', () => {
		// The capture's README calls it outbound (1986 placed it); on the wire both ends are PJSIP
		// extensions in from-internal and the dial string is a phone's contact, not a trunk.
		const callId = '1770888509.40';
		expect(mapAll(parse('answered-outbound'))).toEqual([
			{ type: 'offered', callId, time: at(0), caller: martin, called: '21', direction: 'internal' },
			{ type: 'ringing', callId, time: at(5), line: '21' },
			{ type: 'answered', callId, time: at(10), line: '21' },
			{ type: 'ended', callId, time: at(22) },
		]);
	});

	it('a Timestamp field (timestampevents=yes) wins over the time of receipt', () => {
		const messages = parse('unanswered-cancel').map((message, index) => ({
			...message,
			Timestamp: `${1770888559 + index}.250000`,
		}));
		const events = mapAll(messages);
		expect(events.map((e) => e.time)).toEqual([
			1770888559250,
			1770888564250,
			1770888569250,
			1770888573250,
		]);
	});
});

describe('AmiCallMapper: a Timestamp no clock can be right with', () => {
	// As the webhook refuses such times: a call dated 2036 would hold back the repeat rule "while not
	// logged in" until then. The time of receipt is the better guess.
	it.each([
		['ten years ahead', (index: number) => `${2111000000 + index}.000000`],
		['a zero', () => '0.000000'],
	])('%s: the time of receipt', (_, stamp) => {
		const messages = new AmiParser().push(readCapture('unanswered-cancel')).map((message, index) => ({ ...message, Timestamp: stamp(index) }));
		const events = mapAll(messages);
		expect(events.length).toBeGreaterThan(0);
		for (const event of events) expect(event.time).toBeGreaterThanOrEqual(T0);
		for (const event of events) expect(event.time).toBeLessThan(T0 + 3_600_000);
	});
});

describe('AmiCallMapper: ring groups through Local channels', () => {
	const trunk = {
		channel: 'PJSIP/sipgate-00000001',
		uniqueid: '100.1',
		linkedid: '100.1',
		num: '+4917612345',
		name: 'Erika Muster',
		context: 'from-pstn',
		exten: '4989123456',
	};
	const local1 = chan('Local/600@from-internal-00000001;1', '100.2', '100.1');
	const local2 = chan('Local/600@from-internal-00000001;2', '100.3', '100.1');
	const phone201 = chan('PJSIP/201-00000002', '100.4', '100.1');
	const phone202 = chan('PJSIP/202-00000003', '100.5', '100.1');

	it('the helper is no line; the phones behind it are; colleagues are not "cancelled"', () => {
		const callId = '100.1';
		expect(
			mapAll([
				newchannel(trunk),
				dialBegin(trunk, local1, '600@from-internal/n'),
				dialBegin(local2, phone201, '201/sip:201@192.0.2.10:5060'),
				dialBegin(local2, phone202, '202/sip:202@192.0.2.11:5060'),
				dialEnd(local2, phone202, 'ANSWER'),
				dialEnd(local2, phone201, 'CANCEL'),
				dialEnd(trunk, local1, 'ANSWER'),
				hangup(phone201),
				hangup(trunk),
			]),
		).toEqual([
			{
				type: 'offered',
				callId,
				time: at(0),
				caller: { number: '+4917612345', name: 'Erika Muster', restricted: false },
				called: '4989123456',
				direction: 'inbound',
			},
			{ type: 'ringing', callId, time: at(2), line: '201' },
			{ type: 'ringing', callId, time: at(3), line: '202' },
			{ type: 'answered', callId, time: at(4), line: '202' },
			{ type: 'ended', callId, time: at(8) },
		]);
	});

	it('BUSY, CONGESTION and CHANUNAVAIL stop a leg as busy / rejected / rejected', () => {
		const phones = ['201', '202', '203'].map((line, i) => ({
			channel: `PJSIP/${line}-0000000${i}`,
			uniqueid: `100.${10 + i}`,
			linkedid: '100.1',
		}));
		const events = mapAll([
			newchannel(trunk),
			...phones.map((p) => dialBegin(trunk, p, `${p.channel.slice(6, 9)}/sip:x@192.0.2.1`)),
			dialEnd(trunk, phones[0], 'BUSY'),
			dialEnd(trunk, phones[1], 'CONGESTION'),
			dialEnd(trunk, phones[2], 'CHANUNAVAIL'),
		]);
		expect(events.filter((e) => e.type === 'stopped')).toEqual([
			{ type: 'stopped', callId: '100.1', time: at(4), line: '201', reason: 'busy' },
			{ type: 'stopped', callId: '100.1', time: at(5), line: '202', reason: 'rejected' },
			{ type: 'stopped', callId: '100.1', time: at(6), line: '203', reason: 'rejected' },
		]);
	});

	it('one line ringing on two devices is one leg; it stops with the more telling reason', () => {
		const deskPhone = chan('PJSIP/201-0000000a', '100.20', '100.1');
		const softPhone = chan('PJSIP/201-0000000b', '100.21', '100.1');
		const events = mapAll([
			newchannel(trunk),
			dialBegin(trunk, deskPhone, '201/sip:201@192.0.2.10:5060'),
			dialBegin(trunk, softPhone, '201/sip:201@192.0.2.99:5060'),
			dialEnd(trunk, softPhone, 'CANCEL'),
			dialEnd(trunk, deskPhone, 'NOANSWER'),
		]);
		expect(events.slice(1)).toEqual([
			{ type: 'ringing', callId: '100.1', time: at(1), line: '201' },
			{ type: 'stopped', callId: '100.1', time: at(4), line: '201', reason: 'noAnswer' },
		]);
	});

	it('a forwarding phone (DialEnd with Forward) is diverted to the forward target', () => {
		const events = mapAll([
			newchannel(trunk),
			dialBegin(trunk, phone201, '201/sip:201@192.0.2.10:5060'),
			dialEnd(trunk, phone201, 'CANCEL', { Forward: 'PJSIP/0171555@sipgate' }),
		]);
		expect(events[2]).toEqual({
			type: 'diverted',
			callId: '100.1',
			time: at(2),
			line: '201',
			to: '0171555',
		});
	});

	it('ignores statuses it does not know, even ones named like object properties', () => {
		const events = mapAll([
			newchannel(trunk),
			dialBegin(trunk, phone201, '201/sip:201@192.0.2.10:5060'),
			dialEnd(trunk, phone201, 'constructor'),
			dialEnd(trunk, phone201, 'CONTINUE'),
		]);
		expect(events.map((e) => e.type)).toEqual(['offered', 'ringing']);
	});
});

describe('AmiCallMapper: pickup', () => {
	const anna = {
		channel: 'PJSIP/201-00000010',
		uniqueid: '300.1',
		linkedid: '300.1',
		num: '201',
		name: 'Anna',
		context: 'from-internal',
		exten: '202',
	};
	const ringing202 = chan('PJSIP/202-00000011', '300.2', '300.1');
	const picker = {
		channel: 'PJSIP/203-00000012',
		uniqueid: '310.1',
		linkedid: '310.1',
		num: '203',
		exten: '*8',
	};
	const pickup = event('Pickup', snapshot('', picker), snapshot('Target', ringing202), {
		TargetConnectedLineNum: '201',
		TargetConnectedLineName: 'Anna',
	});

	it('203 picks up the call ringing at 202: answered by 203 with pickup, from 202', () => {
		expect(
			mapAll([
				newchannel(anna),
				dialBegin(anna, ringing202, '202/sip:202@192.0.2.11:5060'),
				newchannel(picker),
				pickup,
				// The dialler now sees its peer (the picked-up channel) answer: not 202's answer.
				dialEnd(anna, ringing202, 'ANSWER'),
				hangup(picker),
				hangup(anna),
			]),
		).toEqual([
			{
				type: 'offered',
				callId: '300.1',
				time: at(0),
				caller: { number: '201', name: 'Anna', restricted: false },
				called: '202',
				direction: 'internal',
			},
			{ type: 'ringing', callId: '300.1', time: at(1), line: '202' },
			{ type: 'answered', callId: '300.1', time: at(3), line: '203', pickup: true, from: '202' },
			{ type: 'ended', callId: '300.1', time: at(6) },
		]);
	});

	it('a pickup of a call not seen before (after a reconnect) still names the caller', () => {
		expect(mapAll([pickup])).toEqual([
			{
				type: 'offered',
				callId: '300.1',
				time: at(0),
				caller: { number: '201', name: 'Anna', restricted: false },
				called: '',
				direction: 'inbound',
			},
			{ type: 'answered', callId: '300.1', time: at(0), line: '203', pickup: true, from: '202' },
		]);
	});
});

describe('AmiCallMapper: queues', () => {
	const caller = {
		channel: 'PJSIP/sipgate-00000020',
		uniqueid: '400.1',
		linkedid: '400.1',
		num: '+4930555',
		context: 'from-pstn',
		exten: '4989123400',
	};
	const memberLocal1 = chan('Local/201@from-queue-00000005;1', '400.2', '400.1');
	const memberLocal2 = chan('Local/201@from-queue-00000005;2', '400.3', '400.1');
	const phone201 = chan('PJSIP/201-0000000b', '400.4', '400.1');
	const phone202 = chan('PJSIP/202-0000000c', '400.5', '400.1');
	const memberLocal1Again = chan('Local/201@from-queue-00000006;1', '400.6', '400.1');
	const agent = (name: string, dest: Snapshot, memberInterface: string) =>
		event(name, snapshot('', caller), snapshot('Dest', dest), {
			Queue: 'support',
			MemberName: memberInterface,
			Interface: memberInterface,
		});

	it('members ring, time out, ring again and answer; Local and device paths make one leg', () => {
		const callId = '400.1';
		expect(
			mapAll([
				newchannel(caller),
				agent('AgentCalled', memberLocal1, 'Local/201@from-queue/n'),
				dialBegin(caller, memberLocal1, '201@from-queue/n'),
				dialBegin(memberLocal2, phone201, '201/sip:201@192.0.2.10:5060'),
				agent('AgentCalled', phone202, 'PJSIP/202'),
				dialBegin(caller, phone202, '202/sip:202@192.0.2.11:5060'),
				agent('AgentRingNoAnswer', memberLocal1, 'Local/201@from-queue/n'),
				dialEnd(memberLocal2, phone201, 'CANCEL'),
				agent('AgentRingNoAnswer', phone202, 'PJSIP/202'),
				dialEnd(caller, phone202, 'NOANSWER'),
				agent('AgentCalled', memberLocal1Again, 'Local/201@from-queue/n'),
				agent('AgentConnect', memberLocal1Again, 'Local/201@from-queue/n'),
				hangup(caller),
			]),
		).toEqual([
			{
				type: 'offered',
				callId,
				time: at(0),
				caller: { number: '+4930555', restricted: false },
				called: '4989123400',
				direction: 'inbound',
			},
			{ type: 'ringing', callId, time: at(1), line: '201' },
			{ type: 'ringing', callId, time: at(4), line: '202' },
			// 201 rang on its Local member and its phone: it stops when both have, as "no answer".
			{ type: 'stopped', callId, time: at(7), line: '201', reason: 'noAnswer' },
			{ type: 'stopped', callId, time: at(8), line: '202', reason: 'noAnswer' },
			{ type: 'ringing', callId, time: at(10), line: '201' },
			{ type: 'answered', callId, time: at(11), line: '201' },
			{ type: 'ended', callId, time: at(12) },
		]);
	});

	it('a plain-Asterisk member (`PJSIP/202`, app_queue dials its interface) is a phone: a colleague calling the queue is internal', () => {
		const colleague = chan('PJSIP/203-0000000d', '401.1', '401.1', { num: '203', name: 'Cleo', exten: '400' });
		const phone = chan('PJSIP/202-0000000e', '401.2', '401.1');
		const member = (name: string) =>
			event(name, snapshot('', colleague), snapshot('Dest', phone), { Queue: 'support', MemberName: 'PJSIP/202', Interface: 'PJSIP/202' });
		const events = mapAll([
			newchannel(colleague),
			member('AgentCalled'),
			dialBegin(colleague, phone, 'PJSIP/202'),
			member('AgentRingNoAnswer'),
			dialEnd(colleague, phone, 'NOANSWER'),
			event('QueueCallerAbandon', snapshot('', colleague), { Queue: 'support', Position: '1' }),
			hangup(colleague),
		]);
		expect(events.map((e) => [e.type, 'line' in e ? e.line : undefined, 'direction' in e ? e.direction : undefined])).toEqual([
			['offered', undefined, 'internal'],
			['ringing', '202', undefined],
			['stopped', '202', undefined],
			['ended', undefined, undefined],
		]);
	});

	it('QueueCallerAbandon ends the call; the cancels and hangup after it add nothing', () => {
		const events = mapAll([
			newchannel(caller),
			agent('AgentCalled', phone202, 'PJSIP/202'),
			event('QueueCallerAbandon', snapshot('', caller), { Queue: 'support', Position: '1' }),
			dialEnd(caller, phone202, 'CANCEL'),
			hangup(caller),
		]);
		expect(events.map((e) => [e.type, e.time])).toEqual([
			['offered', at(0)],
			['ringing', at(1)],
			['ended', at(2)],
		]);
	});
});

describe('AmiCallMapper: caller and direction', () => {
	const phone = (overrides: Partial<Snapshot> = {}): Snapshot => ({
		channel: 'PJSIP/201-00000030',
		uniqueid: '600.1',
		linkedid: '600.1',
		num: '201',
		name: 'Anna',
		context: 'from-internal',
		exten: '004930123456',
		...overrides,
	});
	const sipgate = chan('PJSIP/sipgate-00000031', '600.2', '600.1');
	const phone202 = chan('PJSIP/202-00000032', '600.3', '600.1');

	it('a phone dialling out through a PJSIP trunk: outbound, the leg is the number dialled', () => {
		const callId = '600.1';
		expect(
			mapAll([
				newchannel(phone()),
				dialBegin(phone(), sipgate, '004930123456@sipgate'),
				dialEnd(phone(), sipgate, 'ANSWER'),
				hangup(phone()),
			]),
		).toEqual([
			{
				type: 'offered',
				callId,
				time: at(0),
				caller: { number: '201', name: 'Anna', restricted: false },
				called: '004930123456',
				direction: 'outbound',
			},
			{ type: 'ringing', callId, time: at(1), line: '004930123456' },
			{ type: 'answered', callId, time: at(2), line: '004930123456' },
			{ type: 'ended', callId, time: at(3) },
		]);
	});

	it('chan_sip and DAHDI trunk dial strings (trunk/number) are outbound too', () => {
		const sipTrunk = chan('SIP/sipgate-00000040', '600.2', '600.1');
		const dahdi = chan('DAHDI/1-1', '600.2', '600.1');
		for (const [dest, dialString] of [
			[sipTrunk, 'sipgate/004930123456'],
			[dahdi, 'g0/004930123456'],
		] as const) {
			const events = mapAll([newchannel(phone()), dialBegin(phone(), dest, dialString)]);
			expect(events.map((e) => e.direction ?? e.line)).toEqual(['outbound', '004930123456']);
		}
	});

	it('a call arriving from a trunk context is inbound; a phone calling a phone is internal', () => {
		const fromTrunk = phone({ channel: 'PJSIP/sipgate-00000033', context: 'from-pstn' });
		expect(mapAll([newchannel(fromTrunk), dialBegin(fromTrunk, phone202, '202/sip:202@h')])[0])
			.toMatchObject({ direction: 'inbound' });
		expect(mapAll([newchannel(phone()), dialBegin(phone(), phone202, '202/sip:202@h')])[0])
			.toMatchObject({ direction: 'internal' });
	});

	it('trunkPattern names trunks that dial strings and contexts do not give away', () => {
		// A plain Asterisk whose trunk "telekom" lands in a context shared with the phones.
		const telekomIn = phone({
			channel: 'PJSIP/telekom-00000050',
			context: 'incoming',
			num: '+4930777',
		});
		const options = { internalContexts: [], trunkPattern: '^telekom$' };
		const inbound = [newchannel(telekomIn), dialBegin(telekomIn, phone202, '202/sip:202@h')];
		expect(mapAll(inbound, { internalContexts: [] })[0]).toMatchObject({ direction: 'internal' });
		expect(mapAll(inbound, options)[0]).toMatchObject({ direction: 'inbound' });

		const telekomOut = chan('PJSIP/telekom-00000052', '600.2', '600.1');
		const outbound = [
			newchannel(phone()),
			dialBegin(phone(), telekomOut, 'telekom/sip:004930123@sip.telekom.de'),
		];
		expect(mapAll(outbound).map((e) => e.direction ?? e.line)).toEqual(['internal', 'telekom']);
		expect(mapAll(outbound, options).map((e) => e.direction ?? e.line)).toEqual([
			'outbound',
			'004930123',
		]);
	});

	it('internalContexts replaces the FreePBX default', () => {
		const inPhones = phone({ context: 'phones' });
		const calls = (p: Snapshot) => [newchannel(p), dialBegin(p, phone202, '202/sip:202@h')];
		const options = { internalContexts: ['phones'] };
		expect(mapAll(calls(inPhones), options)[0]).toMatchObject({ direction: 'internal' });
		expect(mapAll(calls(phone()), options)[0]).toMatchObject({ direction: 'inbound' });
	});

	it('an emptied Internal Contexts field means the default, so a trunk call stays inbound', () => {
		const fromTrunk = phone({ channel: 'PJSIP/sipgate-00000033', context: 'from-pstn' });
		const calls = (p: Snapshot) => [newchannel(p), dialBegin(p, phone202, '202/sip:202@h')];
		const direction = (p: Snapshot, typed: string | undefined) =>
			mapAll(calls(p), { internalContexts: parseInternalContexts(typed) })[0].direction;
		for (const typed of [undefined, '', '  ', ' , ']) {
			expect(direction(fromTrunk, typed)).toBe('inbound');
			expect(direction(phone(), typed)).toBe('internal');
		}
		expect(direction(phone({ context: 'phones' }), ' phones , office ')).toBe('internal');
		expect(direction(phone(), ' phones , office ')).toBe('inbound');
		// `*`: any context, so without a Trunk Pattern the trunk looks like a phone.
		expect(direction(fromTrunk, '*')).toBe('internal');
	});

	it('rejects a trunk pattern that is no regular expression', () => {
		expect(() => new AmiCallMapper({ trunkPattern: '(' })).toThrow(/^Options → Trunk Pattern: "\(" is not a valid regular expression/);
	});

	it.each([
		['<unknown>', '<unknown>', undefined, { number: '', restricted: true }],
		['', '', undefined, { number: '', restricted: true }],
		[
			'anonymous',
			'Anonymous',
			undefined,
			{ number: 'anonymous', name: 'Anonymous', restricted: true },
		],
		[
			'+4930555',
			'Erika',
			'32 (Presentation Restricted, Not Screened)',
			{ number: '+4930555', name: 'Erika', restricted: true },
		],
		[
			'+4930555',
			'Erika',
			'0 (Presentation Allowed, Not Screened)',
			{ number: '+4930555', name: 'Erika', restricted: false },
		],
	])('caller %j / %j / presentation %j', (num, name, presentation, expected) => {
		const caller = phone({ channel: 'PJSIP/sipgate-00000033', context: 'from-pstn' });
		const messages = [newchannel(caller)];
		if (presentation) {
			messages.push(
				event('NewCallerid', snapshot('', { ...caller, num, name }), {
					'CID-CallingPres': presentation,
				}),
			);
		} else {
			messages[0] = newchannel({ ...caller, num, name });
		}
		messages.push(dialBegin(caller, phone202, '202/sip:202@h'));
		expect(mapAll(messages)[0].caller).toEqual(expected);
	});
});

describe('AmiCallMapper: reconnects and bounds', () => {
	const caller = {
		channel: 'PJSIP/sipgate-00000060',
		uniqueid: '700.1',
		linkedid: '700.1',
		num: '+4930555',
		name: 'Erika',
		context: 'from-pstn',
		exten: '4989123456',
	};
	const phone201 = chan('PJSIP/201-00000061', '700.2', '700.1');

	it('a DialEnd and Hangup of a call whose start was missed still make a call', () => {
		expect(mapAll([dialEnd(caller, phone201, 'NOANSWER'), hangup(caller)])).toEqual([
			{
				type: 'offered',
				callId: '700.1',
				time: at(0),
				caller: { number: '+4930555', name: 'Erika', restricted: false },
				// The DialEnd's Exten: the Newchannel with the dialled number was missed.
				called: '4989123456',
				direction: 'inbound',
			},
			{ type: 'stopped', callId: '700.1', time: at(0), line: '201', reason: 'noAnswer' },
			{ type: 'ended', callId: '700.1', time: at(1) },
		]);
	});

	it('with Asterisk\'s own unique ids (epoch.counter), a leg whose DialBegin was lost rang from its channel\'s creation', () => {
		// T0 is 1770888600 s: the caller's channel was made at T0, the phone's one second later.
		const epochCaller = { ...caller, uniqueid: '1770888600.10', linkedid: '1770888600.10' };
		const epochPhone = chan('PJSIP/201-00000062', 'pbx1-1770888601.11', '1770888600.10');
		const mapper = new AmiCallMapper();
		const events = [
			...mapper.map(dialEnd(epochCaller, epochPhone, 'NOANSWER'), at(21)),
			...mapper.map(hangup(epochCaller), at(22)),
		];
		expect(events.map((e) => [e.type, e.time, 'line' in e ? e.line : undefined])).toEqual([
			['offered', at(0), undefined],
			['ringing', at(1), '201'],
			['stopped', at(21), '201'],
			['ended', at(22), undefined],
		]);
		// An id that is not Asterisk's own form, or a creation more than an hour back, tells nothing.
		const other = new AmiCallMapper();
		const originated = chan('PJSIP/201-00000063', 'my-originate-id', '1770888600.20');
		expect(other.map(dialEnd({ ...epochCaller, uniqueid: '1770888600.20', linkedid: '1770888600.20' }, originated, 'NOANSWER'), at(21)).map((e) => e.type)).toEqual(['offered', 'stopped']);
		expect(new AmiCallMapper().map(dialEnd(epochCaller, epochPhone, 'NOANSWER'), at(3700)).map((e) => [e.type, e.time])).toEqual([
			['offered', at(3700)],
			['stopped', at(3700)],
		]);
		// A status that leaves the leg to the Hangup (CONTINUE, GOTO) starts no ringing that nothing would end.
		for (const status of ['CONTINUE', 'GOTO', '']) {
			expect(new AmiCallMapper().map(dialEnd(epochCaller, epochPhone, status), at(21)).map((e) => e.type)).toEqual(['offered']);
		}
	});

	it('a hangup of a call never seen, or of one that never dialled, is no call', () => {
		expect(mapAll([hangup(caller)])).toEqual([]);
		expect(mapAll([newchannel(caller), hangup(caller)])).toEqual([]);
	});

	it('events of a call that is over start nothing new', () => {
		const events = mapAll([
			newchannel(caller),
			dialBegin(caller, phone201, '201/sip:201@h'),
			hangup(caller),
			dialEnd(caller, phone201, 'CANCEL'),
			hangup(phone201),
		]);
		expect(events.map((e) => e.type)).toEqual(['offered', 'ringing', 'ended']);
	});

	it('keeps at most maxCalls calls, forgets the oldest, and nothing once calls end', () => {
		const mapper = new AmiCallMapper({ maxCalls: 3 });
		const callers = [1, 2, 3, 4, 5].map((n) => ({
			...caller,
			uniqueid: `80${n}.1`,
			linkedid: `80${n}.1`,
		}));
		for (const c of callers) mapper.map(newchannel(c), T0);
		expect(mapper.trackedCalls).toBe(3);
		// 801 was forgotten: its dial is a call seen for the first time, timed now.
		const dial = dialBegin(callers[0], { ...phone201, linkedid: '801.1' }, '201');
		const [offered] = mapper.map(dial, at(9));
		expect(offered).toMatchObject({ type: 'offered', callId: '801.1', time: at(9) });
		for (const c of callers) mapper.map(hangup(c), T0);
		expect(mapper.trackedCalls).toBe(0);
	});
});

describe('AmiCallMapper: presence from registrations', () => {
	const contact = (status: string, endpoint = '201') =>
		event('ContactStatus', {
			URI: `sip:${endpoint}@192.0.2.10:5060`,
			ContactStatus: status,
			AOR: endpoint,
			EndpointName: endpoint,
		});
	const peer = (status: string, peerName = 'PJSIP/201') =>
		event('PeerStatus', {
			ChannelType: peerName.split('/')[0],
			Peer: peerName,
			PeerStatus: status,
		});

	it('is off by default', () => {
		expect(mapAll([contact('Created'), peer('Unreachable')])).toEqual([]);
	});

	it('turns registrations into login/logout, once per change', () => {
		const events = mapAll(
			[
				contact('Created'),
				peer('Reachable'),
				contact('Removed'),
				peer('Unreachable'),
				peer('Lagged'),
				peer('Registered', 'SIP/202'),
				peer('Unregistered', 'SIP/202'),
			],
			{ presenceFromRegistrations: true },
		);
		expect(events).toEqual([
			{ type: 'login', line: '201', time: at(0) },
			{ type: 'logout', line: '201', time: at(2) },
			{ type: 'login', line: '202', time: at(5) },
			{ type: 'logout', line: '202', time: at(6) },
		]);
	});

	it('leaves trunks out when trunkPattern names them', () => {
		const options = { presenceFromRegistrations: true, trunkPattern: '^sipgate$' };
		expect(mapAll([contact('Created', 'sipgate')], options)).toEqual([]);
	});
});

describe('AmiCallMapper: reconfigure (the workflow published again)', () => {
	const caller = chan('PJSIP/sipgate-00000090', '900.1', '900.1', {
		num: '+4930555',
		name: 'Erika',
		context: 'from-pstn',
		exten: '4989123456',
	});
	// FreePBX dials at extension `s`: the number dialled is in the Newchannel only.
	const dialling = { ...caller, context: 'macro-dial-one', exten: 's' };
	const phone201 = chan('PJSIP/201-00000091', '900.2', '900.1');

	it('keeps the calls it tracks and those it finished; the new options apply from then on', () => {
		const mapper = new AmiCallMapper();
		const finished = { ...caller, uniqueid: '899.1', linkedid: '899.1' };
		const finishedPhone = chan('PJSIP/202-00000089', '899.2', '899.1');
		mapper.map(newchannel(finished), at(0));
		mapper.map(dialBegin(finished, finishedPhone, '202'), at(0));
		mapper.map(hangup(finished), at(1));
		mapper.map(newchannel(caller), at(2));
		expect(mapper.map(dialBegin(dialling, phone201, '201'), at(3)).map((e) => e.type)).toEqual(['offered', 'ringing']);

		mapper.reconfigure({ internalContexts: ['phones'], trunkPattern: '^sipgate$', maxCalls: 500 });
		expect([
			...mapper.map(dialEnd(finished, finishedPhone, 'CANCEL'), at(4)),
			...mapper.map(dialEnd(dialling, phone201, 'NOANSWER'), at(20)),
			...mapper.map(hangup(caller), at(21)),
		]).toEqual([
			{ type: 'stopped', callId: '900.1', time: at(20), line: '201', reason: 'noAnswer' },
			{ type: 'ended', callId: '900.1', time: at(21) },
		]);
		// A phone in `phones` calling out through sipgate, dialled like a phone: outbound now.
		const fromPhone = chan('PJSIP/203-00000092', '901.1', '901.1', { num: '203', context: 'phones' });
		const sipgate = chan('PJSIP/sipgate-00000093', '901.2', '901.1');
		mapper.map(newchannel(fromPhone), at(30));
		expect(mapper.map(dialBegin(fromPhone, sipgate, 'sipgate/sip:004930123@sipgate.de'), at(31))).toEqual([
			expect.objectContaining({ type: 'offered', direction: 'outbound' }),
			{ type: 'ringing', callId: '901.1', time: at(31), line: '004930123' },
		]);
	});

	it('a lower maxCalls forgets the oldest calls, as tracking one more would', () => {
		const mapper = new AmiCallMapper({ maxCalls: 10 });
		const callers = [1, 2, 3, 4, 5].map((n) => ({ ...caller, uniqueid: `91${n}.1`, linkedid: `91${n}.1` }));
		for (const c of callers) mapper.map(newchannel(c), at(0));
		mapper.reconfigure({ maxCalls: 3 });
		expect(mapper.trackedCalls).toBe(3);
		// 911 was forgotten: its dial is a call seen for the first time, timed now; 915 is still known.
		const dial = (c: Snapshot) => dialBegin(c, { ...phone201, linkedid: c.linkedid }, '201');
		expect(mapper.map(dial(callers[0]), at(9))[0]).toMatchObject({ callId: '911.1', time: at(9) });
		expect(mapper.map(dial(callers[4]), at(9))[0]).toMatchObject({ callId: '915.1', time: at(0) });
	});

	it('refuses a trunk pattern that is no regular expression and keeps the options it had', () => {
		const mapper = new AmiCallMapper({ trunkPattern: '^sipgate$' });
		expect(() => mapper.reconfigure({ trunkPattern: '(' })).toThrow(/^Options → Trunk Pattern: "\(" is not a valid regular expression/);
		// A trunk dialled like a phone is still known as one: its leg is the number dialled.
		const sipgate = chan('PJSIP/sipgate-00000094', '900.3', '900.1');
		mapper.map(newchannel(caller), at(0));
		expect(mapper.map(dialBegin(dialling, sipgate, 'sipgate/sip:004930123@sipgate.de'), at(1))[1]).toEqual({
			type: 'ringing',
			callId: '900.1',
			time: at(1),
			line: '004930123',
		});
	});

	it('presence from registrations turned off and on again reports the next change, whatever was seen before', () => {
		const contact = (status: string) =>
			event('ContactStatus', { URI: 'sip:201@192.0.2.10:5060', ContactStatus: status, AOR: '201', EndpointName: '201' });
		const mapper = new AmiCallMapper({ presenceFromRegistrations: true });
		expect(mapper.map(contact('Created'), at(0))).toEqual([{ type: 'login', line: '201', time: at(0) }]);
		mapper.reconfigure({ presenceFromRegistrations: false });
		// Unseen while off: 201 went away.
		expect(mapper.map(contact('Removed'), at(1))).toEqual([]);
		mapper.reconfigure({ presenceFromRegistrations: true });
		expect(mapper.map(contact('Created'), at(2))).toEqual([{ type: 'login', line: '201', time: at(2) }]);
	});
});
