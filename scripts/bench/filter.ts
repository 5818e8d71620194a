/**
 * Section `filter` (Missed Call Filter).
 * 1. Decisions per second for a realistic mix of calls against a full state (100k remembered
 *    notifications, 100k processed call ids), repeat rules on. Baseline, same run: JSON.stringify
 *    of the same record, the least n8n does with every item it passes on.
 * 2. What one execution costs besides its decisions at that state size (open + commit), against the
 *    JSON.stringify n8n does when it saves the static data: the first execution after a restart
 *    (static data from elsewhere, merged entry by entry) and the usual one (static data this process
 *    committed, as n8n re-loads it), one record each.
 * 3. 60 simulated days, 1,000,000 notifications from 100,000 distinct callers, default retention and
 *    cap: the static data must stay within the cap.
 */
import type { CallRecord, PresenceRecord } from '../../nodes/shared/callModel';
import type { Contact } from '../../nodes/shared/notification';
import type { NumberingPlan } from '../../nodes/shared/phoneNumbers';
import { compileFilter, filterCall, filterPresence, type CompiledFilter } from '../../nodes/MissedCallFilter/filter';
import type { CallDecision, FilterSettings } from '../../nodes/MissedCallFilter/rules';
import {
	DEFAULT_STATE_OPTIONS,
	openFilterState,
	STATE_PROPERTY,
	storedEntries,
	type FilterStateSession,
} from '../../nodes/MissedCallFilter/state';
import { seededRandom } from '../../test/support/amiReplayServer';
import { Checks, count, duration, megabytes, printTable, rateHeader, rateRow, Stopwatch, times } from './measure';

const USERS = 30;
const GROUP_SIZE = 3;
const CALLERS = 100_000;
const DECISIONS = 100_000;
/** Notifications and, as many, call ids in the state the decisions run against. */
const PREFILLED = 100_000;
/** Executions of one record each, after the decisions, for the usual per-execution cost. */
const EXECUTIONS = 1000;
/** Opens of the pre-filled static data by an empty store, as after a restart; one alone is too noisy. */
const RESTARTS = 5;
/** compileFilter runs timed after the first, which pays for loading libraries' data. */
const LATER_COMPILES = 100;
/** Decisions timed at once: keeps the stopwatch's own cost out of the per-decision figure. */
const BLOCK = 1000;
const SIM_DAYS = 60;
const SIM_NOTIFICATIONS = 1_000_000;
const DAY_MS = 24 * 3_600_000;
/** Monday 2025-03-03, 08:00 in Berlin. */
const START = Date.UTC(2025, 2, 3, 7);

const PLAN: NumberingPlan = { country: 'DE', baseNumber: '+49 89 1234' };
/** Door intercom and the like; SPEC §4.2 "caller number in list". */
const EXCLUDED_PREFIX = '+4989555';
const EXCLUDED_CALLER = '089 5550100';
const AREAS = ['30', '40', '89', '221', '69'];

function userId(index: number): string {
	return `u${String(index + 1).padStart(2, '0')}`;
}

function extension(index: number): string {
	return String(201 + index);
}

/** 30 users, one line spelled two ways; one without e-mail, one who opted out, a few abroad. */
function directory(): object[] {
	return Array.from({ length: USERS }, (_, index) => ({
		id: userId(index),
		name: `User ${index + 1}`,
		...(index === 6 ? {} : { email: `${userId(index)}@example.com` }),
		language: index % 2 === 0 ? 'de' : 'en',
		timeZone: index % 10 === 9 ? 'America/New_York' : 'Europe/Berlin',
		lines: [extension(index), `+49 89 1234 ${extension(index)}`],
		...(index === 8 ? { notify: false } : {}),
	}));
}

/** Users who can get a mail (not u07 without e-mail, not u09 who opted out). */
const NOTIFIABLE = Array.from({ length: USERS }, (_, index) => index).filter((index) => index !== 6 && index !== 8);

/** Caller `index` as German trunks deliver it (mostly national format), and its E.164. */
function caller(index: number): { number: string; e164: string } {
	const area = AREAS[index % AREAS.length];
	const subscriber = String(2_000_000 + index);
	const e164 = `+49${area}${subscriber}`;
	return { number: index % 5 === 0 ? e164 : `0${area}${subscriber}`, e164 };
}

function iso(time: number): string {
	return new Date(time).toISOString();
}

