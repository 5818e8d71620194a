import {
	CallAssembler,
	type CallAssemblerOptions,
} from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import type { CallEvent, CallRecord, TriggerRecord } from '../../../nodes/shared/callModel';
import { at, ev } from './events';

const offered = ev(0, 'offered', {
	caller: { number: '+49301234567', name: 'Max Muster' },
	called: '+49891234200',
	direction: 'inbound',
});

/** The fields every scenario below shares; each test writes the rest of the record by hand. */
function callRecord(fields: Partial<CallRecord>): CallRecord {
	return {
		kind: 'call',
		callId: 'c1',
		direction: 'inbound',
		caller: { number: '+49301234567', name: 'Max Muster', restricted: false },
		called: '+49891234200',
		startedAt: '2024-05-06T08:00:00.000Z',
		resolvedAt: '',
		outcome: 'missed',
		answeredBy: null,
		voicemail: null,
		incomplete: false,
		legs: [],
		...fields,
	};
}

function pushAll(events: CallEvent[], options?: CallAssemblerOptions) {
	const assembler = new CallAssembler(options);
	const records: TriggerRecord[] = [];
	for (const event of events) records.push(...assembler.push(event));
	return { assembler, records };
}

describe('CallAssembler: resolution', () => {
	it('parallel ringing, answered: resolves at the answer without waiting for the hang-up', () => {
		const { assembler, records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(8, 'answered', { line: '202' }),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:08.000Z',
				outcome: 'answered',
				answeredBy: { line: '202', at: '2024-05-06T08:00:08.000Z', pickup: false },
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:08.000Z',
						result: 'answeredElsewhere',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:08.000Z',
						result: 'answered',
					},
				],
			}),
		]);
		expect(assembler.pendingCount).toBe(0);
	});

	it('group call nobody answers: missed at ended, a rejecting member keeps its own result', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(1, 'ringing', { line: '203' }),
			ev(3, 'stopped', { line: '203', reason: 'rejected' }),
			ev(20, 'ended'),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:20.000Z',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:20.000Z',
						result: 'notAnswered',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:20.000Z',
						result: 'notAnswered',
					},
					{
						line: '203',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:03.000Z',
						result: 'rejected',
					},
				],
			}),
		]);
	});

	it('sequential hunt: each line its own leg in order of ringing', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(16, 'stopped', { line: '201', reason: 'timeout' }),
			ev(16, 'ringing', { line: '202' }),
			ev(31, 'stopped', { line: '202', reason: 'noAnswer' }),
			ev(31, 'ringing', { line: '203' }),
			ev(35, 'ended'),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:16.000Z',
				result: 'notAnswered',
			},
			{
				line: '202',
				ringingFrom: '2024-05-06T08:00:16.000Z',
				ringingUntil: '2024-05-06T08:00:31.000Z',
				result: 'notAnswered',
			},
			{
				line: '203',
				ringingFrom: '2024-05-06T08:00:31.000Z',
				ringingUntil: '2024-05-06T08:00:35.000Z',
				result: 'notAnswered',
			},
		]);
		expect(records).toHaveLength(1);
	});

	it('cyclic hunt: a line ringing a second time gets a second leg', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(11, 'stopped', { line: '201', reason: 'timeout' }),
			ev(11, 'ringing', { line: '202' }),
			ev(21, 'stopped', { line: '202', reason: 'timeout' }),
			ev(21, 'ringing', { line: '201' }),
			ev(25, 'answered', { line: '201' }),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:25.000Z',
				outcome: 'answered',
				answeredBy: { line: '201', at: '2024-05-06T08:00:25.000Z', pickup: false },
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:11.000Z',
						result: 'notAnswered',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:11.000Z',
						ringingUntil: '2024-05-06T08:00:21.000Z',
						result: 'notAnswered',
					},
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:21.000Z',
						ringingUntil: '2024-05-06T08:00:25.000Z',
						result: 'answered',
					},
				],
			}),
		]);
	});

	it('forwarding during ringing: the leg ends diverted, the target rings as a new leg of the same call', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(10, 'diverted', { line: '201', to: '202' }),
			ev(10, 'ringing', { line: '202' }),
			ev(14, 'answered', { line: '202' }),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:14.000Z',
				outcome: 'answered',
				answeredBy: { line: '202', at: '2024-05-06T08:00:14.000Z', pickup: false },
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:10.000Z',
						result: 'diverted',
						divertedTo: '202',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:10.000Z',
						ringingUntil: '2024-05-06T08:00:14.000Z',
						result: 'answered',
					},
				],
			}),
		]);
	});

	it('forward to an external number, then the call ends: missed, the leg diverted', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(10, 'diverted', { line: '201', to: '+491701234567' }),
			ev(60, 'ended'),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:01:00.000Z',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:10.000Z',
						result: 'diverted',
						divertedTo: '+491701234567',
					},
				],
			}),
		]);
	});

	it('pickup with `from`: that leg is pickedUp, other ringing legs answeredElsewhere', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(6, 'answered', { line: '203', pickup: true, from: '201' }),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:06.000Z',
				outcome: 'answered',
				answeredBy: { line: '203', at: '2024-05-06T08:00:06.000Z', pickup: true, from: '201' },
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:06.000Z',
						result: 'pickedUp',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:06.000Z',
						result: 'answeredElsewhere',
					},
					{
						line: '203',
						ringingFrom: '2024-05-06T08:00:06.000Z',
						ringingUntil: '2024-05-06T08:00:06.000Z',
						result: 'answered',
					},
				],
			}),
		]);
	});

	it('pickup without `from`: every other ringing leg is pickedUp', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(6, 'answered', { line: '203', pickup: true }),
		]);
		const record = records[0] as CallRecord;
		expect(record.answeredBy).toEqual({ line: '203', at: '2024-05-06T08:00:06.000Z', pickup: true });
		expect(record.legs.map((leg) => [leg.line, leg.result])).toEqual([
			['201', 'pickedUp'],
			['202', 'pickedUp'],
			['203', 'answered'],
		]);
	});

	it('pickup from a line whose ringing was never reported: that line gets a zero-length pickedUp leg', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(6, 'answered', { line: '203', pickup: true, from: '205' }),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:06.000Z',
				result: 'answeredElsewhere',
			},
			{
				line: '205',
				ringingFrom: '2024-05-06T08:00:06.000Z',
				ringingUntil: '2024-05-06T08:00:06.000Z',
				result: 'pickedUp',
			},
			{
				line: '203',
				ringingFrom: '2024-05-06T08:00:06.000Z',
				ringingUntil: '2024-05-06T08:00:06.000Z',
				result: 'answered',
			},
		]);
	});

	it("answer on the user's own second device: that device answered, the desk phone answeredElsewhere", () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: 'w0' }),
			ev(4, 'answered', { line: 'w0' }),
		]);
		const record = records[0] as CallRecord;
		expect(record.answeredBy).toEqual({ line: 'w0', at: '2024-05-06T08:00:04.000Z', pickup: false });
		expect(record.legs.map((leg) => [leg.line, leg.result, leg.ringingUntil])).toEqual([
			['201', 'answeredElsewhere', '2024-05-06T08:00:04.000Z'],
			['w0', 'answered', '2024-05-06T08:00:04.000Z'],
		]);
	});

	it('answer on a line that never rang: its leg starts at the answer', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(5, 'answered', { line: '204' }),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:05.000Z',
				result: 'answeredElsewhere',
			},
			{
				line: '204',
				ringingFrom: '2024-05-06T08:00:05.000Z',
				ringingUntil: '2024-05-06T08:00:05.000Z',
				result: 'answered',
			},
		]);
	});

	it('voicemail: the box takes the call, ringing stops there, the call is still missed', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(20, 'voicemail', { line: '201' }),
			ev(45, 'ended'),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:45.000Z',
				voicemail: '201',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:20.000Z',
						result: 'notAnswered',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:20.000Z',
						result: 'notAnswered',
					},
				],
			}),
		]);
	});

	it('busy: a busy line that rang, and one that never rang, each get a busy leg', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'stopped', { line: '201', reason: 'busy' }),
			ev(1, 'stopped', { line: '202', reason: 'busy' }),
			ev(2, 'ended'),
		]);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:02.000Z',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:01.000Z',
						result: 'busy',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:01.000Z',
						result: 'busy',
					},
				],
			}),
		]);
	});

	it('rejected: the leg says rejected', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(3, 'stopped', { line: '201', reason: 'rejected' }),
			ev(3, 'ended'),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:03.000Z',
				result: 'rejected',
			},
		]);
		expect((records[0] as CallRecord).outcome).toBe('missed');
	});

	it('a `stopped` without line stops every line still ringing; without reason it means noAnswer', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(2, 'stopped', { line: '202', reason: 'rejected' }),
			ev(9, 'stopped', { reason: 'busy' }),
			ev(9, 'ringing', { line: '203' }),
			ev(12, 'stopped', { line: '203' }),
			ev(12, 'ended'),
		]);
		expect((records[0] as CallRecord).legs.map((l) => [l.line, l.result, l.ringingUntil])).toEqual([
			['201', 'busy', '2024-05-06T08:00:09.000Z'],
			['202', 'rejected', '2024-05-06T08:00:02.000Z'],
			['203', 'notAnswered', '2024-05-06T08:00:12.000Z'],
		]);
	});

	it('a `diverted` without line and target diverts every line still ringing', () => {
		const { records } = pushAll([
			offered,
			ev(1, 'ringing', { line: 'Doc' }),
			ev(4, 'diverted'),
			ev(4, 'ringing', { line: 'Marty' }),
			ev(9, 'ended'),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: 'Doc',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:04.000Z',
				result: 'diverted',
			},
			{
				line: 'Marty',
				ringingFrom: '2024-05-06T08:00:04.000Z',
				ringingUntil: '2024-05-06T08:00:09.000Z',
				result: 'notAnswered',
			},
		]);
	});
});

