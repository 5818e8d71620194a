import fc from 'fast-check';

import {
	confirmNotification,
	forgetNotification,
	openFilterState,
	STATE_PROPERTY,
	type FilterStateSession,
} from '../../../nodes/MissedCallFilter/state';
import type { RememberedNotification } from '../../../nodes/shared/notification';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { caught } from './fixtures';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2024-03-05T12:00:00Z');
const clock = () => NOW;

/** The in-process store lives as long as the module: every test takes its own node key. */
let keys = 0;
const uniqueKey = () => `workflow-1/node-${++keys}`;

/** What n8n hands the next execution: the static data as saved in its database, parsed anew. */
const reloaded = <T>(staticData: T): T => JSON.parse(JSON.stringify(staticData)) as T;

/** The stored state: each table a journal of tab-separated records, see docs/filter.md. */
interface Stored {
	version: number;
	writer: string;
	notified: string;
	logins: string;
	calls: string;
}
const storedIn = (staticData: Record<string, unknown>) => staticData[STATE_PROPERTY] as Stored;

interface Tables {
	notified: Record<string, Record<string, number>>;
	logins: Record<string, number>;
	calls: Record<string, number>;
}

/** Written from the format's description: `%`, space and `;` in names as %25, %20, %3B. */
const escapeName = (name: string) => name.replace(/%/g, '%25').replace(/ /g, '%20').replace(/;/g, '%3B');
const unescapeName = (text: string) =>
	text.replace(/%3B/g, ';').replace(/%20/g, ' ').replace(/%25/g, '%');

/** A journal's tables: the last record per name wins, time `-` removes it. */
function tables(stored: Stored): Tables {
	const replayed = (journal: string) => {
		const last = new Map<string, string>();
		for (const record of journal.split(';').filter(Boolean)) {
			const fields = record.split(' ');
			last.set(fields.slice(0, -1).join(' '), fields[fields.length - 1]);
		}
		return [...last].filter(([, time]) => time !== '-').map(([key, time]) => ({ names: key.split(' ').map(unescapeName), at: Number(time) }));
	};
	// Without prototypes, so ids like `constructor` are plain keys.
	const table = () => Object.create(null) as Record<string, number>;
	const result: Tables = { notified: Object.create(null) as Tables['notified'], logins: table(), calls: table() };
	for (const { names: [userId, callerKey], at } of replayed(stored.notified)) (result.notified[userId] ??= table())[callerKey] = at;
	for (const { names: [userId], at } of replayed(stored.logins)) result.logins[userId] = at;
	for (const { names: [callId], at } of replayed(stored.calls)) result.calls[callId] = at;
	return result;
}
const tablesIn = (staticData: Record<string, unknown>) => tables(reloaded(storedIn(staticData)));

/** A record as another writer appends it. */
const record = (names: string[], at: number) => `${names.map(escapeName).join(' ')} ${at};`;

/** A node whose store remembered what `remember` did and committed it into new static data. */
function committed(remember: (session: FilterStateSession) => void) {
	const key = uniqueKey();
	const staticData: Record<string, unknown> = {};
	const session = openFilterState(key, staticData, { now: clock });
	remember(session);
	session.commit(staticData);
	return { key, staticData, session };
}

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

