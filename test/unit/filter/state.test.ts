import { openFilterState, STATE_PROPERTY } from '../../../nodes/MissedCallFilter/state';
import { ConfigurationError } from '../../../nodes/shared/phoneNumbers';
import { caught } from './fixtures';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2024-03-05T12:00:00Z');
const clock = () => NOW;

/** The in-process store lives as long as the module: every test takes its own node key. */
let keys = 0;
const uniqueKey = () => `workflow-1/node-${++keys}`;

describe('remembering', () => {
	it('answers what it was told, newest time per key', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock });
		session.recordNotification('anna', '+49301234567', NOW - 2000);
		session.recordNotification('anna', '+49301234567', NOW - 1000);
		session.recordNotification('anna', '+49301234567', NOW - 3000);
		session.recordLogin('anna', NOW - 500);
		expect(session.lastNotified('anna', '+49301234567')).toBe(NOW - 1000);
		expect(session.lastNotified('ben', '+49301234567')).toBeNull();
		expect(session.lastLogin('anna')).toBe(NOW - 500);
		expect(session.lastLogin('ben')).toBeNull();
	});

	it('claims a call once', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock });
		expect(session.isProcessed('call-1')).toBe(false);
		expect(session.claimCall('call-1')).toBe(true);
		expect(session.claimCall('call-1')).toBe(false);
		expect(session.isProcessed('call-1')).toBe(true);
	});

	it('applies a decision\'s update', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock });
		session.apply({ callId: 'call-1', notified: [{ userId: 'anna', callerKey: '+49301234567', at: NOW - 10 }] });
		session.apply({ login: { userId: 'ben', at: NOW - 20 } });
		session.apply(null);
		expect(session.isProcessed('call-1')).toBe(true);
		expect(session.lastNotified('anna', '+49301234567')).toBe(NOW - 10);
		expect(session.lastLogin('ben')).toBe(NOW - 20);
	});
});

describe('static data', () => {
	it('commits into the static-data object in place, keeping what else is in it', () => {
		const staticData: Record<string, unknown> = { somethingElse: 1 };
		const session = openFilterState(uniqueKey(), staticData, { now: clock });
		session.claimCall('call-1');
		session.recordNotification('anna', '+49301234567', NOW - 1000);
		session.recordLogin('anna', NOW - 2000);
		session.commit(staticData);
		expect(staticData).toEqual({
			somethingElse: 1,
			[STATE_PROPERTY]: {
				version: 1,
				notified: { anna: { '+49301234567': NOW - 1000 } },
				logins: { anna: NOW - 2000 },
				calls: { 'call-1': NOW },
			},
		});
	});

	it('picks up what an earlier process stored (after a restart)', () => {
		const staticData = {
			[STATE_PROPERTY]: {
				version: 1,
				notified: { anna: { '+49301234567': NOW - 1000 } },
				logins: { anna: NOW - 500 },
				calls: { 'call-9': NOW - 100 },
			},
		};
		const session = openFilterState(uniqueKey(), staticData, { now: clock });
		expect(session.lastNotified('anna', '+49301234567')).toBe(NOW - 1000);
		expect(session.lastLogin('anna')).toBe(NOW - 500);
		expect(session.isProcessed('call-9')).toBe(true);
	});

	it.each([
		['nothing', undefined],
		['null', null],
		['a string', 'garbage'],
		['our property as a string', { [STATE_PROPERTY]: 'x' }],
		['an unknown version', { [STATE_PROPERTY]: { version: 0, calls: { 'call-1': NOW } } }],
		['wrong shapes', { [STATE_PROPERTY]: { version: 1, notified: ['anna'], logins: 'anna', calls: 7 } }],
	])('tolerates %s and starts empty', (_case, stored) => {
		const session = openFilterState(uniqueKey(), stored, { now: clock });
		expect(session.isProcessed('call-1')).toBe(false);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(target[STATE_PROPERTY]).toEqual({ version: 1, notified: {}, logins: {}, calls: {} });
	});

	it('keeps the usable entries of a partly broken state', () => {
		const stored = {
			[STATE_PROPERTY]: {
				version: 1,
				notified: { anna: { '+49301234567': 'yesterday', '+49301111111': NOW - 1 }, ben: 5 },
				logins: { anna: Number.NaN, ben: NOW - 2 },
				calls: { 'call-1': null, 'call-2': NOW - 3 },
			},
		};
		const session = openFilterState(uniqueKey(), stored, { now: clock });
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(target[STATE_PROPERTY]).toEqual({
			version: 1,
			notified: { anna: { '+49301111111': NOW - 1 } },
			logins: { ben: NOW - 2 },
			calls: { 'call-2': NOW - 3 },
		});
	});
});