describe('CallAssembler: call-level fields', () => {
	it('merges the caller over the events; withheld and restricted callers are restricted', () => {
		const late = pushAll([
			ev(0, 'offered', { caller: { number: '+49301234567' } }),
			ev(1, 'ringing', { line: '201', caller: { number: '+49301234567', name: 'Max Muster' } }),
			ev(2, 'ended'),
		]).records[0] as CallRecord;
		expect(late.caller).toEqual({ number: '+49301234567', name: 'Max Muster', restricted: false });

		const flagged = pushAll([
			ev(0, 'offered', { caller: { number: '+49301234567', restricted: true } }),
			ev(2, 'ended'),
		]).records[0] as CallRecord;
		expect(flagged.caller).toEqual({ number: '+49301234567', name: '', restricted: true });

		const withheld = pushAll([ev(0, 'offered', { caller: { number: '' } }), ev(2, 'ended')])
			.records[0] as CallRecord;
		expect(withheld.caller).toEqual({ number: '', name: '', restricted: true });
	});

	it('defaults: direction inbound, called empty; startedAt is the earliest event, not the first pushed', () => {
		const { records } = pushAll([
			ev(3, 'ringing', { line: '201', direction: 'internal', caller: { number: '205' } }),
			ev(1, 'offered'),
			ev(9, 'ended'),
		]);
		const record = records[0] as CallRecord;
		expect(record.direction).toBe('internal');
		expect(record.called).toBe('');
		expect(record.startedAt).toBe('2024-05-06T08:00:01.000Z');

		const bare = pushAll([ev(0, 'ringing', { line: '201' }), ev(1, 'ended')]).records[0] as CallRecord;
		expect(bare.direction).toBe('inbound');
	});

	it('takes times from the events, never from the wall clock', () => {
		const { records } = pushAll([
			{ type: 'ringing', callId: 'old', line: '201', time: Date.UTC(2001, 0, 2, 3, 4, 5) },
			{ type: 'ended', callId: 'old', time: Date.UTC(2001, 0, 2, 3, 4, 15) },
		]);
		const record = records[0] as CallRecord;
		expect(record.startedAt).toBe('2001-01-02T03:04:05.000Z');
		expect(record.resolvedAt).toBe('2001-01-02T03:04:15.000Z');
	});
});

