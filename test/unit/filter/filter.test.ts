/** The filter across records and executions: decisions, the state they leave, and concurrency. */
import { compileFilter, filterCall, filterPresence } from '../../../nodes/MissedCallFilter/filter';
import { forgetNotification, openFilterState, type FilterStateSession } from '../../../nodes/MissedCallFilter/state';
import type { CallDecision } from '../../../nodes/MissedCallFilter/rules';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { CALLER, caught, DIRECTORY, leg, missedCall, office } from './fixtures';

const NOW = Date.parse('2024-03-05T12:00:00Z');
let keys = 0;
const session = (key = `workflow-2/node-${++keys}`, staticData: unknown = {}): FilterStateSession =>
	openFilterState(key, staticData, { now: () => NOW });

const recipients = (decision: CallDecision) => decision.notifications.map((notification) => notification.recipient.id);
const reasons = (decision: CallDecision) => decision.suppressed.map((item) => [item.user?.id ?? null, item.reason]);
const contact = { company: 'Kunde GmbH' };

describe('filterCall', () => {
	it('the same call record in two concurrent executions notifies once', () => {
		const key = 'workflow-2/shared-node';
		const filter = office();
		const first = session(key);
		const second = session(key);
		const call = missedCall([leg('201', 0, 20)]);
		expect(recipients(filterCall(call, contact, filter, first))).toEqual(['anna']);
		const again = filterCall(call, contact, filter, second);
		expect(recipients(again)).toEqual([]);
		expect(reasons(again)).toEqual([[null, 'duplicateCall']]);
	});

	it('remembers notifications for the repeat rule, also across executions through static data', () => {
		const filter = office({ skipRepeatedSameDay: true });
		const staticData: Record<string, unknown> = {};
		const morning = session(undefined, staticData);
		expect(recipients(filterCall(missedCall([leg('201', 0, 20)], { callId: 'c1' }), contact, filter, morning))).toEqual([
			'anna',
		]);
		morning.commit(staticData);
		// Another node key stands for a restarted process: only static data carries the memory.
		const afternoon = session(undefined, staticData);
		const repeat = filterCall(missedCall([leg('201', 3600, 3620)], { callId: 'c2' }), contact, filter, afternoon);
		expect(reasons(repeat)).toEqual([['anna', 'repeatedSameDay']]);
	});

	it('a notification whose mail was not sent does not count for the repeat rule', () => {
		const filter = office({ skipRepeatedSameDay: true });
		const state = session();
		const first = filterCall(missedCall([leg('201', 0, 20)], { callId: 'c1' }), contact, filter, state);
		const [remembered] = first.notifications.map((notification) => notification.remembered);
		expect(remembered).toMatchObject({ userId: 'anna', previous: null });
		forgetNotification(remembered);
		const again = filterCall(missedCall([leg('201', 600, 620)], { callId: 'c2' }), contact, filter, state);
		expect(recipients(again)).toEqual(['anna']);
		// Sent this time: the third call the same day is a repeat.
		const third = filterCall(missedCall([leg('201', 1200, 1220)], { callId: 'c3' }), contact, filter, state);
		expect(reasons(third)).toEqual([['anna', 'repeatedSameDay']]);
	});

	it('a suppressed e-mail is not remembered as a notification', () => {
		const filter = office({ skipRepeatedSameDay: true, recipients: 'first' });
		const state = session();
		filterCall(missedCall([leg('201', 0, 20), leg('202', 0, 20)], { callId: 'c1' }), contact, filter, state);
		const second = filterCall(missedCall([leg('202', 100, 120)], { callId: 'c2' }), contact, filter, state);
		expect(recipients(second)).toEqual(['ben']);
	});

	it('a restricted caller is never the same caller', () => {
		const filter = office({ skipRepeatedSameDay: true, skipRepeatedUntilLogin: true });
		const state = session();
		const restricted = { number: CALLER, name: '', restricted: true };
		for (const callId of ['c1', 'c2', 'c3']) {
			const call = missedCall([leg('201', 0, 20)], { callId, caller: restricted });
			expect(recipients(filterCall(call, contact, filter, state))).toEqual(['anna']);
		}
	});

	it('numbers are compared as one line whatever their spelling', () => {
		const call = missedCall([leg('+49891234201', 0, 20), leg('0891234202', 0, 20), leg('+49 89 1234 203', 0, 20)]);
		const decision = filterCall(call, contact, office(), session());
		expect(recipients(decision)).toEqual(['anna', 'ben']);
		expect(reasons(decision)).toEqual([['carla', 'optedOut']]);
	});
});

describe('filterPresence', () => {
	// SPEC §2.1: a presence event's line may be a device or the user id.
	it.each([['a line', 'w0'], ['the user id', 'anna']])('a login (naming %s) between two calls of the same caller re-enables the e-mail', (_naming, line) => {
		const filter = office({ skipRepeatedUntilLogin: true });
		const state = session();
		const call = (callId: string, second: number) => missedCall([leg('201', second, second + 20)], { callId });
		expect(recipients(filterCall(call('c1', 0), contact, filter, state))).toEqual(['anna']);
		expect(reasons(filterCall(call('c2', 600, ), contact, filter, state))).toEqual([['anna', 'repeatedNotLoggedIn']]);
		filterPresence({ kind: 'presence', type: 'login', line, at: '2024-03-05T09:15:00Z' }, filter, state);
		expect(recipients(filterCall(call('c3', 1800), contact, filter, state))).toEqual(['anna']);
		expect(reasons(filterCall(call('c4', 2400), contact, filter, state))).toEqual([['anna', 'repeatedNotLoggedIn']]);
	});

	it('a call or login on an unlisted extension that equals a numeric user id belongs to nobody', () => {
		const filter = compileFilter({
			numberingPlan: { country: 'DE' },
			directory: [{ id: 1, email: 'boss@example.com', lines: 10 }, { id: 12, email: 'zoe@example.com', lines: 11 }],
			settings: { skipRepeatedUntilLogin: true },
			workflowTimeZone: 'UTC',
		});
		const call = filterCall(missedCall([leg('12', 0, 20)]), contact, filter, session());
		expect(recipients(call)).toEqual([]);
		expect(reasons(call)).toEqual([[null, 'unownedLine']]);
		const login = filterPresence({ kind: 'presence', type: 'login', line: '12', at: '2024-03-05T09:15:00Z' }, filter, session());
		expect(login.suppressed.map((item) => item.reason)).toEqual(['unownedLine']);
	});
});

describe('compileFilter', () => {
	it.each([
		['directory', { directory: '[{"name": "no id"}]' }],
		['country', { numberingPlan: { country: 'Bavaria' } }],
		['baseNumber', { numberingPlan: { country: 'DE', baseNumber: 'n/a' } }],
		['internalPattern', { numberingPlan: { country: 'DE', internalPattern: '[' } }],
		['recipients', { settings: { recipients: 'chef' as never } }],
	])('names the bad setting %s', (setting, change) => {
		const config = {
			numberingPlan: { country: 'DE' },
			directory: DIRECTORY,
			settings: {},
			workflowTimeZone: 'UTC',
			...change,
		};
		const error = caught(() => compileFilter(config));
		expect(error).toBeInstanceOf(ConfigurationError);
		expect(error).toMatchObject({ setting });
	});
});
