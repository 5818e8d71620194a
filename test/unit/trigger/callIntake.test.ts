/**
 * The webhook's path into call assembly: one request's events, in the order the sender listed them.
 */
import { intake } from '../../../nodes/CallEventTrigger/callIntake';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { at, ev } from './events';

describe('intake', () => {
	it('a request listing `ended` before the offer and ringing still gives the caller and the leg', () => {
		const { records } = intake(
			'callIntake.test:order',
			{},
			[
				ev(20, 'ended'),
				ev(0, 'offered', { caller: { number: '+49301234567' } }),
				ev(1, 'ringing', { line: '201' }),
			],
			at(21),
		) as { records: CallRecord[] };
		expect(records).toHaveLength(1);
		expect(records[0].caller).toEqual({ number: '+49301234567', name: '', restricted: false });
		expect(records[0].legs).toEqual([
			{
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:20.000Z',
				result: 'notAnswered',
			},
		]);
	});

	it('counts the events that changed nothing: a resent eventId, an event of a call already resolved', () => {
		const key = 'callIntake.test:counts';
		const call = [
			ev(0, 'offered', { eventId: 'e1', caller: { number: '+49301234567' } }),
			ev(1, 'ringing', { eventId: 'e2', line: '201' }),
			ev(9, 'ended', { eventId: 'e3' }),
		];
		const first = intake(key, {}, call, at(10));
		expect([first.records.length, first.duplicates, first.late]).toEqual([1, 0, 0]);
		const resent = intake(key, {}, call, at(11));
		expect([resent.records.length, resent.duplicates, resent.late]).toEqual([0, 3, 0]);
		const straggler = intake(key, {}, [ev(10, 'stopped', { line: '201' })], at(12));
		expect([straggler.records.length, straggler.duplicates, straggler.late]).toEqual([0, 0, 1]);
	});
});