describe('CallAssembler: silence, age, eviction', () => {
	it('resolves a silent call as missed + incomplete at the sweep, still-ringing legs until then', () => {
		const assembler = new CallAssembler({ silenceMs: 30 * 60_000 });
		assembler.push(offered);
		assembler.push(ev(1, 'ringing', { line: '201' }));
		expect(assembler.sweep(at(1) + 30 * 60_000 - 1)).toEqual([]);
		expect(assembler.sweep(at(1) + 30 * 60_000)).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:30:01.000Z',
				incomplete: true,
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:30:01.000Z',
						result: 'notAnswered',
						stillRinging: true,
					},
				],
			}),
		]);
		expect(assembler.pendingCount).toBe(0);
		expect(assembler.push(ev(1900, 'ended'))).toEqual([]);
	});

	it('counts silence on the receiving clock, so a PBX clock hours behind does not end calls early', () => {
		const assembler = new CallAssembler({ silenceMs: 30 * 60_000 });
		// The PBX stamps T0; we receive the events two hours later by our clock.
		const received = at(0) + 2 * 3_600_000;
		assembler.push(offered, received);
		assembler.push(ev(1, 'ringing', { line: '201' }), received + 1000);
		expect(assembler.sweep(received + 1000)).toEqual([]);
		expect(assembler.sweep(received + 1000 + 30 * 60_000 - 1)).toEqual([]);
		const [record] = assembler.sweep(received + 1000 + 30 * 60_000);
		expect(record.incomplete).toBe(true);
		expect(record.startedAt).toBe('2024-05-06T08:00:00.000Z');
	});

	// A PBX that sends its local time as UTC is hours ahead. Given up on our clock, the call would
	// resolve before it started and its leg stop before it rang, which the filter refuses (and with
	// it every other call in that execution).
	it('gives up on a call timed ahead of the receiving clock no earlier than its last event', () => {
		const assembler = new CallAssembler({ silenceMs: 30 * 60_000 });
		const received = at(0) - 3_600_000; // the PBX clock is an hour ahead of ours
		assembler.push(offered, received);
		assembler.push(ev(1, 'ringing', { line: '201' }), received + 1000);
		const [record] = assembler.sweep(received + 1000 + 30 * 60_000);
		expect(record).toEqual(
			callRecord({
				resolvedAt: '2024-05-06T08:00:01.000Z',
				incomplete: true,
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:01.000Z',
						result: 'notAnswered',
						stillRinging: true,
					},
				],
			}),
		);
	});

	// Only what was still ringing is of unknown length: a line that was busy, as the last event heard
	// before the call went silent, keeps its 0 s (and the minimum ringing time still applies to it).
	it('marks only the legs still ringing when the call was given up', () => {
		const assembler = new CallAssembler({ silenceMs: 30 * 60_000 });
		const received = at(0) - 3_600_000; // the PBX clock is an hour ahead of ours
		assembler.pushBatch([offered, ev(1, 'ringing', { line: '202' }), ev(2, 'stopped', { line: '201', reason: 'busy' })], received);
		const [record] = assembler.sweep(received + 30 * 60_000);
		expect(record.resolvedAt).toBe('2024-05-06T08:00:02.000Z');
		expect(record.legs).toEqual([
			{ line: '202', ringingFrom: '2024-05-06T08:00:01.000Z', ringingUntil: '2024-05-06T08:00:02.000Z', result: 'notAnswered', stillRinging: true },
			{ line: '201', ringingFrom: '2024-05-06T08:00:02.000Z', ringingUntil: '2024-05-06T08:00:02.000Z', result: 'busy' },
		]);
	});

	it('resolves a call older than maxCallAgeMs even while events keep coming', () => {
		const assembler = new CallAssembler({ maxCallAgeMs: 60_000 });
		assembler.push(ev(0, 'ringing', { line: '201' }));
		assembler.push(ev(50, 'ringing', { line: '202' }));
		expect(assembler.sweep(at(59))).toEqual([]);
		const [record] = assembler.sweep(at(60));
		expect(record.incomplete).toBe(true);
		expect(record.resolvedAt).toBe('2024-05-06T08:01:00.000Z');
	});

	it('evicts the oldest pending call when full, resolving it as incomplete rather than dropping it', () => {
		const assembler = new CallAssembler({ maxPendingCalls: 2 });
		assembler.push(ev(1, 'ringing', { callId: 'a', line: '201' }));
		assembler.push(ev(2, 'ringing', { callId: 'b', line: '202' }));
		const records = assembler.push(ev(3, 'ringing', { callId: 'c', line: '203' }));
		expect(records).toEqual([
			{
				kind: 'call',
				callId: 'a',
				direction: 'inbound',
				caller: { number: '', name: '', restricted: true },
				called: '',
				startedAt: '2024-05-06T08:00:01.000Z',
				resolvedAt: '2024-05-06T08:00:03.000Z',
				outcome: 'missed',
				answeredBy: null,
				voicemail: null,
				incomplete: true,
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:03.000Z',
						result: 'notAnswered',
						stillRinging: true,
					},
				],
			},
		]);
		expect(assembler.pendingCount).toBe(2);
		expect(assembler.stats().evictedCalls).toBe(1);
		expect(assembler.push(ev(4, 'ended', { callId: 'a' }))).toEqual([]);
	});

	it('new options keep the calls ringing, which go on under them; a lower Max Pending Calls resolves the oldest', () => {
		const assembler = new CallAssembler({ silenceMs: 60_000 });
		assembler.push(ev(1, 'ringing', { callId: 'a', line: '201' }), at(1));
		assembler.push(ev(2, 'ringing', { callId: 'b', line: '202' }), at(2));
		assembler.push(ev(3, 'ringing', { callId: 'c', line: '203' }), at(3));
		const evicted = assembler.reconfigure({ silenceMs: 240_000, maxPendingCalls: 2 }, at(4));
		expect(evicted.map((r) => [r.callId, r.incomplete])).toEqual([['a', true]]);
		// Past the old silence timeout, not the new one: still ringing.
		expect(assembler.sweep(at(100))).toEqual([]);
		const answered = assembler.push(ev(101, 'answered', { callId: 'b', line: '202' }), at(101)) as CallRecord[];
		expect(answered.map((r) => [r.callId, r.outcome, r.incomplete])).toEqual([['b', 'answered', false]]);
		expect(assembler.push(ev(102, 'ended', { callId: 'a' }), at(102))).toEqual([]);
		expect(assembler.stats().lateEvents).toBe(1);
	});

	it('a call held for the reorder window waits for the new window, counted from its resolving event', () => {
		const assembler = new CallAssembler({ reorderWindowMs: 60_000 });
		assembler.push(ev(0, 'ringing', { line: '201' }), at(0));
		assembler.push(ev(5, 'ended'), at(5));
		expect(assembler.reconfigure({ reorderWindowMs: 2_000 }, at(6))).toEqual([]);
		expect(assembler.sweep(at(6.9))).toEqual([]);
		expect((assembler.sweep(at(7)) as CallRecord[]).map((r) => [r.callId, r.outcome, r.incomplete])).toEqual([['c1', 'missed', false]]);
	});

	const iso = (seconds: number) => new Date(at(seconds)).toISOString();

	it('a queue ringing its members round after round for 45 minutes resolves once, when someone answers', () => {
		// Three members ring 15 s per round, 5 s apart, 135 rounds: 810 events before 201 answers.
		const assembler = new CallAssembler();
		const records: TriggerRecord[] = [assembler.push(ev(0, 'offered', { caller: { number: '+4930555' } }))].flat();
		const members = ['201', '202', '203'];
		let round = 0;
		for (; round < 135; round++) {
			const start = 1 + round * 20;
			for (const line of members) records.push(...assembler.push(ev(start, 'ringing', { line })));
			for (const line of members) records.push(...assembler.push(ev(start + 15, 'stopped', { line, reason: 'noAnswer' })));
		}
		expect(records).toEqual([]);
		const start = 1 + round * 20;
		for (const line of members) assembler.push(ev(start, 'ringing', { line }));
		const [record] = assembler.push(ev(start + 4, 'answered', { line: '201' })) as CallRecord[];
		expect([record.outcome, record.incomplete, record.answeredBy?.line, record.resolvedAt]).toEqual(['answered', false, '201', iso(start + 4)]);
		// Each member's last leg runs up to the answer; none rings after it, and the wait is covered.
		const lastLeg = (line: string) => record.legs.filter((leg) => leg.line === line).at(-1)!;
		expect(members.map((line) => [lastLeg(line).result, lastLeg(line).ringingUntil])).toEqual([
			['answered', iso(start + 4)],
			['answeredElsewhere', iso(start + 4)],
			['answeredElsewhere', iso(start + 4)],
		]);
		expect(record.legs.every((leg) => leg.ringingUntil <= record.resolvedAt)).toBe(true);
		expect(record.legs.length).toBeLessThan(135 * 3);
		expect(assembler.stats().pendingCalls).toBe(0);
	});

	describe('past the folding point (128 events), what rang is not lost', () => {
		/** 22 rounds of three members (132 events), as above; returns when the next round would start. */
		const busyQueue = (assembler: CallAssembler) => {
			assembler.push(ev(0, 'offered', { caller: { number: '+4930555' } }));
			for (let round = 0; round < 22; round++) {
				const start = 1 + round * 20;
				for (const line of ['201', '202', '203']) assembler.push(ev(start, 'ringing', { line }));
				for (const line of ['201', '202', '203']) assembler.push(ev(start + 15, 'stopped', { line, reason: 'noAnswer' }));
			}
			return 1 + 22 * 20;
		};
		const legsOf = (record: CallRecord, line: string) =>
			record.legs.filter((leg) => leg.line === line).map((leg) => [leg.ringingFrom, leg.ringingUntil, leg.result]);

		it('a line busy at once and ringing later keeps both', () => {
			const assembler = new CallAssembler();
			const t = busyQueue(assembler);
			assembler.push(ev(t, 'stopped', { line: '204', reason: 'busy' }));
			assembler.push(ev(t + 20, 'ringing', { line: '204' }));
			const [record] = assembler.push(ev(t + 60, 'ended')) as CallRecord[];
			expect(legsOf(record, '204')).toEqual([
				[iso(t), iso(t), 'busy'],
				[iso(t + 20), iso(t + 60), 'notAnswered'],
			]);
		});

		it('a round whose ringing overtook the previous round\'s stop is kept', () => {
			const assembler = new CallAssembler();
			const t = busyQueue(assembler);
			assembler.push(ev(t, 'ringing', { line: '205' }));
			assembler.push(ev(t + 20, 'ringing', { line: '205' }));
			assembler.push(ev(t + 15, 'stopped', { line: '205', reason: 'noAnswer' }));
			const [record] = assembler.push(ev(t + 30, 'ended')) as CallRecord[];
			expect(legsOf(record, '205')).toEqual([
				[iso(t), iso(t + 15), 'notAnswered'],
				[iso(t + 20), iso(t + 30), 'notAnswered'],
			]);
		});
	});

	it('resolves a call that floods events as it stands, so one call cannot grow without bound', () => {
		const assembler = new CallAssembler();
		const records: TriggerRecord[] = [];
		for (let i = 0; i < 256; i++) records.push(...assembler.push(ev(i, 'ringing', { line: `L${i}` })));
		expect(records).toHaveLength(1);
		expect((records[0] as CallRecord).incomplete).toBe(true);
		expect((records[0] as CallRecord).legs).toHaveLength(256);
		expect(assembler.push(ev(300, 'ringing', { line: 'L300' }))).toEqual([]);
	});
});

