/**
 * The filter's memory (SPEC §4.5): per (user, caller) the last notification, per user the last
 * login, and the call ids already processed. Persisted in the workflow's static data.
 *
 * n8n loads static data when an execution starts and writes the whole object back when it ends, so
 * concurrent executions would overwrite each other. Every execution of one node in this process
 * therefore works on one shared in-process store, and `commit` puts the store's stored state (a
 * live view of every execution's updates) into the static data: whichever execution is saved last
 * saves everything. All of it is synchronous, so one decision plus its `apply` runs without any other
 * execution in between.
 *
 * n8n runs one execution per call, so opening and committing must not cost the state's size. The
 * stored state names the store that wrote it (`writer`, random per store): static data this store
 * committed (the same object, or n8n's copy re-loaded from its database) is not read at all, since
 * the store still has whatever in it is still kept. Only static data from elsewhere (a restart,
 * another worker, an older version) is merged entry by entry. Expiry and the cap take entries off
 * heaps ordered by time (call ids expire sooner, after the duplicate window, so they have their
 * own), so pruning touches only the entries that go.
 *
 * n8n itself parses, proxies and serialises the whole static data with every call, and that costs
 * per JSON value, far more than per byte. So each table is stored as one string: a journal of
 * `name time;` records (notifications `user caller time;`), the last record of a name wins and the
 * time `-` removes it. Separators that JSON need not escape keep n8n's parse and serialisation at
 * copying speed. Every change appends a record; the journal is rewritten from the tables once it
 * holds a quarter more records than entries.
 */
import { randomUUID } from 'node:crypto';

import type { RememberedNotification } from '../shared/notification';
import { numberSetting } from '../shared/settings';
import type { FilterMemory, StateUpdate } from './rules';

/** The property of the node's static data object this module owns. */
export const STATE_PROPERTY = 'missedCallFilter';
const STATE_VERSION = 2;
/** Objects of tables, as releases before the journal stored them; still read. */
const OBJECT_STATE_VERSION = 1;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Outdated records tolerated beyond the entries (heap) or a quarter more (journal) before a rebuild. */
const REBUILD_SLACK = 1024;
const REMOVED = '-';

export interface FilterStateOptions {
	/**
	 * Days an entry is kept, at least 1 (the same-day rule looks back one calendar day). The
	 * "until login" rule forgets a notification after this long. Default 30.
	 */
	retentionDays?: number;
	/**
	 * Hours a processed call id is kept, at least 1: the window in which a call record delivered
	 * again is recognised. Never longer than the retention. Default 48.
	 */
	duplicateWindowHours?: number;
	/**
	 * Cap for the whole state: notifications, logins and call ids together; the oldest entries go
	 * first, whatever their kind. Default 100 000.
	 */
	maxEntries?: number;
	/** false: work on a private copy, e.g. for manual runs whose static data n8n does not save. Default true. */
	shared?: boolean;
	/** Epoch milliseconds; the clock for pruning and for when a call was processed. */
	now?: () => number;
}

export const DEFAULT_STATE_OPTIONS = { retentionDays: 30, duplicateWindowHours: 48, maxEntries: 100_000 } as const;

/** Name → epoch milliseconds. Without a prototype, so ids like `constructor` are plain keys. */
type Times = Record<string, number>;

type Table = 'notified' | 'logins' | 'calls';

/** The JSON kept in static data: each table a journal string (see above). */
interface StoredState {
	version: typeof STATE_VERSION;
	/** The store that wrote it: that store still has whatever in it is still kept. */
	writer: string;
	/** Records `userId callerKey time;` (caller key: E.164): the last notification. */
	notified: string;
	/** Records `userId time;`: the last login. */
	logins: string;
	/** Records `callId time;`: when the call was processed. */
	calls: string;
}

/** One entry of a table; `userId` set for notifications, whose `times` is that user's table. */
interface Entry {
	times: Times;
	name: string;
	userId?: string;
}

/** An entry's time when it was recorded; outdated once the entry is newer or gone. */
interface Age extends Entry {
	at: number;
}

