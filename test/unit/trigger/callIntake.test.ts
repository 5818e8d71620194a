/**
 * The webhook's path into call assembly: one request's events, in the order the sender listed them.
 */
import { intake, intakeHeldBy, startIntake, stopIntake, sweepIntake } from '../../../nodes/CallEventTrigger/callIntake';
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

	it('counts the events that changed nothing: a resent eventId, an event after its call resolved', () => {
		const key = 'callIntake.test:counts';
		const call = [
			ev(0, 'offered', { eventId: 'e1', caller: { number: '+49301234567' } }),
			ev(1, 'ringing', { eventId: 'e2', line: '201' }),
			ev(2, 'ringing', { eventId: 'e3', line: '202' }),
			ev(5, 'answered', { eventId: 'e4', line: '201' }),
			// after the answer, in the same request: the colleague's phone stops
			ev(6, 'stopped', { eventId: 'e5', line: '202', reason: 'cancelled' }),
		];
		const first = intake(key, {}, call, at(10));
		expect([first.records.length, first.ignored]).toEqual([1, { duplicates: 0, afterResolution: 1 }]);
		const resent = intake(key, {}, call, at(11));
		expect([resent.records.length, resent.ignored]).toEqual([0, { duplicates: 5, afterResolution: 0 }]);
		const hangUp = intake(key, {}, [ev(600, 'ended')], at(600));
		expect([hangUp.records.length, hangUp.ignored]).toEqual([0, { duplicates: 0, afterResolution: 1 }]);
	});
	it('a re-published trigger with new options keeps the calls ringing and the event ids it saw', () => {
		// An administrator saves the Silence Timeout while a call rings; the call is answered after.
		const key = 'callIntake.test:republish';
		const ringing = [
			ev(0, 'offered', { eventId: 'r1', caller: { number: '+49301234567' } }),
			ev(1, 'ringing', { eventId: 'r2', line: '202' }),
		];
		expect(intake(key, { silenceMs: 60_000 }, ringing, at(1)).records).toEqual([]);
		const answered = intake(key, { silenceMs: 240_000 }, [ev(8, 'answered', { eventId: 'r3', line: '202' })], at(8));
		const records = answered.records as CallRecord[];
		expect(records.map((r) => [r.callId, r.outcome, r.incomplete, r.caller.number])).toEqual([
			['c1', 'answered', false, '+49301234567'],
		]);
		const resent = intake(key, { silenceMs: 240_000, reorderWindowMs: 0 }, [...ringing, ev(8, 'answered', { eventId: 'r3', line: '202' })], at(9));
		expect([resent.records, resent.ignored]).toEqual([[], { duplicates: 3, afterResolution: 0 }]);
	});
	it("publishing gives the timer's checks the new options at once, before any request", () => {
		const key = 'callIntake.test:publish-timer';
		intake(key, { silenceMs: 600_000 }, [ev(0, 'ringing', { line: '201' })], at(0));
		expect(startIntake(key, { silenceMs: 60_000 }, at(1)).records).toEqual([]);
		expect(sweepIntake(key, at(59))).toEqual([]);
		expect((sweepIntake(key, at(61)) as CallRecord[]).map((r) => [r.callId, r.incomplete])).toEqual([['c1', true]]);
	});
	it('published again within the silence timeout after a stop, the calls go on; after a longer stop, they are forgotten, not mailed days late', () => {
		const ringing = (key: string) =>
			intake(key, { silenceMs: 60_000 }, [ev(0, 'offered', { eventId: 'o', caller: { number: '+49301234567' } }), ev(1, 'ringing', { line: '201' })], at(1));
		const soon = 'callIntake.test:stopped-briefly';
		ringing(soon);
		stopIntake(soon, startIntake(soon, { silenceMs: 60_000 }, at(2)).lease, at(3));
		startIntake(soon, { silenceMs: 60_000 }, at(30));
		expect((intake(soon, { silenceMs: 60_000 }, [ev(31, 'answered', { line: '201' })], at(31)).records as CallRecord[]).map((r) => [r.outcome, r.caller.number])).toEqual([
			['answered', '+49301234567'],
		]);

		const weekend = 'callIntake.test:stopped-for-the-weekend';
		ringing(weekend);
		stopIntake(weekend, startIntake(weekend, { silenceMs: 60_000 }, at(2)).lease, at(3));
		startIntake(weekend, { silenceMs: 60_000 }, at(3 + 64 * 3600));
		expect(sweepIntake(weekend, at(3 + 64 * 3600 + 10))).toEqual([]);
		// Its event ids went with it: the same ids are a new call's, not a resend.
		expect(intake(weekend, {}, [ev(0, 'offered', { eventId: 'o' })], at(3 + 64 * 3600 + 20)).ignored.duplicates).toBe(0);
	});
	it('a stopped trigger whose webhook still gets requests keeps its calls while they come (n8n retrying a failed activation)', () => {
		const key = 'callIntake.test:stopped-but-fed';
		const options = { silenceMs: 60_000 };
		stopIntake(key, startIntake(key, options, at(0)).lease, at(0));
		intake(key, options, [ev(50, 'offered', { eventId: 'a', caller: { number: '+49301234567' } }), ev(50, 'ringing', { eventId: 'b', line: '201' })], at(50));
		expect(intake(key, options, [ev(70, 'ringing', { eventId: 'c', line: '202' }), ev(50, 'ringing', { eventId: 'b', line: '201' })], at(70)).ignored.duplicates).toBe(1);
		const ended = intake(key, options, [ev(80, 'ended', { eventId: 'd' })], at(80)).records as CallRecord[];
		expect(ended.map((r) => [r.outcome, r.caller.number, r.legs.map((leg) => leg.line)])).toEqual([['missed', '+49301234567', ['201', '202']]]);
	});
	it('a call left ringing at the test URL is forgotten once no request came for its silence timeout, not resolved into a later test run', () => {
		const key = 'callIntake.test:test-url';
		const options = { silenceMs: 60_000 };
		intake(key, options, [ev(0, 'offered', { callId: 'old', caller: { number: '+4930999' } }), ev(1, 'ringing', { callId: 'old', line: '201' })], at(1));
		const twoDaysLater = at(2 * 86_400);
		const records = intake(key, options, [ev(2 * 86_400, 'offered', { callId: 'new', caller: { number: '+4930111' } })], twoDaysLater).records as CallRecord[];
		expect(records.map((r) => r.callId)).toEqual([]);
	});
	it('published again with a shorter silence timeout than the stop lasted, the calls are forgotten, not given up late', () => {
		const key = 'callIntake.test:shorter-timeout';
		intake(key, { silenceMs: 86_400_000 }, [ev(0, 'offered', { caller: { number: '+49301234567' } }), ev(1, 'ringing', { line: '201' })], at(1));
		stopIntake(key, startIntake(key, { silenceMs: 86_400_000 }, at(2)).lease, at(2));
		startIntake(key, { silenceMs: 1_800_000 }, at(2 + 7200));
		expect(sweepIntake(key, at(2 + 7200 + 10))).toEqual([]);
	});
	it("a stopped trigger's timer, or one n8n replaced by a newer start, no longer holds the calls", () => {
		const key = 'callIntake.test:holds';
		const first = startIntake(key, {}, at(0)).lease;
		expect(intakeHeldBy(key, first)).toBe(true);
		const second = startIntake(key, {}, at(1)).lease;
		expect([intakeHeldBy(key, first), intakeHeldBy(key, second)]).toEqual([false, true]);
		stopIntake(key, second, at(2));
		expect(intakeHeldBy(key, second)).toBe(false);
	});
	it('the stop of a trigger that n8n replaced by a newer start leaves the calls of the newer one alone', () => {
		const key = 'callIntake.test:stop-after-start';
		intake(key, { silenceMs: 60_000 }, [ev(0, 'offered', { eventId: 'o' }), ev(1, 'ringing', { line: '201' })], at(1));
		const older = startIntake(key, { silenceMs: 60_000 }, at(2)).lease;
		startIntake(key, { silenceMs: 60_000 }, at(3));
		stopIntake(key, older, at(4));
		// Any later configuration forgets states stopped too long; this one is running.
		startIntake('callIntake.test:another-trigger', {}, at(4 + 3600));
		expect((sweepIntake(key, at(4 + 3600)) as CallRecord[]).map((r) => [r.callId, r.incomplete])).toEqual([['c1', true]]);
	});
});