interface CallShape {
	callId: string;
	at: number;
	number: string;
	restricted?: boolean;
	direction?: CallRecord['direction'];
	/** User indexes whose line rang, in parallel, for `ringMs` up to `at`. */
	rang: number[];
	ringMs: number;
	answeredBy?: number;
}

function callRecord(shape: CallShape): CallRecord {
	const from = iso(shape.at - shape.ringMs);
	const until = iso(shape.at);
	const answered = shape.answeredBy === undefined ? null : extension(shape.answeredBy);
	return {
		kind: 'call',
		callId: shape.callId,
		direction: shape.direction ?? 'inbound',
		caller: {
			number: shape.number,
			name: shape.restricted ? '' : `Caller ${shape.number}`,
			restricted: shape.restricted === true,
		},
		called: '+49891234200',
		startedAt: iso(shape.at - shape.ringMs - 1000),
		resolvedAt: until,
		outcome: answered === null ? 'missed' : 'answered',
		answeredBy: answered === null ? null : { line: answered, at: until, pickup: false },
		voicemail: null,
		incomplete: false,
		legs: shape.rang.map((user) => ({
			line: extension(user),
			ringingFrom: from,
			ringingUntil: until,
			result: answered === null ? 'notAnswered' : answered === extension(user) ? 'answered' : 'answeredElsewhere',
		})),
	};
}

function compile(settings: Partial<FilterSettings>): CompiledFilter {
	return compileFilter({ numberingPlan: PLAN, directory: directory(), settings, workflowTimeZone: 'Europe/Berlin' });
}

/** A record as the filter sees it, and what the rules must make of it (SPEC §4, not the code). */
interface Item {
	kind: keyof typeof MIX;
	record: CallRecord | PresenceRecord;
	contact: Contact | null;
	rang: string[];
}

/** Share of each kind of record in the mix, in percent. */
const MIX = {
	groupMissed: 35,
	directMissed: 15,
	groupAnswered: 15,
	repeatedCaller: 10,
	withheld: 8,
	internalCaller: 5,
	shortRing: 5,
	excludedCaller: 2,
	login: 5,
};
/** Kinds the settings below must never mail about. */
const NO_MAIL = new Set<keyof typeof MIX>([
	'groupAnswered',
	'withheld',
	'internalCaller',
	'shortRing',
	'excludedCaller',
	'login',
]);

const MIX_SETTINGS: Partial<FilterSettings> = {
	recipients: 'all',
	skipInternalCallers: true,
	skipWithheldNumbers: true,
	skipRepeatedSameDay: true,
	skipRepeatedUntilLogin: true,
	minRingSeconds: 2,
	excludedNumbers: [`${EXCLUDED_PREFIX}*`],
	journalForwardedOrAnswered: 'all',
};

function makeMix(total: number): Item[] {
	// Seeded: every run decides the same calls.
	const next = seededRandom(42);
	const below = (n: number) => Math.floor(next() * n);
	const kinds = (Object.keys(MIX) as (keyof typeof MIX)[]).flatMap((kind) => Array(MIX[kind]).fill(kind));
	const recent: { callerIndex: number; group: number[] }[] = [];
	const items: Item[] = [];
	for (let index = 0; index < total; index++) {
		const kind = kinds[below(kinds.length)];
		const at = START + index * 20_000;
		const first = below(USERS / GROUP_SIZE) * GROUP_SIZE;
		let group = [first, first + 1, first + 2];
		let callerIndex = below(CALLERS);
		if (kind === 'repeatedCaller' && recent.length > 0) ({ callerIndex, group } = recent[below(recent.length)]);
		const number = caller(callerIndex).number;
		const shape: CallShape = { callId: `bench-${index}`, at, number, rang: group, ringMs: 15_000 + below(15_000) };
		switch (kind) {
			case 'login': {
				const record: PresenceRecord = { kind: 'presence', type: 'login', line: extension(below(USERS)), at: iso(at) };
				items.push({ kind, record, contact: null, rang: [] });
				continue;
			}
			case 'directMissed':
				shape.rang = [group[0]];
				break;
			case 'groupAnswered':
				shape.answeredBy = group[below(GROUP_SIZE)];
				break;
			case 'withheld':
				Object.assign(shape, { number: '', restricted: true });
				break;
			case 'internalCaller':
				Object.assign(shape, { number: extension(below(USERS)), direction: 'internal' });
				break;
			case 'shortRing':
				Object.assign(shape, { rang: [group[0]], ringMs: 1200 });
				break;
			case 'excludedCaller':
				shape.number = EXCLUDED_CALLER;
				break;
			default:
				recent.push({ callerIndex, group });
				if (recent.length > 50) recent.shift();
		}
		const contact = below(10) < 7 ? { name: `Contact ${callerIndex}`, company: 'Example GmbH' } : null;
		items.push({ kind, record: callRecord(shape), contact, rang: shape.rang.map(userId) });
	}
	return items;
}

