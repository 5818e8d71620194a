/**
 * The webhook's path into call assembly: one request's events, in the order the sender listed them.
 */
import { intake } from '../../../nodes/CallEventTrigger/callIntake';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { at, ev } from './events';

describe('intake', () => {
	it('a request listing `ended` before the offer and ringing still gives the caller and the leg', () => {
		const records = intake(
			'callIntake.test:order',
			{},
			[
				ev(20, 'ended'),
				ev(0, 'offered', { caller: { number: '+49301234567' } }),
				ev(1, 'ringing', { line: '201' }),
			],
			at(21),
		) as CallRecord[];
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
});