interface Store {
	writer: string;
	/** userId → caller key → last notification. */
	notified: Record<string, Times>;
	/** userId → last login. */
	logins: Times;
	/** callId → when it was processed. */
	calls: Times;
	/** Per table every change in order; replaying it gives the table. */
	journal: Record<Table, string>;
	/** Records in the journals, outdated ones included. */
	records: number;
	/** What `commit` puts into static data: its tables are read when n8n serialises it. */
	stored: StoredState;
	/** Entries of all kinds, as the cap counts them. */
	size: number;
	/** Notifications per user. */
	callers: Map<string, number>;
	/**
	 * Min-heaps by `at` of notifications and logins, and of call ids (which expire sooner); outdated
	 * records stay until they surface or the heaps are rebuilt.
	 */
	ages: Age[];
	callAges: Age[];
}

export interface FilterStateSession extends FilterMemory {
	/** Marks the call processed; false when it already was (by this or a concurrent execution). */
	claimCall(callId: string): boolean;
	recordNotification(userId: string, callerKey: string, at: number): void;
	recordLogin(userId: string, at: number): void;
	/**
	 * Records what a decision says to remember (its call claimed, notifications, a login). Returns
	 * the notifications it recorded, for the mail node to take back when a mail is not sent; none
	 * for a private copy, whose memory nobody else sees.
	 */
	apply(update: StateUpdate | null): RememberedNotification[];
	/** Prunes and puts the store's live stored state into the static-data object, in place (n8n saves that object). */
	commit(target: Record<string, unknown>): void;
}

const stores = new Map<string, Store>();

function newTimes(): Times {
	return Object.create(null) as Times;
}

function newStore(): Store {
	const store: Store = {
		writer: randomUUID(),
		notified: Object.create(null) as Record<string, Times>,
		logins: newTimes(),
		calls: newTimes(),
		journal: { notified: '', logins: '', calls: '' },
		records: 0,
		stored: {} as StoredState,
		size: 0,
		callers: new Map(),
		ages: [],
		callAges: [],
	};
	// Live, so a notification taken back after the commit (the mail failed) is saved without it.
	store.stored = Object.defineProperties({ version: STATE_VERSION, writer: store.writer } as StoredState, {
		notified: { enumerable: true, get: () => store.journal.notified },
		logins: { enumerable: true, get: () => store.journal.logins },
		calls: { enumerable: true, get: () => store.journal.calls },
	});
	return store;
}

const FIELD = ' ';
const RECORD = ';';
const ESCAPED = /[% ;]/g;
const ESCAPES: Record<string, string> = { '%': '%25', ' ': '%20', ';': '%3B' };

/** Call ids and user ids come from outside: the journal's separators in them are %-escaped. */
function escapeName(name: string): string {
	return name.replace(ESCAPED, (character) => ESCAPES[character]);
}