/**
 * The full state the decisions run against (notifications, as many call ids, and logins), as
 * another process committed it and n8n loads it: parsed from JSON.
 */
function fullStaticData(): Record<string, unknown> {
	const next = seededRandom(7);
	const withinDays = (days: number) => START - Math.floor(next() * days * DAY_MS);
	let clock = START;
	const earlier = openFilterState('bench/earlier-process', {}, { shared: false, now: () => clock, maxEntries: 3 * PREFILLED });
	for (let index = 0; index < PREFILLED; index++) {
		earlier.recordNotification(userId(index % USERS), caller(index % CALLERS).e164, withinDays(29));
		// A call id's time is when it was processed: the clock.
		clock = withinDays(29);
		earlier.claimCall(`earlier-${index}`);
	}
	for (let index = 0; index < USERS; index++) earlier.recordLogin(userId(index), withinDays(3));
	const staticData: Record<string, unknown> = {};
	clock = START;
	earlier.commit(staticData);
	return JSON.parse(JSON.stringify(staticData)) as Record<string, unknown>;
}

function decide(item: Item, filter: CompiledFilter, session: FilterStateSession): CallDecision | null {
	if (item.record.kind === 'presence') {
		filterPresence(item.record, filter, session);
		return null;
	}
	return filterCall(item.record, item.contact, filter, session);
}

/** SPEC §4.4: every user who rang gets a mail or a reason, unless a reason covers the whole call. */
function unexplained(item: Item, decision: CallDecision): number {
	const explained = new Set([
		...decision.notifications.map((notification) => notification.recipient.id),
		...decision.suppressed.flatMap((suppression) => (suppression.user ? [suppression.user.id] : [])),
	]);
	const wholeCall = decision.suppressed.some((suppression) => suppression.user === null && suppression.line === null);
	return wholeCall ? 0 : item.rang.filter((id) => !explained.has(id)).length;
}

interface StoredCounts {
	notified: number;
	logins: number;
	calls: number;
	/** All three kinds together, as the cap counts them. */
	entries: number;
	bytes: number;
	/** Time of the oldest notification kept. */
	oldest: number;
}

/** Entries and size of what `commit` wrote into the static data. */
function storedCounts(staticData: Record<string, unknown>): StoredCounts {
	const stored = staticData[STATE_PROPERTY];
	const { notified, logins, calls } = storedEntries(stored);
	return {
		notified: notified.length,
		logins: logins.length,
		calls: calls.length,
		entries: notified.length + logins.length + calls.length,
		bytes: JSON.stringify(stored).length,
		oldest: notified.reduce((oldest, { at }) => Math.min(oldest, at), Infinity),
	};
}