describe('CallAssembler: duplicates, late events, presence', () => {
	it('never emits a second record: events after resolution are ignored', () => {
		const assembler = new CallAssembler();
		expect(assembler.push(ev(1, 'ringing', { line: '201' }))).toEqual([]);
		expect(assembler.push(ev(2, 'answered', { line: '201' }))).toHaveLength(1);
		expect(assembler.push(ev(3, 'ringing', { line: '202' }))).toEqual([]);
		expect(assembler.push(ev(4, 'answered', { line: '202' }))).toEqual([]);
		expect(assembler.push(ev(90, 'ended'))).toEqual([]);
		expect(assembler.sweep(at(10_000))).toEqual([]);
		expect(assembler.pendingCount).toBe(0);
		expect(assembler.stats().lateEvents).toBe(3);
	});

	it('ignores a repeated eventId, also across calls', () => {
		const assembler = new CallAssembler();
		assembler.push(ev(1, 'ringing', { line: '201', eventId: 'e1' }));
		assembler.push(ev(2, 'stopped', { line: '201', reason: 'busy', eventId: 'e2' }));
		assembler.push(ev(2, 'stopped', { line: '201', reason: 'busy', eventId: 'e2' }));
		// A retried "ended" carrying the id of the busy stop is a retry, not an end.
		expect(assembler.push(ev(5, 'ended', { eventId: 'e2' }))).toEqual([]);
		expect(assembler.push(ev(5, 'ended', { callId: 'other', eventId: 'e1' }))).toEqual([]);
		expect(assembler.stats().duplicateEvents).toBe(3);
		const [record] = assembler.push(ev(6, 'ended', { eventId: 'e3' })) as CallRecord[];
		expect(record.legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:02.000Z',
				result: 'busy',
			},
		]);
		expect(record.resolvedAt).toBe('2024-05-06T08:00:06.000Z');
	});

	it('duplicates without eventId are harmless: every event twice gives the same record', () => {
		const events = [
			offered,
			ev(1, 'ringing', { line: '201' }),
			ev(1, 'ringing', { line: '202' }),
			ev(5, 'stopped', { line: '202', reason: 'rejected' }),
			ev(9, 'diverted', { line: '201', to: '203' }),
			ev(9, 'ringing', { line: '203' }),
			ev(15, 'voicemail', { line: '203' }),
			ev(40, 'ended'),
		];
		const twice = events.flatMap((event) => [event, { ...event }]);
		const { records } = pushAll(twice);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:40.000Z',
				voicemail: '203',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:09.000Z',
						result: 'diverted',
						divertedTo: '203',
					},
					{
						line: '202',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:05.000Z',
						result: 'rejected',
					},
					{
						line: '203',
						ringingFrom: '2024-05-06T08:00:09.000Z',
						ringingUntil: '2024-05-06T08:00:15.000Z',
						result: 'notAnswered',
					},
				],
			}),
		]);
	});

	it('passes login and logout through at once as presence records', () => {
		const assembler = new CallAssembler();
		expect(assembler.push({ type: 'login', line: '201', time: at(1) })).toEqual([
			{ kind: 'presence', type: 'login', line: '201', at: '2024-05-06T08:00:01.000Z' },
		]);
		expect(assembler.push({ type: 'logout', line: 'w0', time: at(2), eventId: 'p1' })).toEqual([
			{ kind: 'presence', type: 'logout', line: 'w0', at: '2024-05-06T08:00:02.000Z' },
		]);
		expect(assembler.push({ type: 'logout', line: 'w0', time: at(2), eventId: 'p1' })).toEqual([]);
		expect(assembler.pendingCount).toBe(0);
	});

	it('skips and counts events it cannot use instead of failing the batch', () => {
		const assembler = new CallAssembler();
		expect(assembler.push({ type: 'ringing', line: '201', time: at(1) })).toEqual([]);
		expect(assembler.push({ type: 'answered', callId: 'c1', time: at(1) })).toEqual([]);
		expect(assembler.push({ type: 'login', time: at(1) })).toEqual([]);
		expect(assembler.push({ type: 'ended', callId: 'c1', time: Number.NaN })).toEqual([]);
		expect(assembler.stats().ignoredEvents).toBe(4);
		expect(assembler.pendingCount).toBe(0);
	});
});