function unescapeName(text: string): string {
	return text.includes('%')
		? text.replace(/%(25|20|3B)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
		: text;
}

/** One journal record: the entry's names, its time or REMOVED. */
function record(name: string, userId: string | undefined, at: number | null): string {
	const names = userId === undefined ? escapeName(name) : `${escapeName(userId)}${FIELD}${escapeName(name)}`;
	return `${names}${FIELD}${at ?? REMOVED}${RECORD}`;
}

function journal(store: Store, { times, name, userId }: Entry, at: number | null): void {
	const table: Table = userId !== undefined ? 'notified' : times === store.logins ? 'logins' : 'calls';
	store.journal[table] += record(name, userId, at);
	store.records++;
}

/** Rewrites the journals once outdated records exceed a quarter of the entries (plus a slack). */
function compact(store: Store): void {
	if (store.records <= store.size + (store.size >> 2) + REBUILD_SLACK) return;
	const records = (times: Times, userId?: string) =>
		Object.keys(times)
			.map((name) => record(name, userId, times[name]))
			.join('');
	store.journal = {
		notified: Object.keys(store.notified)
			.map((userId) => records(store.notified[userId], userId))
			.join(''),
		logins: records(store.logins),
		calls: records(store.calls),
	};
	store.records = store.size;
}

function isCurrent(age: Age): boolean {
	return age.times[age.name] === age.at;
}

function siftUp(ages: Age[], index: number): void {
	const age = ages[index];
	while (index > 0) {
		const parent = (index - 1) >> 1;
		if (ages[parent].at <= age.at) break;
		ages[index] = ages[parent];
		index = parent;
	}
	ages[index] = age;
}

function siftDown(ages: Age[], index: number): void {
	const age = ages[index];
	for (;;) {
		let child = 2 * index + 1;
		if (child >= ages.length) break;
		if (child + 1 < ages.length && ages[child + 1].at < ages[child].at) child++;
		if (ages[child].at >= age.at) break;
		ages[index] = ages[child];
		index = child;
	}
	ages[index] = age;
}

function track(store: Store, age: Age): void {
	const heap = age.times === store.calls ? store.callAges : store.ages;
	heap.push(age);
	siftUp(heap, heap.length - 1);
}

function removeOldestAge(ages: Age[]): void {
	const last = ages.pop() as Age;
	if (ages.length === 0) return;
	ages[0] = last;
	siftDown(ages, 0);
}

/** Per entry the newest time wins, so merging in any order gives the same result. */
function keepNewest(store: Store, times: Times, name: string, at: number, userId?: string): void {
	const known = times[name];
	if (known !== undefined && at <= known) return;
	if (known === undefined) {
		store.size++;
		if (userId !== undefined) store.callers.set(userId, (store.callers.get(userId) ?? 0) + 1);
	}
	times[name] = at;
	journal(store, { times, name, userId }, at);
	track(store, { at, times, name, userId });
}

function keepNotification(store: Store, userId: string, callerKey: string, at: number): void {
	const times = (store.notified[userId] ??= newTimes());
	keepNewest(store, times, callerKey, at, userId);
}

/** Its heap record, if any, is outdated from now on and skipped when it surfaces. */
function remove(store: Store, entry: Entry): void {
	const { times, name, userId } = entry;
	delete times[name];
	journal(store, entry, null);
	store.size--;
	if (userId === undefined) return;
	const left = (store.callers.get(userId) ?? 1) - 1;
	if (left > 0) {
		store.callers.set(userId, left);
	} else {
		store.callers.delete(userId);
		delete store.notified[userId];
	}
}

/** The heap's oldest current record, outdated ones above it dropped on the way. */
function oldestCurrent(ages: Age[]): Age | undefined {
	while (ages.length > 0 && !isCurrent(ages[0])) removeOldestAge(ages);
	return ages[0];
}

function rebuilt(ages: Age[]): Age[] {
	const current = ages.filter(isCurrent);
	for (let index = (current.length >> 1) - 1; index >= 0; index--) siftDown(current, index);
	return current;
}

interface Bounds {
	/** Notifications and logins older than this expire. */
	oldest: number;
	/** Call ids processed before this expire. */
	oldestCall: number;
	maxEntries: number;
}

/** Expired entries first, then the oldest of any kind until the whole state fits the cap. */
function prune(store: Store, { oldest, oldestCall, maxEntries }: Bounds): void {
	const removeOldest = (ages: Age[]) => {
		remove(store, ages[0]);
		removeOldestAge(ages);
	};
	const expire = (ages: Age[], before: number) => {
		for (let age = oldestCurrent(ages); age && age.at < before; age = oldestCurrent(ages)) removeOldest(ages);
	};
	expire(store.ages, oldest);
	expire(store.callAges, oldestCall);
	while (store.size > maxEntries) {
		const age = oldestCurrent(store.ages);
		const call = oldestCurrent(store.callAges);
		removeOldest(!call || (age && age.at <= call.at) ? store.ages : store.callAges);
	}
	// Every update leaves its predecessor's record behind; rebuilding now and then bounds the heaps.
	if (store.ages.length + store.callAges.length > 2 * store.size + REBUILD_SLACK) {
		store.ages = rebuilt(store.ages);
		store.callAges = rebuilt(store.callAges);
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entries of a stored state, as `mergeStored` takes them in. */
export interface StoredEntries {
	notified: Array<{ userId: string; callerKey: string; at: number }>;
	logins: Array<{ userId: string; at: number }>;
	calls: Array<{ callId: string; at: number }>;
}

function tableEntries(source: unknown, keep: (name: string, at: number) => void): void {
	if (!isRecord(source)) return;
	for (const [name, at] of Object.entries(source)) {
		if (typeof at === 'number' && Number.isFinite(at)) keep(name, at);
	}
}

/** What a journal leaves: the last record per name; removed and broken ones skipped. */
function journalEntries(journal: unknown, fields: number, keep: (names: string[], at: number) => void): void {
	if (typeof journal !== 'string') return;
	const last = new Map<string, string>();
	for (const record of journal.split(RECORD)) {
		const field = record.lastIndexOf(FIELD);
		if (field >= 0) last.set(record.slice(0, field), record.slice(field + 1));
	}
	for (const [key, time] of last) {
		const at = Number(time); // NaN for REMOVED
		if (time === '' || !Number.isFinite(at)) continue;
		const names = key.split(FIELD);
		if (names.length !== fields) continue;
		for (let index = 0; index < fields; index++) names[index] = unescapeName(names[index]);
		keep(names, at);
	}
}

/**
 * The usable entries of a stored state: journals, or the tables as objects that releases before
 * them stored. Anything else (another version, another node's data, a hand edit) has none.
 */
export function storedEntries(stored: unknown): StoredEntries {
	const entries: StoredEntries = { notified: [], logins: [], calls: [] };
	if (!isRecord(stored)) return entries;
	const notify = (userId: string, callerKey: string, at: number) => entries.notified.push({ userId, callerKey, at });
	const login = (userId: string, at: number) => entries.logins.push({ userId, at });
	const call = (callId: string, at: number) => entries.calls.push({ callId, at });
	if (stored.version === STATE_VERSION) {
		journalEntries(stored.notified, 2, ([userId, callerKey], at) => notify(userId, callerKey, at));
		journalEntries(stored.logins, 1, ([userId], at) => login(userId, at));
		journalEntries(stored.calls, 1, ([callId], at) => call(callId, at));
	} else if (stored.version === OBJECT_STATE_VERSION) {
		if (isRecord(stored.notified)) {
			for (const [userId, callers] of Object.entries(stored.notified)) {
				tableEntries(callers, (callerKey, at) => notify(userId, callerKey, at));
			}
		}
		tableEntries(stored.logins, login);
		tableEntries(stored.calls, call);
	}
	return entries;
}

/**
 * Static data this store wrote is skipped: the store has what of it is still kept, and everything
 * since.
 */
function mergeStored(store: Store, stored: unknown): void {
	if (!isRecord(stored) || stored.writer === store.writer) return;
	const { notified, logins, calls } = storedEntries(stored);
	for (const { userId, callerKey, at } of notified) keepNotification(store, userId, callerKey, at);
	for (const { userId, at } of logins) keepNewest(store, store.logins, userId, at);
	for (const { callId, at } of calls) keepNewest(store, store.calls, callId, at);
}

function storedIn(staticData: unknown): unknown {
	return isRecord(staticData) ? staticData[STATE_PROPERTY] : undefined;
}

function validOptions(options: FilterStateOptions) {
	const defaults = DEFAULT_STATE_OPTIONS;
	const retentionDays = numberSetting('retentionDays', options.retentionDays, {
		default: defaults.retentionDays,
		min: 1,
		unit: 'days',
		why: 'the same-day rule needs a day',
		label: 'Options → Retention (Days)',
	});
	const duplicateWindowHours = numberSetting('duplicateWindowHours', options.duplicateWindowHours, {
		default: defaults.duplicateWindowHours,
		min: 1,
		unit: 'hours',
		label: 'Options → Duplicate Window (Hours)',
	});
	const retentionMs = retentionDays * DAY_MS;
	return {
		retentionMs,
		duplicateWindowMs: Math.min(duplicateWindowHours * HOUR_MS, retentionMs),
		maxEntries: numberSetting('maxEntries', options.maxEntries, {
			default: defaults.maxEntries,
			min: 1,
			whole: true,
			label: 'Options → Max Remembered Entries',
		}),
		now: options.now ?? Date.now,
	};
}

function storeOf(key: string): Store {
	let store = stores.get(key);
	if (!store) {
		store = newStore();
		stores.set(key, store);
	}
	return store;
}

/**
 * `key`: identifies the node across executions in this process (workflow id + node id).
 * `staticData`: the node's static data object as loaded; anything unusable in it is ignored.
 */
export function openFilterState(
	key: string,
	staticData: unknown,
	options: FilterStateOptions = {},
): FilterStateSession {
	const { retentionMs, duplicateWindowMs, maxEntries, now } = validOptions(options);
	const shared = options.shared !== false;
	const store = shared ? storeOf(key) : newStore();
	const pruneNow = () =>
		prune(store, { oldest: now() - retentionMs, oldestCall: now() - duplicateWindowMs, maxEntries });
	// Merged now, so commit need not merge it again when n8n hands the same object back.
	const opened = storedIn(staticData);
	mergeStored(store, opened);
	pruneNow();

	const session: FilterStateSession = {
		isProcessed: (callId) => store.calls[callId] !== undefined,
		lastNotified: (userId, callerKey) => store.notified[userId]?.[callerKey] ?? null,
		lastLogin: (userId) => store.logins[userId] ?? null,
		now,
		claimCall(callId) {
			if (store.calls[callId] !== undefined) return false;
			keepNewest(store, store.calls, callId, now());
			return true;
		},
		recordNotification: (userId, callerKey, at) => keepNotification(store, userId, callerKey, at),
		recordLogin: (userId, at) => keepNewest(store, store.logins, userId, at),
		apply(update) {
			const remembered: RememberedNotification[] = [];
			if (update === null) return remembered;
			if (update.callId !== undefined) session.claimCall(update.callId);
			for (const { userId, callerKey, at } of update.notified ?? []) {
				const previous = session.lastNotified(userId, callerKey);
				session.recordNotification(userId, callerKey, at);
				// Only a change can be taken back; a newer entry already there stays as it is.
				if (shared && (previous === null || previous < at)) {
					remembered.push({ store: key, userId, callerKey, at, previous });
				}
			}
			if (update.login) session.recordLogin(update.login.userId, update.login.at);
			return remembered;
		},
		commit(target) {
			const stored = storedIn(target);
			if (stored !== opened) mergeStored(store, stored);
			pruneNow();
			compact(store);
			// Assigned even when it is already there: n8n saves static data only after a write to it.
			target[STATE_PROPERTY] = store.stored;
		},
	};
	return session;
}

function isRemembered(value: unknown): value is RememberedNotification {
	if (!isRecord(value)) return false;
	const { store, userId, callerKey, at, previous } = value;
	return (
		typeof store === 'string' &&
		typeof userId === 'string' &&
		typeof callerKey === 'string' &&
		Number.isFinite(at) &&
		(previous === null || Number.isFinite(previous))
	);
}

/**
 * The notification's mail was not sent: its entry goes back to what it was, so the repeat rules let
 * the caller's next call through. An entry a later notification has replaced stays. Changes the
 * state object the filter committed, which n8n saves when the execution ends (also a failed one).
 * Anything that is not a notification's `remembered` is ignored (items built by hand).
 */
export function forgetNotification(remembered: unknown): void {
	if (!isRemembered(remembered)) return;
	const store = stores.get(remembered.store);
	const times = store?.notified[remembered.userId];
	if (!store || !times || times[remembered.callerKey] !== remembered.at) return;
	const { userId, callerKey, previous } = remembered;
	if (previous === null) {
		remove(store, { times, name: callerKey, userId });
		return;
	}
	times[callerKey] = previous;
	journal(store, { times, name: callerKey, userId }, previous);
	track(store, { at: previous, times, name: callerKey, userId });
}

/**
 * The notification's mail was sent, possibly on a retry after it had been taken back. The filter's
 * next commit puts it into static data if this execution did not.
 */
export function confirmNotification(remembered: unknown): void {
	if (!isRemembered(remembered)) return;
	keepNotification(storeOf(remembered.store), remembered.userId, remembered.callerKey, remembered.at);
}