async function benchDecisions(checks: Checks): Promise<void> {
	// One mix, so the executions' records continue the decided ones with new call ids.
	const mix = makeMix(DECISIONS + EXECUTIONS);
	const items = mix.slice(0, DECISIONS);
	const staticData = fullStaticData();
	const compileTime = new Stopwatch();
	const filter = compileTime.time(() => compile(MIX_SETTINGS));
	// The first compile also loads phone-number metadata and Intl data; n8n's later executions don't.
	const laterCompileTime = new Stopwatch();
	for (let i = 0; i < LATER_COMPILES; i++) laterCompileTime.time(() => compile(MIX_SETTINGS));
	checks.verify(
		[0, 1, 2, 3, 4].every((index) => filter.plan.key(caller(index).number) === caller(index).e164),
		'the pre-filled caller keys are not what the filter makes of the callers\' numbers',
	);
	let clock = START;
	const openTime = new Stopwatch();
	// Production mode (shared: true); the key is this bench's own. The cap is what the pre-filled
	// state fills exactly, so the state stays full.
	// Call ids kept as long as notifications (not the default 48 hours), so both fill the state.
	const options = { now: () => clock, maxEntries: 2 * PREFILLED + USERS, duplicateWindowHours: 30 * 24 };
	// A private store starts empty like the shared one after a restart, and is dropped afterwards.
	for (let restart = 1; restart < RESTARTS; restart++) {
		openTime.time(() => openFilterState('bench/decisions', staticData, { ...options, shared: false }));
	}
	const session = openTime.time(() => openFilterState('bench/decisions', staticData, options));
	const decideTime = new Stopwatch();
	const baselineTime = new Stopwatch();
	const outputs = new Map<string, number>();
	let notifications = 0;
	for (let start = 0; start < items.length; start += BLOCK) {
		const block = items.slice(start, start + BLOCK);
		const decisions = decideTime.time(() =>
			block.map((item) => {
				clock = Date.parse(item.record.kind === 'call' ? item.record.resolvedAt : item.record.at);
				return decide(item, filter, session);
			}),
		);
		baselineTime.time(() => block.reduce((length, item) => length + JSON.stringify(item.record).length, 0));
		block.forEach((item, index) => {
			const decision = decisions[index];
			if (decision === null) return;
			notifications += decision.notifications.length;
			for (const { reason } of decision.suppressed) outputs.set(reason, (outputs.get(reason) ?? 0) + 1);
			checks.verify(
				!NO_MAIL.has(item.kind) || decision.notifications.length === 0,
				`${item.record.kind === 'call' ? item.record.callId : ''} (${item.kind}) was mailed`,
			);
			checks.verify(
				unexplained(item, decision) === 0,
				`${item.kind} call: a user who rang got neither mail nor reason`,
			);
		});
	}
	checks.verify(notifications > 0, 'the mix produced no notification at all');
	const commitTime = new Stopwatch();
	commitTime.time(() => session.commit(staticData));
	const saveTime = new Stopwatch();
	const saved = saveTime.time(() => JSON.stringify(staticData));

	// The usual execution: n8n hands over its copy of the static data as last saved. Only the copy's
	// writer is read, so one copy stands for the newer ones n8n would load.
	const reloaded = (JSON.parse(saved) as Record<string, unknown>)[STATE_PROPERTY];
	const executionOpenTime = new Stopwatch();
	const executionCommitTime = new Stopwatch();
	for (const item of mix.slice(DECISIONS)) {
		const loaded: Record<string, unknown> = { [STATE_PROPERTY]: reloaded };
		clock = Date.parse(item.record.kind === 'call' ? item.record.resolvedAt : item.record.at);
		const execution = executionOpenTime.time(() => openFilterState('bench/decisions', loaded, options));
		decide(item, filter, execution);
		executionCommitTime.time(() => execution.commit(loaded));
	}
	const { entries } = storedCounts(staticData);
	checks.verify(
		entries === options.maxEntries,
		`the state holds ${entries} entries after the executions, not the ${options.maxEntries} it is capped at`,
	);

	const shares = Object.entries(MIX).map(([kind, share]) => `${kind} ${share}`).join(', ');
	printTable(
		`filter: ${count(items.length)} records (mix in %: ${shares}), repeat rules on, state pre-filled with ` +
			`${count(PREFILLED)} notifications + as many call ids`,
		rateHeader('record'),
		[
			rateRow('filterCall / filterPresence', items.length, decideTime, baselineTime),
			rateRow('baseline: JSON.stringify(record)', items.length, baselineTime, baselineTime),
		],
	);
	printTable(
		`filter: what the mix decided (${count(notifications)} e-mails; suppressed items by reason)`,
		['reason', 'items'],
		[...outputs].sort((a, b) => b[1] - a[1]).map(([reason, items]) => [reason, count(items)]),
	);
	const step = (name: string, time: Stopwatch, runs = 1) => {
		const seconds = time.seconds / runs;
		// The usual execution costs a ten-thousandth of the baseline: two decimals would show 0.00×.
		const ratio = seconds / saveTime.seconds;
		return [name, duration(seconds), ratio < 0.01 ? `${ratio.toPrecision(2)}×` : times(seconds, saveTime.seconds)];
	};
	printTable(
		'filter: fixed cost of one execution at this state size ' +
			`(n8n runs one execution per call record; static data ${megabytes(saved.length)})`,
		['step', 'time', 'cost vs baseline'],
		[
			step('compileFilter (settings, directory of 30 users), first in the process', compileTime),
			step(`compileFilter, each later execution (mean of ${LATER_COMPILES})`, laterCompileTime, LATER_COMPILES),
			step(`first execution after a restart (mean of ${RESTARTS}): openFilterState, merging every entry`, openTime, RESTARTS),
			step(`first execution after a restart: commit after its ${count(DECISIONS)} records`, commitTime),
			step(`usual execution (mean of ${count(EXECUTIONS)}, one record each): openFilterState`, executionOpenTime, EXECUTIONS),
			step(`usual execution (mean of ${count(EXECUTIONS)}, one record each): commit`, executionCommitTime, EXECUTIONS),
			step('baseline: JSON.stringify(static data), as n8n saves it', saveTime),
		],
	);
}