describe('a notification whose mail was not sent', () => {
	const CALLER_KEY = '+49301234567';
	const notify = (session: FilterStateSession, at: number) =>
		session.apply({ notified: [{ userId: 'anna', callerKey: CALLER_KEY, at }] });

	it('is taken back, and the committed static data no longer has it', () => {
		const { staticData, session } = committed(() => undefined);
		const [remembered] = notify(session, NOW - 1000);
		expect(remembered).toMatchObject({ userId: 'anna', callerKey: CALLER_KEY, at: NOW - 1000, previous: null });
		session.commit(staticData);
		forgetNotification(remembered);
		expect(session.lastNotified('anna', CALLER_KEY)).toBeNull();
		// The object n8n saves when the execution ends, failed or not: changed in place.
		expect(tablesIn(staticData).notified).toEqual({});
	});

	it('brings back the notification before it, and a mail sent on a retry counts again', () => {
		const { staticData, session } = committed(() => undefined);
		notify(session, NOW - 5000);
		const [remembered] = notify(session, NOW - 1000);
		expect(remembered.previous).toBe(NOW - 5000);
		session.commit(staticData);
		forgetNotification(remembered);
		expect(session.lastNotified('anna', CALLER_KEY)).toBe(NOW - 5000);
		expect(tablesIn(staticData).notified).toEqual({ anna: { [CALLER_KEY]: NOW - 5000 } });
		confirmNotification(remembered);
		expect(session.lastNotified('anna', CALLER_KEY)).toBe(NOW - 1000);
		expect(tablesIn(staticData).notified).toEqual({ anna: { [CALLER_KEY]: NOW - 1000 } });
	});

	it('leaves a later notification about the same caller alone', () => {
		const { session } = committed(() => undefined);
		const [first] = notify(session, NOW - 5000);
		notify(session, NOW - 1000);
		forgetNotification(first);
		expect(session.lastNotified('anna', CALLER_KEY)).toBe(NOW - 1000);
	});

	it('nothing is handed out when nothing changed, or for a private session', () => {
		const { session } = committed(() => undefined);
		notify(session, NOW - 1000);
		expect(notify(session, NOW - 5000)).toEqual([]);
		const manual = openFilterState(uniqueKey(), {}, { now: clock, shared: false });
		expect(notify(manual, NOW - 1000)).toEqual([]);
	});

	it('ignores what is not a remembered notification (items built by hand)', () => {
		const { session } = committed(() => undefined);
		const [remembered] = notify(session, NOW - 1000);
		for (const value of [undefined, null, 'x', {}, { ...remembered, at: 'soon' }, { ...remembered, previous: 'x' }]) {
			forgetNotification(value);
			confirmNotification(value);
		}
		forgetNotification({ ...remembered, store: 'unknown/node' });
		expect(session.lastNotified('anna', CALLER_KEY)).toBe(NOW - 1000);
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
		expect(Object.keys(staticData)).toEqual(['somethingElse', STATE_PROPERTY]);
		expect(staticData.somethingElse).toBe(1);
		expect(reloaded(storedIn(staticData))).toEqual({
			version: 2,
			writer: expect.any(String),
			notified: `anna +49301234567 ${NOW - 1000};`,
			logins: `anna ${NOW - 2000};`,
			calls: `call-1 ${NOW};`,
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

	it('does not read static data it committed itself again, yet sees all of it', () => {
		const { key, staticData } = committed((first) => {
			first.claimCall('call-1');
			first.recordNotification('anna', '+49301234567', NOW - 1000);
		});
		const written = staticData[STATE_PROPERTY];

		// Were the copy read, this entry would be remembered: the store already holds all the copy has.
		const copy = reloaded(staticData);
		storedIn(copy).calls += record(['planted'], NOW);
		const second = openFilterState(key, copy, { now: clock });
		expect(second.isProcessed('call-1')).toBe(true);
		expect(second.lastNotified('anna', '+49301234567')).toBe(NOW - 1000);
		expect(second.isProcessed('planted')).toBe(false);
		second.claimCall('call-2');
		second.commit(copy);
		expect(Object.keys(tablesIn(copy).calls).sort()).toEqual(['call-1', 'call-2']);

		// The object n8n still holds from the first execution: updated in place, not rebuilt.
		const third = openFilterState(key, staticData, { now: clock });
		expect(third.isProcessed('call-2')).toBe(true);
		third.commit(staticData);
		expect(staticData[STATE_PROPERTY]).toBe(written);
	});

	it('does not bring back what it dropped when an older copy of its own static data comes back', () => {
		let now = NOW;
		const key = uniqueKey();
		const options = { now: () => now, maxEntries: 2 };
		const staticData: Record<string, unknown> = {};
		const first = openFilterState(key, staticData, options);
		first.claimCall('call-1');
		first.commit(staticData);
		const older = reloaded(staticData);
		now += 1000;
		first.claimCall('call-2');
		now += 1000;
		first.claimCall('call-3');
		first.commit(staticData);

		const second = openFilterState(key, older, options);
		expect(second.isProcessed('call-1')).toBe(false);
		expect(second.isProcessed('call-3')).toBe(true);
	});

	it.each([
		[
			'another worker or process',
			(stored: Stored) => ({
				...stored,
				writer: 'another-worker',
				notified: stored.notified + record(['anna', 'caller'], NOW - 1000),
				logins: stored.logins + record(['ben'], NOW - 2000),
				calls: stored.calls + record(['call-x'], NOW - 7),
			}),
		],
		[
			'an older release (tables as objects, no writer)',
			() => ({
				version: 1,
				notified: { anna: { caller: NOW - 1000 } },
				logins: { ben: NOW - 2000 },
				calls: { 'call-x': NOW - 7 },
			}),
		],
	])('merges static data written by %s entry by entry', (_case, rewrite) => {
		const { key, staticData } = committed((session) => session.recordNotification('anna', 'caller', NOW - 3000));
		const elsewhere = reloaded(staticData);
		elsewhere[STATE_PROPERTY] = rewrite(storedIn(elsewhere));

		const next = openFilterState(key, elsewhere, { now: clock });
		expect(next.lastNotified('anna', 'caller')).toBe(NOW - 1000);
		expect(next.lastLogin('ben')).toBe(NOW - 2000);
		expect(next.isProcessed('call-x')).toBe(true);
	});

	it('stores names with the journal\'s separators in them and reads them back', () => {
		const names = { user: 'Anna Berg %20', caller: '+49;30', call: 'call 1;%' };
		const { staticData } = committed((session) => {
			session.recordNotification(names.user, names.caller, NOW - 1000);
			session.recordLogin(names.user, NOW - 2000);
			session.claimCall(names.call);
		});
		expect(storedIn(staticData).calls.split(';')).toHaveLength(2);
		const after = openFilterState(uniqueKey(), reloaded(staticData), { now: clock });
		expect(after.lastNotified(names.user, names.caller)).toBe(NOW - 1000);
		expect(after.lastLogin(names.user)).toBe(NOW - 2000);
		expect(after.isProcessed(names.call)).toBe(true);
	});

	it('a restarted process merges what the previous one committed', () => {
		const { staticData } = committed((before) => before.claimCall('call-1'));
		// A new node key stands for the new process's empty store.
		const after = openFilterState(uniqueKey(), reloaded(staticData), { now: clock });
		expect(after.isProcessed('call-1')).toBe(true);
		const target = reloaded(staticData);
		after.commit(target);
		expect(storedIn(target).writer).not.toBe(storedIn(staticData).writer);
	});

	it.each([
		['nothing', undefined],
		['null', null],
		['a string', 'garbage'],
		['our property as a string', { [STATE_PROPERTY]: 'x' }],
		['an unknown version', { [STATE_PROPERTY]: { version: 3, calls: `call-1 ${NOW};` } }],
		['wrong shapes', { [STATE_PROPERTY]: { version: 1, notified: ['anna'], logins: 'anna', calls: 7 } }],
		['wrong shapes of journals', { [STATE_PROPERTY]: { version: 2, notified: { anna: 1 }, logins: 7, calls: null } }],
	])('tolerates %s and starts empty', (_case, stored) => {
		const session = openFilterState(uniqueKey(), stored, { now: clock });
		expect(session.isProcessed('call-1')).toBe(false);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(reloaded(target[STATE_PROPERTY])).toEqual({
			version: 2,
			writer: expect.any(String),
			notified: '',
			logins: '',
			calls: '',
		});
	});

	it.each([
		[
			'tables as objects (older release)',
			{
				version: 1,
				notified: { anna: { '+49301234567': 'yesterday', '+49301111111': NOW - 1 }, ben: 5 },
				logins: { anna: Number.NaN, ben: NOW - 2 },
				calls: { 'call-1': null, 'call-2': NOW - 3 },
			},
		],
		[
			'journals',
			{
				version: 2,
				notified: `anna +49301234567 yesterday;anna +49301111111 ${NOW - 1};ben 5;ben x y ${NOW};`,
				logins: `anna NaN;anna ;;ben ${NOW - 2};no-time-at-all;`,
				calls: `call-1 ${NOW};call-1 -;call-2 ${NOW - 3}`,
			},
		],
	])('keeps the usable entries of a partly broken state: %s', (_case, broken) => {
		const session = openFilterState(uniqueKey(), { [STATE_PROPERTY]: broken }, { now: clock });
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(tablesIn(target)).toEqual({
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
		// Retention covers notifications and logins (docs/filter.md, Retention and size): what is
		// older than 7 days goes, from the static data and from the session alike; no call was claimed.
		expect(tablesIn(target)).toEqual({
			notified: { anna: { recent: NOW - 6 * DAY } },
			logins: { ben: NOW - DAY },
			calls: {},
		});
		expect(session.lastNotified('anna', 'old')).toBeNull();
		expect(session.lastNotified('anna', 'recent')).toBe(NOW - 6 * DAY);
		expect(session.lastLogin('anna')).toBeNull();
		expect(session.lastLogin('ben')).toBe(NOW - DAY);
	});

	it('forgets call ids after the duplicate window, 48 hours unless set', () => {
		let now = NOW;
		const session = openFilterState(uniqueKey(), {}, { now: () => now });
		session.claimCall('call-1');
		session.recordNotification('anna', 'caller', NOW);
		now += 48 * HOUR;
		session.commit({});
		expect(session.isProcessed('call-1')).toBe(true);
		now += 1;
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(session.isProcessed('call-1')).toBe(false);
		expect(tablesIn(target)).toEqual({ notified: { anna: { caller: NOW } }, logins: {}, calls: {} });
	});

	it('forgets call ids after a window set in hours, also when loading them', () => {
		let now = NOW;
		const options = { now: () => now, duplicateWindowHours: 2 };
		const { staticData } = committed((session) => session.claimCall('call-1'));
		now += 2 * HOUR + 1;
		const after = openFilterState(uniqueKey(), reloaded(staticData), options);
		expect(after.isProcessed('call-1')).toBe(false);
	});

	it('keeps call ids no longer than the retention, whatever the window', () => {
		let now = NOW;
		const session = openFilterState(uniqueKey(), {}, { now: () => now, retentionDays: 1, duplicateWindowHours: 100 });
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

	it('caps notifications, the oldest going first', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock, maxEntries: 2 });
		session.recordNotification('anna', 'a', NOW - 3000);
		session.recordNotification('ben', 'b', NOW - 1000);
		session.recordNotification('anna', 'c', NOW - 2000);
		session.recordNotification('carla', 'd', NOW - 4000);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(tablesIn(target).notified).toEqual({ ben: { b: NOW - 1000 }, anna: { c: NOW - 2000 } });
	});

	it('caps the whole state, the oldest entries going first whatever their kind', () => {
		const session = openFilterState(uniqueKey(), {}, { now: clock, maxEntries: 3 });
		session.recordLogin('anna', NOW - 5000);
		session.claimCall('call-1');
		session.recordNotification('anna', 'a', NOW - 1000);
		session.recordNotification('ben', 'b', NOW - 6000);
		session.recordLogin('ben', NOW - 500);
		const target: Record<string, unknown> = {};
		session.commit(target);
		expect(tablesIn(target)).toEqual({
			notified: { anna: { a: NOW - 1000 } },
			logins: { ben: NOW - 500 },
			calls: { 'call-1': NOW },
		});
		expect(session.lastLogin('anna')).toBeNull();
		expect(session.lastNotified('ben', 'b')).toBeNull();
	});

	it('keeps pruning as time passes, also while it reads nothing from the static data it committed', () => {
		let now = NOW;
		const key = uniqueKey();
		const staticData: Record<string, unknown> = {};
		const options = { now: () => now, retentionDays: 1 };
		const first = openFilterState(key, staticData, options);
		// Out of the order of their times, as a late call record delivers them.
		first.recordNotification('anna', 'late', NOW - 1000);
		first.recordNotification('anna', 'early', NOW - 20 * HOUR);
		first.claimCall('call-1');
		first.recordLogin('ben', NOW - 2 * HOUR);
		first.commit(staticData);

		now = NOW + 5 * HOUR;
		const second = openFilterState(key, staticData, options);
		expect(second.lastNotified('anna', 'early')).toBeNull();
		expect(second.lastNotified('anna', 'late')).toBe(NOW - 1000);
		second.commit(staticData);
		expect(tablesIn(staticData)).toEqual({
			notified: { anna: { late: NOW - 1000 } },
			logins: { ben: NOW - 2 * HOUR },
			calls: { 'call-1': NOW },
		});

		now = NOW + 23 * HOUR;
		const third = openFilterState(key, reloaded(staticData), options);
		expect(third.lastLogin('ben')).toBeNull();
		expect(third.isProcessed('call-1')).toBe(true);
		third.commit(staticData);
		expect(tablesIn(staticData)).toEqual({ notified: { anna: { late: NOW - 1000 } }, logins: {}, calls: { 'call-1': NOW } });
	});

	it('stays exact when one entry is recorded again and again', () => {
		const key = uniqueKey();
		const session = openFilterState(key, {}, { now: clock });
		// Each login older than the one before, so their order matters.
		for (let index = 0; index < 10; index++) session.recordLogin(`user-${index}`, NOW - 10_000 - index * 100);
		for (let at = NOW - 5000; at < NOW; at++) session.recordNotification('anna', 'caller', at);
		session.claimCall('call-1');
		session.commit({});
		const target: Record<string, unknown> = {};
		openFilterState(key, {}, { now: clock, maxEntries: 4 }).commit(target);
		expect(tablesIn(target)).toEqual({
			notified: { anna: { caller: NOW - 1 } },
			logins: { 'user-0': NOW - 10_000, 'user-1': NOW - 10_100 },
			calls: { 'call-1': NOW },
		});
	});

	it('keeps the stored journal about as long as the state, however often entries change', () => {
		let now = NOW;
		const { staticData, session } = committed(() => undefined);
		for (let index = 0; index < 20_000; index++) {
			now++;
			session.recordLogin(`user-${index % 10}`, now);
			if (index % 100 === 0) session.commit(staticData);
		}
		session.commit(staticData);
		const records = storedIn(staticData).logins.split(';').length - 1;
		// 10 entries; outdated records are tolerated up to a bounded slack, not 20,000 of them.
		expect(records).toBeLessThan(2_000);
		expect(tablesIn(staticData).logins).toEqual(
			Object.fromEntries(Array.from({ length: 10 }, (_, user) => [`user-${user}`, now - 9 + user])),
		);
	});

	it.each([
		[{ retentionDays: 0.5 }, 'retentionDays', /^Options → Retention \(Days\) is 0.5; it must be a number of days, 1 or more \(the same-day rule needs a day\)/],
		[{ maxEntries: 0 }, 'maxEntries', /^Options → Max Remembered Entries is 0/],
		[{ maxEntries: 2.5 }, 'maxEntries', /^Options → Max Remembered Entries is 2.5/],
		[{ duplicateWindowHours: 0.5 }, 'duplicateWindowHours', /^Options → Duplicate Window \(Hours\) is 0.5; it must be a number of hours, 1 or more/],
	])('refuses %j', (options, setting, message) => {
		const error = caught(() => openFilterState(uniqueKey(), {}, options));
		expect(error).toBeInstanceOf(ConfigurationError);
		expect(error).toMatchObject({ setting, message: expect.stringMatching(message) });
	});
});

describe('concurrent executions in one process', () => {
	it.each([
		[
			'static data from elsewhere',
			() => {
				const loaded = {
					[STATE_PROPERTY]: { version: 1, notified: { anna: { caller: NOW - 5000 } }, logins: {}, calls: {} },
				};
				return { key: uniqueKey(), staticData: loaded };
			},
		],
		[
			'copies of static data this store committed',
			() => committed((earlier) => earlier.recordNotification('anna', 'caller', NOW - 5000)),
		],
	])('two executions that loaded the same %s lose nothing, whichever is saved last', (_case, load) => {
		const { key, staticData } = load();
		// n8n gives each execution its own copy of the static data.
		const staticDataA = reloaded(staticData);
		const staticDataB = reloaded(staticData);
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
			notified: { anna: { caller: NOW - 3000 }, ben: { caller: NOW - 4000 } },
			logins: { ben: NOW - 100 },
			calls: { 'call-a': NOW, 'call-b': NOW },
		};
		// What n8n saves, whichever of the two it saves last.
		expect(tablesIn(staticDataA)).toEqual(everything);
		expect(tablesIn(staticDataB)).toEqual(everything);
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
		expect(tablesIn(target)).toEqual({
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

	it('a private session works on a copy of static data the shared store committed', () => {
		const { key, staticData, session: shared } = committed((session) => session.claimCall('call-1'));
		const manual = openFilterState(key, staticData, { now: clock, shared: false });
		expect(manual.isProcessed('call-1')).toBe(true);
		manual.claimCall('call-2');
		manual.commit(staticData);
		expect(shared.isProcessed('call-2')).toBe(false);
		const next = openFilterState(key, {}, { now: clock });
		expect(next.isProcessed('call-2')).toBe(false);
	});

	it('different nodes have different stores', () => {
		const a = openFilterState(uniqueKey(), {}, { now: clock });
		const b = openFilterState(uniqueKey(), {}, { now: clock });
		a.claimCall('call-1');
		expect(b.isProcessed('call-1')).toBe(false);
	});
});

describe('against a plain model: newest time per entry, then retention, then the oldest over the cap', () => {
	type Op =
		| { kind: 'notify'; user: string; caller: string; hoursAgo: number }
		| { kind: 'login'; user: string; hoursAgo: number }
		| { kind: 'claim'; call: string }
		| { kind: 'wait'; hours: number }
		| { kind: 'commit' }
		| { kind: 'restart' }
		| { kind: 'elsewhere'; user: string; caller: string; call: string; hoursAgo: number; asObjects: boolean }
		| { kind: 'unsent'; pick: number }
		| { kind: 'sent'; pick: number };
	const user = fc.constantFrom('anna', 'ben', 'constructor');
	const caller = fc.constantFrom('x', 'y', 'z %20');
	const call = fc.constantFrom('c1', 'c2', 'c3;', '__proto__');
	const hoursAgo = fc.integer({ min: 0, max: 40 });
	const op: fc.Arbitrary<Op> = fc.oneof(
		fc.record({ kind: fc.constant('notify' as const), user, caller, hoursAgo }),
		fc.record({ kind: fc.constant('login' as const), user, hoursAgo }),
		fc.record({ kind: fc.constant('claim' as const), call }),
		fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 20 }) }),
		fc.record({ kind: fc.constant('commit' as const) }),
		fc.record({ kind: fc.constant('restart' as const) }),
		fc.record({ kind: fc.constant('elsewhere' as const), user, caller, call, hoursAgo, asObjects: fc.boolean() }),
		fc.record({ kind: fc.constant('unsent' as const), pick: fc.nat() }),
		fc.record({ kind: fc.constant('sent' as const), pick: fc.nat() }),
	);

	/** The state as one map `kind|id|caller` → time, from what a commit wrote. */
	function flatten(stored: Tables): Map<string, number> {
		const entries = new Map<string, number>();
		for (const [userId, callers] of Object.entries(stored.notified)) {
			for (const [callerKey, at] of Object.entries(callers)) entries.set(`n|${userId}|${callerKey}`, at);
		}
		for (const [userId, at] of Object.entries(stored.logins)) entries.set(`l|${userId}`, at);
		for (const [callId, at] of Object.entries(stored.calls)) entries.set(`c|${callId}`, at);
		return entries;
	}

	it('keeps exactly what the model keeps, commit after commit', () => {
		fc.assert(
			fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 30 }), (ops, maxEntries, windowHours) => {
				let key = uniqueKey();
				let hours = 0;
				let step = 0;
				// Every time is distinct (ties would leave "the oldest" open): a step adds a millisecond,
				// and recorded times sit half a millisecond off the clock's.
				const now = () => NOW + hours * HOUR + step;
				const past = (ago: number) => now() - ago * HOUR + 0.5;
				const options = { now, maxEntries, retentionDays: 1, duplicateWindowHours: windowHours };
				const model = new Map<string, number>();
				const keep = (entry: string, at: number) => {
					if (!(at <= (model.get(entry) ?? -Infinity))) model.set(entry, at);
				};
				const prune = () => {
					// Call ids expire after the window, at most the retention; everything else after the retention.
					const keptFor = (entry: string) => (entry.startsWith('c|') ? Math.min(windowHours * HOUR, DAY) : DAY);
					for (const [entry, at] of model) if (at < now() - keptFor(entry)) model.delete(entry);
					const oldest = [...model].sort((a, b) => a[1] - b[1]);
					for (const [entry] of oldest.slice(0, Math.max(0, model.size - maxEntries))) model.delete(entry);
				};
				let staticData: Record<string, unknown> = {};
				let session = openFilterState(key, staticData, options);
				// What the last commit wrote into staticData, and by which store. A session opened from
				// other static data ('elsewhere') merges it entry by entry when it commits into staticData,
				// if another store wrote it: entries the cap dropped meanwhile come back if they now fit.
				let written: { by: string; entries: Map<string, number> } | undefined;
				let openedFromElsewhere = false;
				const commitIntoStaticData = () => {
					session.commit(staticData);
					if (openedFromElsewhere && written && written.by !== key) {
						for (const [entry, at] of written.entries) keep(entry, at);
					}
					prune();
					written = { by: key, entries: new Map(model) };
					openedFromElsewhere = false;
				};
				// Notifications whose mail may yet fail or be sent (again).
				const mails: RememberedNotification[] = [];
				const mail = (pick: number) => mails[pick % mails.length] as RememberedNotification | undefined;
				for (const next of [...ops, { kind: 'commit' } as const]) {
					step++;
					switch (next.kind) {
						case 'notify': {
							const at = past(next.hoursAgo);
							mails.push(...session.apply({ notified: [{ userId: next.user, callerKey: next.caller, at }] }));
							keep(`n|${next.user}|${next.caller}`, at);
							break;
						}
						case 'unsent': {
							const remembered = mail(next.pick);
							if (!remembered) break;
							forgetNotification(remembered);
							const entry = `n|${remembered.userId}|${remembered.callerKey}`;
							if (model.get(entry) !== remembered.at) break;
							if (remembered.previous === null) model.delete(entry);
							else model.set(entry, remembered.previous);
							break;
						}
						case 'sent': {
							const remembered = mail(next.pick);
							if (!remembered) break;
							confirmNotification(remembered);
							keep(`n|${remembered.userId}|${remembered.callerKey}`, remembered.at);
							break;
						}
						case 'login':
							session.recordLogin(next.user, past(next.hoursAgo));
							keep(`l|${next.user}`, past(next.hoursAgo));
							break;
						case 'claim':
							expect(session.claimCall(next.call)).toBe(!model.has(`c|${next.call}`));
							if (!model.has(`c|${next.call}`)) model.set(`c|${next.call}`, now());
							break;
						case 'wait':
							hours += next.hours;
							break;
						case 'commit':
							commitIntoStaticData();
							expect(flatten(tablesIn(staticData))).toEqual(model);
							session = openFilterState(key, reloaded(staticData), options);
							prune();
							break;
						case 'restart': {
							// A new process: a new store reads what the last commit saved; mails in flight are lost.
							commitIntoStaticData();
							staticData = reloaded(staticData);
							key = uniqueKey();
							session = openFilterState(key, staticData, options);
							mails.length = 0;
							prune();
							break;
						}
						case 'elsewhere': {
							const at = past(next.hoursAgo);
							const stored = next.asObjects
								? {
										version: 1,
										notified: { [next.user]: { [next.caller]: at } },
										logins: { [next.user]: at + 0.25 },
										calls: { [next.call]: at - 0.25 },
									}
								: {
										version: 2,
										writer: 'another-worker',
										notified: record([next.user, next.caller], at),
										logins: record([next.user], at + 0.25),
										calls: record([next.call], at - 0.25),
									};
							session = openFilterState(key, { [STATE_PROPERTY]: stored }, options);
							openedFromElsewhere = true;
							keep(`n|${next.user}|${next.caller}`, at);
							keep(`l|${next.user}`, at + 0.25);
							keep(`c|${next.call}`, at - 0.25);
							prune();
						}
					}
				}
			}),
		);
	});
});
