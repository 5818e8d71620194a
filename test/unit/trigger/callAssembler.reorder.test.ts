/**
 * Events of one call arrive up to 300 ms late and sometimes twice (SPEC §2.1). With a reorder window
 * longer than that, the record must be the one the scenario describes, whatever the arrival order;
 * so must it when all events come in one request, in any order, without a window.
 * Each expected record is written from the scenario, not taken from the code.
 */
import fc from 'fast-check';
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import type { CallEvent, CallRecord, TriggerRecord } from '../../../nodes/shared/callModel';
import { at, ev } from './events';

const JITTER_MS = 300;
const WINDOW_MS = 1000;

const caller = { number: '+49301234567', name: 'Max Muster' };
const common = {
	kind: 'call' as const,
	callId: 'c1',
	direction: 'inbound' as const,
	caller: { ...caller, restricted: false },
	called: '+49891234200',
	startedAt: '2024-05-06T08:00:00.000Z',
	incomplete: false,
};
const offered = ev(0, 'offered', { caller, called: '+49891234200' });

const scenarios: Array<{ name: string; events: CallEvent[]; expected: CallRecord }> = [
	{
		name: 'parallel ringing, one rejects, one answers, the rest stop after the answer',
		events: [
			offered,
			ev(0.1, 'ringing', { line: '201' }),
			ev(0.25, 'ringing', { line: '202' }),
			ev(0.4, 'ringing', { line: '203' }),
			ev(0.55, 'stopped', { line: '203', reason: 'rejected' }),
			ev(0.7, 'answered', { line: '202' }),
			ev(0.75, 'stopped', { line: '201', reason: 'cancelled' }),
			ev(5, 'ended'),
		],
		expected: {
			...common,
			resolvedAt: '2024-05-06T08:00:00.700Z',
			outcome: 'answered',
			answeredBy: { line: '202', at: '2024-05-06T08:00:00.700Z', pickup: false },
			voicemail: null,
			legs: [
				{
					line: '201',
					ringingFrom: '2024-05-06T08:00:00.100Z',
					ringingUntil: '2024-05-06T08:00:00.700Z',
					result: 'answeredElsewhere',
				},
				{
					line: '202',
					ringingFrom: '2024-05-06T08:00:00.250Z',
					ringingUntil: '2024-05-06T08:00:00.700Z',
					result: 'answered',
				},
				{
					line: '203',
					ringingFrom: '2024-05-06T08:00:00.400Z',
					ringingUntil: '2024-05-06T08:00:00.550Z',
					result: 'rejected',
				},
			],
		},
	},
	{
		name: 'hunt, forward during ringing, voicemail, caller hangs up',
		events: [
			offered,
			ev(0.1, 'ringing', { line: '201' }),
			ev(0.3, 'stopped', { line: '201', reason: 'timeout' }),
			ev(0.35, 'ringing', { line: '202' }),
			ev(0.5, 'diverted', { line: '202', to: '203' }),
			ev(0.55, 'ringing', { line: '203' }),
			ev(0.8, 'voicemail', { line: '203' }),
			ev(1, 'ended'),
		],
		expected: {
			...common,
			resolvedAt: '2024-05-06T08:00:01.000Z',
			outcome: 'missed',
			answeredBy: null,
			voicemail: '203',
			legs: [
				{
					line: '201',
					ringingFrom: '2024-05-06T08:00:00.100Z',
					ringingUntil: '2024-05-06T08:00:00.300Z',
					result: 'notAnswered',
				},
				{
					line: '202',
					ringingFrom: '2024-05-06T08:00:00.350Z',
					ringingUntil: '2024-05-06T08:00:00.500Z',
					result: 'diverted',
					divertedTo: '203',
				},
				{
					line: '203',
					ringingFrom: '2024-05-06T08:00:00.550Z',
					ringingUntil: '2024-05-06T08:00:00.800Z',
					result: 'notAnswered',
				},
			],
		},
	},
	{
		name: 'cyclic hunt back to the first line, picked up from there by a colleague',
		events: [
			offered,
			ev(0.1, 'ringing', { line: '201' }),
			ev(0.2, 'stopped', { line: '201', reason: 'timeout' }),
			ev(0.3, 'ringing', { line: '202' }),
			ev(0.4, 'stopped', { line: '202', reason: 'timeout' }),
			ev(0.5, 'ringing', { line: '201' }),
			ev(0.65, 'answered', { line: '204', pickup: true, from: '201' }),
			ev(3, 'ended'),
		],
		expected: {
			...common,
			resolvedAt: '2024-05-06T08:00:00.650Z',
			outcome: 'answered',
			answeredBy: { line: '204', at: '2024-05-06T08:00:00.650Z', pickup: true, from: '201' },
			voicemail: null,
			legs: [
				{
					line: '201',
					ringingFrom: '2024-05-06T08:00:00.100Z',
					ringingUntil: '2024-05-06T08:00:00.200Z',
					result: 'notAnswered',
				},
				{
					line: '202',
					ringingFrom: '2024-05-06T08:00:00.300Z',
					ringingUntil: '2024-05-06T08:00:00.400Z',
					result: 'notAnswered',
				},
				{
					line: '201',
					ringingFrom: '2024-05-06T08:00:00.500Z',
					ringingUntil: '2024-05-06T08:00:00.650Z',
					result: 'pickedUp',
				},
				{
					line: '204',
					ringingFrom: '2024-05-06T08:00:00.650Z',
					ringingUntil: '2024-05-06T08:00:00.650Z',
					result: 'answered',
				},
			],
		},
	},
];