/**
 * One execution per simulated day (n8n would run one per call; part 2 gives that cost), each
 * opening the static data the previous one committed. The day's users log in through the filter;
 * each notification is fed as the StateUpdate filterCall remembers for a mailed call
 * (part 1 times the decisions themselves, this part is about what stays in the state).
 */
async function benchSixtyDays(checks: Checks): Promise<void> {
	const filter = compile({});
	const staticData: Record<string, unknown> = {};
	const cap = DEFAULT_STATE_OPTIONS.maxEntries;
	const spacing = (SIM_DAYS * DAY_MS) / SIM_NOTIFICATIONS;
	let clock = START;
	let notifications = 0;
	const executionTime = new Stopwatch();
	/** What each day's commit left in the static data. */
	const days: StoredCounts[] = [];
	for (let day = 0; day < SIM_DAYS; day++) {
		clock = START + day * DAY_MS;
		const session = executionTime.time(() => openFilterState('bench/sixty-days', staticData, { now: () => clock }));
		for (let user = 0; user < USERS; user++) {
			filterPresence({ kind: 'presence', type: 'login', line: extension(user), at: iso(clock) }, filter, session);
		}
		for (; notifications < Math.round(((day + 1) * SIM_NOTIFICATIONS) / SIM_DAYS); notifications++) {
			clock = START + Math.round(notifications * spacing);
			// Every caller calls ten times, spread over the 60 days, each time for some user.
			const callerKey = caller((notifications * 7919) % CALLERS).e164;
			const user = userId(NOTIFIABLE[(notifications * 31 + Math.floor(notifications / CALLERS)) % NOTIFIABLE.length]);
			session.apply({ callId: `day${day}-${notifications}`, notified: [{ userId: user, callerKey, at: clock }] });
		}
		executionTime.time(() => session.commit(staticData));
		days.push(storedCounts(staticData));
	}
	checks.verify(
		notifications === SIM_NOTIFICATIONS,
		`${notifications} notifications simulated, not ${SIM_NOTIFICATIONS}`,
	);
	const most = (kind: keyof StoredCounts) => Math.max(...days.map((counts) => counts[kind]));
	const last = days[days.length - 1];
	checks.verify(most('entries') <= cap, `the state held ${most('entries')} entries, more than the cap of ${cap}`);
	const row = (name: string, kind: 'notified' | 'logins' | 'calls' | 'entries') => [
		name,
		count(last[kind]),
		count(most(kind)),
		times(most(kind), cap),
	];
	printTable(
		`filter: ${SIM_DAYS} simulated days, ${count(SIM_NOTIFICATIONS)} notifications from ${count(CALLERS)} ` +
			`distinct callers to ${NOTIFIABLE.length} users, retention ${DEFAULT_STATE_OPTIONS.retentionDays} days, ` +
			`cap ${count(cap)} entries in all`,
		['static data', `after day ${SIM_DAYS}`, 'most after any commit', 'most vs cap'],
		[
			row('(user, caller) notifications', 'notified'),
			row('processed call ids', 'calls'),
			row('user logins', 'logins'),
			row('all entries', 'entries'),
			['JSON size of the static data', megabytes(last.bytes), megabytes(most('bytes')), ''],
			['bytes per entry', (last.bytes / last.entries).toFixed(1), '', ''],
			['age of the oldest notification kept', `${((clock - last.oldest) / DAY_MS).toFixed(1)} days`, '', ''],
			['open + commit per daily execution', duration(executionTime.seconds / SIM_DAYS), '', ''],
		],
	);
}

export async function benchFilter(checks: Checks): Promise<void> {
	await benchDecisions(checks);
	await benchSixtyDays(checks);
}