describe('bounds', () => {
	it('forgets entries older than the retention on every commit', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock, retentionDays: 7 });
		session.recordNotification('anna', 'old', NOW - 8 * DAY);
		session.recordNotification('anna', 'recent', NOW - 6 * DAY);
		session.recordLogin('anna', NOW - 8 * DAY);
		session.recordLogin('ben', NOW - 1 * DAY);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(target[STATE_PROPERTY]).toMatchObject({
			notified: { anna: { recent: NOW - 6 * DAY } },
			logins: { ben: NOW - DAY },
		});
		expect(session.lastNotified('anna', 'old')).toBeNull();
	});

	it('forgets expired call ids, so the duplicate window is the retention', () => {
		let now = NOW;
		const session = openFilterState(uniqueKey(), {}, { now: () => now, retentionDays: 1 });
		session.claimCall('call-1');
		now += DAY + 1;
		session.commit({});
		expect(session.isProcessed('call-1')).toBe(false);
	});

	it('drops stored entries beyond the retention when loading them', () => {
		const stored = { [STATE_PROPERTY]: { version: 1, notified: {}, logins: {}, calls: { old: NOW - 31 * DAY, new: NOW - DAY } } };
		const session = openFilterState(uniqueKey(), stored, { now: clock });
		expect(session.isProcessed('old')).toBe(false);
		expect(session.isProcessed('new')).toBe(true);
	});

	it('caps each kind of entry, the oldest going first', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock, maxEntries: 2 });
		session.recordNotification('anna', 'a', NOW - 3000);
		session.recordNotification('ben', 'b', NOW - 1000);
		session.recordNotification('anna', 'c', NOW - 2000);
		session.recordNotification('carla', 'd', NOW - 4000);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(target[STATE_PROPERTY]).toMatchObject({ notified: { ben: { b: NOW - 1000 }, anna: { c: NOW - 2000 } } });
		expect(Object.keys((target[STATE_PROPERTY] as { notified: object }).notified).sort()).toEqual(['anna', 'ben']);
	});

	it.each([
		[{ retentionDays: 0.5 }, 'retentionDays', /retentionDays is 0.5; it must be at least 1/],
		[{ maxEntries: 0 }, 'maxEntries', /maxEntries is 0/],
		[{ maxEntries: 2.5 }, 'maxEntries', /maxEntries is 2.5/],
	])('refuses %j', (options, setting, message) => {
		const error = caught(() => openFilterState(uniqueKey(), {}, options));
		expect(error).toBeInstanceOf(ConfigurationError);
		expect(error).toMatchObject({ setting, message: expect.stringMatching(message) });
	});
});

describe('concurrent executions in one process', () => {
	it('two executions that loaded the same static data lose nothing, whichever is saved last', () => {
		const key = uniqueKey();
		const loaded = {
			[STATE_PROPERTY]: { version: 1, notified: { anna: { caller: NOW - 5000 } }, logins: {}, calls: {} },
		};
		// n8n gives each execution its own copy of the static data.
		const staticDataA = structuredClone(loaded);
		const staticDataB = structuredClone(loaded);
		const a = openFilterState(key, staticDataA, { now: clock });
		const b = openFilterState(key, staticDataB, { now: clock });
		a.claimCall('call-a');
		a.recordNotification('anna', 'caller', NOW - 3000);
		b.claimCall('call-b');
		b.recordNotification('anna', 'caller', NOW - 4000);
		b.recordNotification('ben', 'caller', NOW - 4000);
		b.recordLogin('ben', NOW - 100);
		a.commit(staticDataA);
		b.commit(staticDataB);
		const everything = {
			version: 1,
			notified: { anna: { caller: NOW - 3000 }, ben: { caller: NOW - 4000 } },
			logins: { ben: NOW - 100 },
			calls: { 'call-a': NOW, 'call-b': NOW },
		};
		expect(staticDataA[STATE_PROPERTY]).toEqual(everything);
		expect(staticDataB[STATE_PROPERTY]).toEqual(everything);
	});

	it('merges static data written elsewhere at commit, newest time per key', () => {
		const key = uniqueKey();
		const session = openFilterState(key, {}, { now: clock });
		session.recordNotification('anna', 'caller', NOW - 3000);
		const target = {
			[STATE_PROPERTY]: {
				version: 1,
				notified: { anna: { caller: NOW - 1000, other: NOW - 9000 } },
				logins: {},
				calls: { 'call-x': NOW - 7 },
			},
		};
		session.commit(target);
		expect(target[STATE_PROPERTY]).toEqual({
			version: 1,
			notified: { anna: { caller: NOW - 1000, other: NOW - 9000 } },
			logins: {},
			calls: { 'call-x': NOW - 7 },
		});
	});

	it('a call claimed by one execution is processed for the other', () => {
		const key = uniqueKey();
		const a = openFilterState(key, {}, { now: clock });
		const b = openFilterState(key, {}, { now: clock });
		expect(a.claimCall('call-1')).toBe(true);
		expect(b.isProcessed('call-1')).toBe(true);
		expect(b.claimCall('call-1')).toBe(false);
	});

	it('a private session (manual run) neither sees nor changes the shared store', () => {
		const key = uniqueKey();
		const shared = openFilterState(key, {}, { now: clock });
		shared.claimCall('call-1');
		const manual = openFilterState(key, {}, { now: clock, shared: false });
		expect(manual.isProcessed('call-1')).toBe(false);
		manual.claimCall('call-2');
		expect(shared.isProcessed('call-2')).toBe(false);
	});

	it('different nodes have different stores', () => {
		const a = openFilterState(uniqueKey(), {}, { now: clock });
		const b = openFilterState(uniqueKey(), {}, { now: clock });
		a.claimCall('call-1');
		expect(b.isProcessed('call-1')).toBe(false);
	});
});