describe('CallAssembler: out-of-order arrival', () => {
	it('a `stopped` arriving before its `ringing` still closes the right leg', () => {
		const { records } = pushAll([
			offered,
			ev(16, 'stopped', { line: '201', reason: 'timeout' }),
			ev(1, 'ringing', { line: '201' }),
			ev(16, 'ringing', { line: '202' }),
			ev(20, 'ended'),
		]);
		expect((records[0] as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:16.000Z',
				result: 'notAnswered',
			},
			{
				line: '202',
				ringingFrom: '2024-05-06T08:00:16.000Z',
				ringingUntil: '2024-05-06T08:00:20.000Z',
				result: 'notAnswered',
			},
		]);
	});

	it('with a reorder window, an `ended` arriving before the `answered` still gives an answered call', () => {
		const assembler = new CallAssembler({ reorderWindowMs: 500 });
		expect(assembler.push(ev(1, 'ringing', { line: '201' }))).toEqual([]);
		expect(assembler.push(ev(10.2, 'ended'))).toEqual([]);
		expect(assembler.push(ev(10, 'answered', { line: '201' }))).toEqual([]);
		expect(assembler.sweep(at(10.499))).toEqual([]);
		const [record] = assembler.sweep(at(10.5));
		expect(record.outcome).toBe('answered');
		expect(record.resolvedAt).toBe('2024-05-06T08:00:10.000Z');
		expect(record.answeredBy).toEqual({ line: '201', at: '2024-05-06T08:00:10.000Z', pickup: false });
	});

	it('with a reorder window, a later pushed event of any call releases a waiting call', () => {
		const assembler = new CallAssembler({ reorderWindowMs: 500 });
		assembler.push(ev(1, 'ringing', { line: '201' }));
		assembler.push(ev(2, 'answered', { line: '201' }));
		expect(assembler.push(ev(2.3, 'ringing', { callId: 'c2', line: '202' }))).toEqual([]);
		const records = assembler.push(ev(2.5, 'ringing', { callId: 'c3', line: '203' }));
		expect(records.map((r) => r.kind === 'call' && [r.callId, r.outcome])).toEqual([['c1', 'answered']]);
		expect(assembler.stats().waitingCalls).toBe(0);
	});

	// Overtaking happens on the way to n8n, so the window runs from receipt; event times come from the
	// PBX's clock, which may be an hour off.
	it.each([
		['an hour behind', -3_600_000],
		['an hour ahead', 3_600_000],
	])('with the PBX clock %s, the window holds a call from its end\'s receipt', (_, offset) => {
		const assembler = new CallAssembler({ reorderWindowMs: 500, silenceMs: 30 * 60_000 });
		const received = at(10) - offset; // our clock when the `ended` (PBX time at(10)) arrives
		assembler.pushBatch([ev(1, 'ringing', { line: '201' }), ev(10, 'ended')], received);
		expect(assembler.sweep(received + 499)).toEqual([]);
		// The `stopped` it overtook arrives 300 ms later and still counts.
		expect(assembler.pushBatch([ev(9.9, 'stopped', { line: '201', reason: 'busy' })], received + 300)).toEqual([]);
		const [record] = assembler.sweep(received + 500);
		expect(record.legs).toEqual([
			{ line: '201', ringingFrom: '2024-05-06T08:00:01.000Z', ringingUntil: '2024-05-06T08:00:09.900Z', result: 'busy' },
		]);
		expect(record.incomplete).toBe(false);
	});

	it('without a reorder window (default) an `answered` resolves at once', () => {
		const assembler = new CallAssembler();
		assembler.push(ev(1, 'ringing', { line: '201' }));
		expect(assembler.push(ev(2, 'answered', { line: '201' }))).toHaveLength(1);
	});
});