function callRecords(records: TriggerRecord[]): CallRecord[] {
	return records.filter((record): record is CallRecord => record.kind === 'call');
}

describe.each(scenarios)('CallAssembler, $name', ({ events, expected }) => {
	it('in order, without a reorder window', () => {
		const assembler = new CallAssembler();
		const records = events.flatMap((event) => assembler.push(event));
		expect(records).toEqual([expected]);
	});

	it('arriving shuffled within 300 ms and partly twice, with a 1 s reorder window', () => {
		const copy = fc.record({ delay: fc.integer({ min: 0, max: JITTER_MS }), twice: fc.boolean() });
		const delivery = fc.array(copy, { minLength: events.length, maxLength: events.length });
		fc.assert(
			fc.property(delivery, (plan) => {
				const arrivals = events
					.flatMap((event, i) => {
						const { delay, twice } = plan[i];
						const copies = [{ event, arrival: event.time + delay }];
						// The duplicate arrives at the mirrored delay, so it is sometimes the earlier copy.
						if (twice) copies.push({ event: { ...event }, arrival: event.time + JITTER_MS - delay });
						return copies;
					})
					.sort((a, b) => a.arrival - b.arrival);
				const assembler = new CallAssembler({ reorderWindowMs: WINDOW_MS });
				const records = arrivals.flatMap(({ event }) => assembler.push(event));
				records.push(...assembler.sweep(at(5) + WINDOW_MS));
				expect(callRecords(records)).toEqual([expected]);
				expect(assembler.pendingCount).toBe(0);
			}),
		);
	});

	it('as one request in any order and partly twice, without a reorder window', () => {
		const request = fc
			.array(fc.boolean(), { minLength: events.length, maxLength: events.length })
			.chain((twice) => {
				const copies = events.flatMap((event, i) => (twice[i] ? [event, { ...event }] : [event]));
				return fc.shuffledSubarray(copies, { minLength: copies.length, maxLength: copies.length });
			});
		fc.assert(
			fc.property(request, (batch) => {
				const assembler = new CallAssembler();
				expect(callRecords(assembler.pushBatch(batch, at(10)))).toEqual([expected]);
				expect(assembler.pendingCount).toBe(0);
			}),
		);
	});
});
