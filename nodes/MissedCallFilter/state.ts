/**
 * The filter's memory (SPEC §4.5): per (user, caller) the last notification, per user the last
 * login, and the call ids already processed. Persisted in the workflow's static data.
 *
 * n8n loads static data when an execution starts and writes the whole object back when it ends, so
 * concurrent executions would overwrite each other. Every execution of one node in this process
 * therefore works on one shared in-process store: opening a session merges the loaded static data
 * into it, committing merges again and writes the store (which holds every execution's updates)
 * back. Whichever execution is saved last saves everything. All of it is synchronous, so one
 * decision plus its `apply` runs without any other execution in between.
 */
import { ConfigurationError } from '../shared/phoneNumbers';
import type { FilterMemory, StateUpdate } from './rules';

/** The property of the node's static data object this module owns. */
export const STATE_PROPERTY = 'missedCallFilter';
const STATE_VERSION = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface FilterStateOptions {
	/**
	 * Days an entry is kept, at least 1 (the same-day rule looks back one calendar day). The
	 * "until login" rule forgets a notification after this long. Default 30.
	 */
	retentionDays?: number;
	/** Cap for each kind of entry (notifications, logins, call ids); the oldest go first. Default 100 000. */
	maxEntries?: number;
	/** false: work on a private copy, e.g. for manual runs whose static data n8n does not save. Default true. */
	shared?: boolean;
	/** Epoch milliseconds; the clock for pruning and for when a call was processed. */
	now?: () => number;
}

export const DEFAULT_STATE_OPTIONS = { retentionDays: 30, maxEntries: 100_000 } as const;

/** The JSON kept in static data. Times are epoch milliseconds. */
interface StoredState {
	version: typeof STATE_VERSION;
	/** userId → caller key (E.164) → last notification. */
	notified: Record<string, Record<string, number>>;
	/** userId → last login. */
	logins: Record<string, number>;
	/** callId → when it was processed. */
	calls: Record<string, number>;
}

interface Store {
	/** Keyed by pairKey(userId, callerKey). */
	notified: Map<string, number>;
	logins: Map<string, number>;
	calls: Map<string, number>;
}

export interface FilterStateSession extends FilterMemory {
	/** Marks the call processed; false when it already was (by this or a concurrent execution). */
	claimCall(callId: string): boolean;
	recordNotification(userId: string, callerKey: string, at: number): void;
	recordLogin(userId: string, at: number): void;
	/** Records what a decision says to remember (its call claimed, notifications, a login). */
	apply(update: StateUpdate | null): void;
	/** Prunes and writes the merged state into the static-data object, in place (n8n saves that object). */
	commit(target: Record<string, unknown>): void;
}

const stores = new Map<string, Store>();

/** Unambiguous whatever the ids contain, unlike joining them with a separator. */
function pairKey(userId: string, callerKey: string): string {
	return JSON.stringify([userId, callerKey]);
}

function newStore(): Store {
	return { notified: new Map(), logins: new Map(), calls: new Map() };
}

/** Per key the newest time wins, so merging in any order gives the same result. */
function keepNewest(map: Map<string, number>, key: string, at: number): void {
	const known = map.get(key);
	if (known === undefined || at > known) map.set(key, at);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTimes(map: Map<string, number>, source: unknown, key: (name: string) => string = (name) => name) {
	if (!isRecord(source)) return;
	for (const [name, at] of Object.entries(source)) {
		if (typeof at === 'number' && Number.isFinite(at)) keepNewest(map, key(name), at);
	}
}

/** Static data from an older version, another node or a hand edit is ignored, never fatal. */
function mergeStored(store: Store, staticData: unknown): void {
	const stored = isRecord(staticData) ? staticData[STATE_PROPERTY] : undefined;
	if (!isRecord(stored) || stored.version !== STATE_VERSION) return;
	if (isRecord(stored.notified)) {
		for (const [userId, callers] of Object.entries(stored.notified)) {
			mergeTimes(store.notified, callers, (callerKey) => pairKey(userId, callerKey));
		}
	}
	mergeTimes(store.logins, stored.logins);
	mergeTimes(store.calls, stored.calls);
}

function pruneMap(map: Map<string, number>, oldest: number, maxEntries: number): void {
	for (const [key, at] of map) if (at < oldest) map.delete(key);
	if (map.size <= maxEntries) return;
	const byAge = [...map].sort((a, b) => a[1] - b[1]);
	for (const [key] of byAge.slice(0, map.size - maxEntries)) map.delete(key);
}

function serialise(store: Store): StoredState {
	const notified: StoredState['notified'] = {};
	for (const [pair, at] of store.notified) {
		const [userId, callerKey] = JSON.parse(pair) as [string, string];
		(notified[userId] ??= {})[callerKey] = at;
	}
	return {
		version: STATE_VERSION,
		notified,
		logins: Object.fromEntries(store.logins),
		calls: Object.fromEntries(store.calls),
	};
}

function validOptions(options: FilterStateOptions) {
	const retentionDays = options.retentionDays ?? DEFAULT_STATE_OPTIONS.retentionDays;
	if (typeof retentionDays !== 'number' || !(retentionDays >= 1)) {
		throw new ConfigurationError(
			'retentionDays',
			`retentionDays is ${JSON.stringify(retentionDays)}; it must be at least 1 (the same-day rule needs a day)`,
		);
	}
	const maxEntries = options.maxEntries ?? DEFAULT_STATE_OPTIONS.maxEntries;
	if (!Number.isInteger(maxEntries) || maxEntries < 1) {
		throw new ConfigurationError(
			'maxEntries',
			`maxEntries is ${JSON.stringify(maxEntries)}; it must be a whole number, 1 or more`,
		);
	}
	return { retentionMs: retentionDays * DAY_MS, maxEntries, now: options.now ?? Date.now };
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
	const { retentionMs, maxEntries, now } = validOptions(options);
	let store: Store;
	if (options.shared === false) {
		store = newStore();
	} else {
		store = stores.get(key) ?? newStore();
		stores.set(key, store);
	}
	const prune = () => {
		const oldest = now() - retentionMs;
		pruneMap(store.notified, oldest, maxEntries);
		pruneMap(store.logins, oldest, maxEntries);
		pruneMap(store.calls, oldest, maxEntries);
	};
	mergeStored(store, staticData);
	prune();

	const session: FilterStateSession = {
		isProcessed: (callId) => store.calls.has(callId),
		lastNotified: (userId, callerKey) => store.notified.get(pairKey(userId, callerKey)) ?? null,
		lastLogin: (userId) => store.logins.get(userId) ?? null,
		claimCall(callId) {
			if (store.calls.has(callId)) return false;
			store.calls.set(callId, now());
			return true;
		},
		recordNotification: (userId, callerKey, at) => keepNewest(store.notified, pairKey(userId, callerKey), at),
		recordLogin: (userId, at) => keepNewest(store.logins, userId, at),
		apply(update) {
			if (update === null) return;
			if (update.callId !== undefined) session.claimCall(update.callId);
			for (const { userId, callerKey, at } of update.notified ?? []) {
				session.recordNotification(userId, callerKey, at);
			}
			if (update.login) session.recordLogin(update.login.userId, update.login.at);
		},
		commit(target) {
			mergeStored(store, target);
			prune();
			target[STATE_PROPERTY] = serialise(store);
		},
	};
	return session;
}