describe('CallAssembler: one request with its events out of order (pushBatch)', () => {
	it('an `ended` listed first still gets the legs and the caller listed after it', () => {
		const assembler = new CallAssembler();
		const records = assembler.pushBatch(
			[ev(20, 'ended'), offered, ev(1, 'ringing', { line: '201' })],
			at(21),
		);
		expect(records).toEqual([
			callRecord({
				resolvedAt: '2024-05-06T08:00:20.000Z',
				legs: [
					{
						line: '201',
						ringingFrom: '2024-05-06T08:00:01.000Z',
						ringingUntil: '2024-05-06T08:00:20.000Z',
						result: 'notAnswered',
					},
				],
			}),
		]);
		expect(assembler.stats().lateEvents).toBe(0);
		expect(assembler.pendingCount).toBe(0);
	});

	it('events timed after the answer stay out of the record, as in time order', () => {
		const assembler = new CallAssembler();
		const [record] = assembler.pushBatch(
			[
				ev(9, 'stopped', { line: '201', reason: 'busy' }),
				ev(8, 'answered', { line: '202' }),
				ev(1, 'ringing', { line: '201' }),
				ev(1, 'ringing', { line: '202' }),
				offered,
			],
			at(10),
		);
		expect((record as CallRecord).legs.map((leg) => [leg.line, leg.result])).toEqual([
			['201', 'answeredElsewhere'],
			['202', 'answered'],
		]);
		expect(assembler.stats().lateEvents).toBe(1);
	});

	it('equal times: a line-less `stopped` stops only lines that rang, an `ended` comes last', () => {
		const assembler = new CallAssembler();
		const [record] = assembler.pushBatch(
			[
				ev(5, 'ended'),
				ev(5, 'ringing', { line: '202' }),
				ev(5, 'stopped', { reason: 'busy' }),
				ev(1, 'ringing', { line: '201' }),
				offered,
			],
			at(6),
		);
		expect((record as CallRecord).legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:05.000Z',
				result: 'busy',
			},
			{
				line: '202',
				ringingFrom: '2024-05-06T08:00:05.000Z',
				ringingUntil: '2024-05-06T08:00:05.000Z',
				result: 'notAnswered',
			},
		]);
	});

	it('skips and counts events with unusable times, without disturbing the rest', () => {
		const assembler = new CallAssembler();
		const records = assembler.pushBatch(
			[
				ev(20, 'ended'),
				ev(3, 'answered', { line: '201', time: Number.NaN }),
				offered,
				ev(2, 'ringing', { line: '201', time: Number.POSITIVE_INFINITY }),
				ev(1, 'ringing', { line: '201' }),
			],
			at(21),
		);
		expect(records.map((r) => r.kind === 'call' && [r.outcome, r.legs.length])).toEqual([['missed', 1]]);
		expect(assembler.stats().ignoredEvents).toBe(2);
	});

	it('counts silence from receipt: the batch is received at `receivedAt`, not at its event times', () => {
		const assembler = new CallAssembler({ silenceMs: 60_000 });
		assembler.pushBatch([ev(1, 'ringing', { line: '201' }), offered], at(3600));
		expect(assembler.sweep(at(3600) + 59_999)).toEqual([]);
		expect(assembler.sweep(at(3600) + 60_000)).toHaveLength(1);
	});
});
