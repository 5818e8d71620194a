/**
 * Who gets a missed-call e-mail, who gets a journal entry, and why the others don't (SPEC §4).
 * This is the only place those questions are answered; read it top to bottom next to docs/filter.md.
 * Pure functions: the remembered state comes in read-only and what to remember goes out.
 */
import { DateTime } from 'luxon';

import { coveredMs, type CallRecord, type PresenceRecord } from '../shared/callModel';
import { hasContactData } from '../shared/contact';
import type {
	Contact,
	DirectoryUser,
	Notification,
	NotifiedCaller,
	OwnedLeg,
	UserRef,
} from '../shared/notification';
import { ConfigurationError } from '../shared/errors';
import { isWithheld, numberOf, type CompiledNumberingPlan, type NumberList } from '../shared/phoneNumbers';
import type { Directory } from './directory';
import { booleanSetting, choiceSetting, numberSetting } from '../shared/settings';
import { timeZoneProblem } from '../shared/timeZone';

// ---------------------------------------------------------------------------------------------
// Settings (the node's parameter names)

const PARTICIPANT_CHOICES = ['none', 'first', 'last', 'all'] as const;
/** Which of the users a call rang: nobody, the first, the last, or all of them. */
export type ParticipantChoice = (typeof PARTICIPANT_CHOICES)[number];

export interface FilterSettings {
	/** §4.1 recipient mode. */
	recipients: ParticipantChoice;
	/** §4.1: also mail the users who rang when someone else answered (e.g. by pickup). */
	alsoWhenAnsweredByThirdParty: boolean;
	/** §4.2 exceptions, each its own switch. */
	skipInternalCallers: boolean;
	skipWithheldNumbers: boolean;
	skipWithoutContact: boolean;
	skipRepeatedSameDay: boolean;
	skipRepeatedUntilLogin: boolean;
	/** A user whose phones rang for less than this (union of their legs) is no candidate. 0 = off. */
	minRingSeconds: number;
	/**
	 * Numbers and prefix patterns (`+49891234*`) whose calls never produce an e-mail; a list or one
	 * text separated by commas or new lines. Empty = off.
	 */
	excludedNumbers: string[] | string;
	/** §4.3 journal: missed calls are recorded for … */
	journalUnanswered: ParticipantChoice;
	/** §4.3 journal: calls answered by someone else (forwarded, hunted on, picked up) are recorded for … */
	journalForwardedOrAnswered: ParticipantChoice;
	/** IANA zone for users without their own; empty = the workflow's zone. */
	defaultTimeZone: string;
}

export const DEFAULT_FILTER_SETTINGS: Readonly<FilterSettings> = {
	recipients: 'all',
	alsoWhenAnsweredByThirdParty: false,
	skipInternalCallers: false,
	skipWithheldNumbers: false,
	skipWithoutContact: false,
	skipRepeatedSameDay: false,
	skipRepeatedUntilLogin: false,
	minRingSeconds: 2,
	excludedNumbers: [],
	journalUnanswered: 'all',
	journalForwardedOrAnswered: 'none',
	defaultTimeZone: '',
};

export interface CompiledFilterSettings extends Omit<FilterSettings, 'excludedNumbers'> {
	excludedNumbers: NumberList;
}

/** What the editor calls the settings, for messages. */
export const FILTER_SETTING_LABELS = {
	recipients: 'Recipients',
	journalUnanswered: 'Journal: Unanswered Calls',
	journalForwardedOrAnswered: 'Journal: Answered Calls',
	minRingSeconds: 'Exceptions → Min Ringing Time (Seconds)',
	excludedNumbers: 'Exceptions → Excluded Caller Numbers',
	defaultTimeZone: 'Options → Time Zone Name or ID',
	alsoWhenAnsweredByThirdParty: 'Also When Someone Else Answered',
	skipInternalCallers: 'Exceptions → Internal Callers',
	skipWithheldNumbers: 'Exceptions → Withheld Numbers',
	skipWithoutContact: 'Exceptions → No Contact Data',
	skipRepeatedSameDay: 'Exceptions → Repeated Call the Same Day',
	skipRepeatedUntilLogin: 'Exceptions → Repeated Call While Not Logged In',
} as const;

/** The settings that are switches: an expression can give them a string. */
const SWITCHES = [
	'alsoWhenAnsweredByThirdParty',
	'skipInternalCallers',
	'skipWithheldNumbers',
	'skipWithoutContact',
	'skipRepeatedSameDay',
	'skipRepeatedUntilLogin',
] as const;

/** Validates once per execution; missing settings take DEFAULT_FILTER_SETTINGS. */
export function compileFilterSettings(
	input: Partial<FilterSettings>,
	plan: CompiledNumberingPlan,
): CompiledFilterSettings {
	// A parameter the glue leaves undefined must not override its default.
	const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
	const settings: FilterSettings = { ...DEFAULT_FILTER_SETTINGS, ...given };
	for (const name of ['recipients', 'journalUnanswered', 'journalForwardedOrAnswered'] as const) {
		choiceSetting(name, settings[name], PARTICIPANT_CHOICES, FILTER_SETTING_LABELS[name]);
	}
	for (const name of SWITCHES) settings[name] = booleanSetting(name, settings[name], FILTER_SETTING_LABELS[name]);
	const minRingSeconds = numberSetting('minRingSeconds', settings.minRingSeconds, {
		default: DEFAULT_FILTER_SETTINGS.minRingSeconds,
		min: 0,
		unit: 'seconds',
		label: FILTER_SETTING_LABELS.minRingSeconds,
	});
	const defaultTimeZone = settings.defaultTimeZone.trim();
	const timeZoneIssue = defaultTimeZone === '' ? undefined : timeZoneProblem(defaultTimeZone);
	if (timeZoneIssue) {
		throw new ConfigurationError(
			'defaultTimeZone',
			`${FILTER_SETTING_LABELS.defaultTimeZone}: "${defaultTimeZone}" ${timeZoneIssue}`,
		);
	}
	return {
		...settings,
		minRingSeconds,
		defaultTimeZone,
		excludedNumbers: plan.compileNumberList(
			settings.excludedNumbers,
			'excludedNumbers',
			FILTER_SETTING_LABELS.excludedNumbers,
		),
	};
}

// ---------------------------------------------------------------------------------------------
// Inputs and outputs

/** The remembered state, read-only (state.ts implements it). Times are epoch milliseconds. */
export interface FilterMemory {
	isProcessed(callId: string): boolean;
	lastNotified(userId: string, callerKey: string): number | null;
	lastLogin(userId: string): number | null;
	/** The filter's clock (n8n's), epoch milliseconds. */
	now(): number;
}

export interface RuleContext {
	directory: Directory;
	plan: CompiledNumberingPlan;
	settings: CompiledFilterSettings;
	/** The workflow's zone (its setting, else the n8n instance's): the last fallback for a user's time zone. */
	workflowTimeZone: string;
	memory: FilterMemory;
}

/** What the state must remember once the decision's outputs are emitted. */
export interface StateUpdate {
	/** Marks the call processed: a second delivery is a duplicate. */
	callId?: string;
	/** One per e-mail, for the repeat rules; `at` is the call's resolvedAt. */
	notified?: { userId: string; callerKey: string; at: number }[];
	login?: { userId: string; at: number };
}

const SUPPRESSION_REASONS = [
	'internalCaller',
	'suppressedNumber',
	'noContact',
	'excludedNumber',
	'shortRing',
	'repeatedSameDay',
	'repeatedNotLoggedIn',
	'notSelected',
	'answered',
	'optedOut',
	'noEmail',
	'unownedLine',
	'noRingingLine',
	'duplicateCall',
	'outboundCall',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * Why a user (or, with `user: null`, everybody) gets no e-mail for this call. Built with its keys in
 * this order: n8n's table view shows the first columns, so the sentence comes first.
 */
export interface Suppression {
	/** One sentence for the administrator. */
	detail: string;
	/** null: the reason is about the whole call (an exception, a duplicate, an unowned line). */
	user: UserRef | null;
	reason: SuppressionReason;
	kind: 'suppressed';
	/** null: a login (of a line nobody owns), not a call. */
	callId: string | null;
	/** `unownedLine`: the line nobody in the directory owns; else null. */
	line: string | null;
	/** null for a login. */
	caller: NotifiedCaller | null;
}

export type JournalRule = 'unanswered' | 'forwardedOrAnswered';

export interface JournalParticipant extends UserRef {
	email: string | null;
	language?: string;
	timeZone: string;
	/**
	 * How long this user's phones rang, legs merged (parallel ringing counts once); null when one
	 * still rang when the trigger gave up on the call, so its end is unknown.
	 */
	ringSeconds: number | null;
}

/** A call to record as not answered in this user's journal (SPEC §4.3). */
export interface JournalEntry {
	kind: 'journal';
	rule: JournalRule;
	user: JournalParticipant;
	caller: NotifiedCaller;
	contact: Contact | null;
	call: CallRecord;
	legs: OwnedLeg[];
	answeredByUser: UserRef | null;
}

export interface CallDecision {
	notifications: Notification[];
	journal: JournalEntry[];
	suppressed: Suppression[];
	/** null for a duplicate: nothing new to remember. */
	remember: StateUpdate | null;
}

export interface PresenceDecision {
	/** A login nobody in the directory owns, while the until-login rule would read it. */
	suppressed: Suppression[];
	remember: StateUpdate | null;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A directory user who rang during the call, with their legs merged. */
interface Participant {
	user: DirectoryUser;
	ref: UserRef;
	timeZone: string;
	ringMs: number;
	/**
	 * Whether a phone of theirs was still ringing when the trigger gave up on the call (incomplete):
	 * how long it rang is not known, so it is not "too short".
	 */
	ringEndUnknown: boolean;
	/** Whether every line of theirs that the call reached was busy: then it hardly rang, which the reason says. */
	busy: boolean;
}

function userRef(user: DirectoryUser): UserRef {
	return { id: user.id, name: user.name ?? user.id };
}

/** The caller as the outputs show it, and `key`, the identity the repeat rules remember (null: never the same). */
function describeCaller(call: CallRecord, { plan, directory }: RuleContext): { caller: NotifiedCaller; key: string | null } {
	const { number, name, restricted } = call.caller;
	// A restricted caller asked not to be shown: the PBX may still pass the number, we do not.
	const hidden = restricted || isWithheld(numberOf(number));
	// A colleague calling from a line of theirs: named as the directory names them when the PBX sends no
	// name, a placeholder (`<unknown>`) or the number itself.
	const sentName = isWithheld(name) || name.trim() === number.trim() ? '' : name;
	const colleague = hidden || sentName ? null : directory.ownerOfLine(number);
	return {
		caller: {
			number,
			e164: hidden ? null : plan.normalise(number),
			display: hidden ? '' : plan.display(number),
			name: colleague ? userRef(colleague).name : name,
			restricted: hidden,
		},
		key: hidden ? null : plan.key(number),
	};
}

function names(participants: readonly Participant[]): string {
	return participants.map((participant) => participant.ref.name).join(', ');
}

function pick<T>(choice: ParticipantChoice, list: readonly T[]): T[] {
	switch (choice) {
		case 'none':
			return [];
		case 'first':
			return list.slice(0, 1);
		case 'last':
			return list.slice(-1);
		case 'all':
			return [...list];
	}
}

/**
 * Legs in order of first ringing with their owners; participants = distinct owners in that order.
 * Legs that started ringing together (a group's parallel ringing) go in directory order, so that
 * "first" and "last" do not depend on the order the PBX happened to report them in.
 */
function ownLegs(call: CallRecord, ctx: RuleContext): { legs: OwnedLeg[]; participants: Participant[] } {
	const position = (user: DirectoryUser | null) => (user === null ? ctx.directory.users.length : ctx.directory.users.indexOf(user));
	const legs = call.legs
		.map((leg) => {
			const owner = ctx.directory.ownerOfLine(leg.line);
			return { leg, user: owner, owned: { ...leg, owner: owner && userRef(owner) } };
		})
		.sort((a, b) => Date.parse(a.leg.ringingFrom) - Date.parse(b.leg.ringingFrom) || position(a.user) - position(b.user));
	const intervals = new Map<DirectoryUser, [number, number][]>();
	const ringEndUnknown = new Set<DirectoryUser>();
	const notBusy = new Set<DirectoryUser>();
	for (const { leg, user } of legs) {
		if (user === null) continue;
		const list = intervals.get(user) ?? [];
		list.push([Date.parse(leg.ringingFrom), Date.parse(leg.ringingUntil)]);
		intervals.set(user, list);
		if (leg.stillRinging) ringEndUnknown.add(user);
		if (leg.result !== 'busy') notBusy.add(user);
	}
	const participants = [...intervals].map(([user, list]) => ({
		user,
		ref: userRef(user),
		timeZone: user.timeZone ?? (ctx.settings.defaultTimeZone || ctx.workflowTimeZone),
		ringMs: coveredMs(list),
		ringEndUnknown: ringEndUnknown.has(user),
		busy: !notBusy.has(user),
	}));
	return { legs: legs.map(({ owned }) => owned), participants };
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

function localTime(at: number, zone: string): string {
	return `${DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
}

// ---------------------------------------------------------------------------------------------
// §4.2 call-level exceptions: they concern the caller, so they hold for every candidate at once.

function callException(
	call: CallRecord,
	caller: NotifiedCaller,
	contact: Contact | null,
	ctx: RuleContext,
): { reason: SuppressionReason; detail: string } | null {
	const { settings, directory, plan } = ctx;
	const number = call.caller.number;
	const withheld = caller.restricted;
	if (settings.skipInternalCallers) {
		if (call.direction === 'internal') return { reason: 'internalCaller', detail: 'Internal call.' };
		const owner = withheld ? null : directory.ownerOfLine(number);
		if (owner) {
			return { reason: 'internalCaller', detail: `The caller ${number} is a line of ${userRef(owner).name}.` };
		}
		if (!withheld && plan.isInternalNumber(number)) {
			return { reason: 'internalCaller', detail: `The caller ${number} is an internal number.` };
		}
	}
	if (settings.skipWithheldNumbers && withheld) {
		return {
			reason: 'suppressedNumber',
			detail: call.caller.restricted
				? 'The caller withheld the number.'
				: `The caller number ${JSON.stringify(number)} means a withheld number.`,
		};
	}
	if (settings.skipWithoutContact && !hasContactData(contact)) {
		return {
			reason: 'noContact',
			detail:
				contact === null
					? 'No contact data was resolved for the caller.'
					: 'The caller contact has no name, first or last name, company or e-mail.',
		};
	}
	if (settings.excludedNumbers.size > 0 && !withheld && settings.excludedNumbers.matches(number)) {
		return { reason: 'excludedNumber', detail: `The caller ${caller.display} is on the excluded numbers list.` };
	}
	return null;
}

// ---------------------------------------------------------------------------------------------
// §4.2 repeat exceptions: they concern one recipient and this caller.

function repeatException(
	participant: Participant,
	callerKey: string | null,
	at: number,
	ctx: RuleContext,
): { reason: SuppressionReason; detail: string } | null {
	// Restricted callers are never "the same caller".
	if (callerKey === null) return null;
	const { settings, memory } = ctx;
	const last = memory.lastNotified(participant.user.id, callerKey);
	if (last === null) return null;
	const zone = participant.timeZone;
	const name = participant.ref.name;
	if (
		settings.skipRepeatedSameDay &&
		DateTime.fromMillis(last, { zone }).toISODate() === DateTime.fromMillis(at, { zone }).toISODate()
	) {
		return {
			reason: 'repeatedSameDay',
			detail: `${name} was already notified about this caller today (${localTime(last, zone)}).`,
		};
	}
	const login = memory.lastLogin(participant.user.id);
	// A login stamped after both the call and n8n's clock has not happened yet: a sender writing local
	// time with "Z" stamps logins hours ahead, and each repeated call until then would be mailed. One
	// already past counts even when timed after the call: only the newest login is kept, and it may
	// hide an earlier one that came before this call (decided late by a reorder window or a
	// concurrent execution).
	const loginAhead = login !== null && login > at && login > memory.now();
	if (settings.skipRepeatedUntilLogin && (login === null || login <= last || loginAhead)) {
		const notified = `${name} was already notified about this caller (${localTime(last, zone)}) and has not logged in since`;
		return {
			reason: 'repeatedNotLoggedIn',
			detail: loginAhead
				? `${notified}; the last login (${localTime(login, zone)}) is timed after this call and after this ` +
					'moment, so it does not count yet (is the clock of the sender of logins ahead?).'
				: `${notified}.`,
		};
	}
	return null;
}

// ---------------------------------------------------------------------------------------------
// The decision

export function decideCall(call: CallRecord, contact: Contact | null, ctx: RuleContext): CallDecision {
	const { settings } = ctx;
	const { caller, key: callerKey } = describeCaller(call, ctx);
	const suppressed: Suppression[] = [];
	const suppress = (reason: SuppressionReason, user: UserRef | null, detail: string, line: string | null = null) =>
		suppressed.push({ detail, user, reason, kind: 'suppressed', callId: call.callId, line, caller });

	// §4.5: a call record delivered twice produces nothing the second time.
	if (ctx.memory.isProcessed(call.callId)) {
		const detail = `Call ${call.callId} was already processed; this repeated delivery is ignored.`;
		suppress('duplicateCall', null, detail);
		return { notifications: [], journal: [], suppressed, remember: null };
	}

	// A call a user placed is nobody's missed call: its lines are the far end or, with click-to-dial,
	// the user's own phone ringing first. Neither e-mail nor journal; its id is remembered like any.
	if (call.direction === 'outbound') {
		suppress('outboundCall', null, `Call ${call.callId} was placed by the office (direction outbound); it is nobody's missed call.`);
		return { notifications: [], journal: [], suppressed, remember: { callId: call.callId } };
	}

	const { legs, participants } = ownLegs(call, ctx);
	for (const line of new Set(legs.filter((leg) => leg.owner === null).map((leg) => leg.line))) {
		suppress('unownedLine', null, `Line ${line} rang but has no owner in the directory.`, line);
	}

	// A missed call in which no line rang: its ringing never reached the trigger (it was restarted
	// while the call rang, or the PBX sent only the end). Nobody can be mailed; the administrator must
	// still see the call.
	if (call.outcome === 'missed' && legs.length === 0) {
		// An incomplete call never ended: the trigger gave it up (silence timeout, age, Max Pending Calls).
		const why = call.incomplete
			? 'the trigger received no ringing line and no end for it and gave it up unfinished ' +
				'(did the PBX send only the start of the call?)'
			: 'the trigger received only the end of the call (was n8n restarted while it rang, or is the end ' +
				'timed before the ringing: event times from two clocks?)';
		suppress('noRingingLine', null, `No line was seen ringing in call ${call.callId}, so nobody can be notified; ${why}.`);
	}

	const answeredLine = call.outcome === 'answered' ? (call.answeredBy?.line ?? null) : null;
	const answeringUser = answeredLine === null ? null : ctx.directory.ownerOfLine(answeredLine);
	const answeredByUser = answeringUser && userRef(answeringUser);
	// Answered on another of the user's own devices is still answered by that user.
	const notAnswering = participants.filter((participant) => participant.user !== answeringUser);
	const aboutTheCall = { caller, contact, call, legs, answeredByUser };

	// §4.3 journal: missed calls for the users who rang; answered calls for those who rang but did not
	// answer. The e-mail exceptions do not apply.
	const journal =
		call.outcome === 'missed'
			? journalEntries('unanswered', pick(settings.journalUnanswered, participants), aboutTheCall)
			: journalEntries(
					'forwardedOrAnswered',
					pick(settings.journalForwardedOrAnswered, notAnswering),
					aboutTheCall,
				);

	// §4.1 candidates.
	let candidates: Participant[];
	if (call.outcome === 'missed') {
		candidates = participants;
	} else {
		const line = `line ${answeredLine ?? 'unknown'}`;
		const by = answeredByUser ? `${answeredByUser.name} (${line})` : line;
		for (const participant of participants) {
			if (participant.user === answeringUser) {
				suppress('answered', participant.ref, `${participant.ref.name} answered the call (${line}).`);
			} else if (!settings.alsoWhenAnsweredByThirdParty) {
				suppress(
					'answered',
					participant.ref,
					`The call was answered by ${by}; e-mails when a third party answers are off.`,
				);
			}
		}
		candidates = settings.alsoWhenAnsweredByThirdParty ? notAnswering : [];
	}
	const minRingMs = settings.minRingSeconds * 1000;
	candidates = candidates.filter((participant) => {
		if (minRingMs === 0 || participant.ringMs >= minRingMs || participant.ringEndUnknown) return true;
		suppress(
			'shortRing',
			participant.ref,
			participant.busy
				? `${participant.ref.name}'s line was busy (it rang ${seconds(participant.ringMs)}, less than the minimum of ${settings.minRingSeconds} s).`
				: `${participant.ref.name}'s phones rang ${seconds(participant.ringMs)}, less than the minimum of ${settings.minRingSeconds} s.`,
		);
		return false;
	});
	const nothingToSend = { notifications: [], journal, suppressed, remember: { callId: call.callId } };
	if (candidates.length === 0) return nothingToSend;

	// §4.2 exceptions about the caller hold for every candidate: one suppression for the call.
	const exception = callException(call, caller, contact, ctx);
	if (exception) {
		suppress(exception.reason, null, `${exception.detail} No e-mail for ${names(candidates)}.`);
		return nothingToSend;
	}

	// §4.1 recipient mode, then (no substitution) the users' own choices and the repeat rules.
	const selected = pick(settings.recipients, candidates);
	const chosen = selected.length === 0 ? 'nobody is chosen' : `${names(selected)} was chosen`;
	for (const participant of candidates) {
		if (!selected.includes(participant)) {
			suppress('notSelected', participant.ref, `Recipient mode is "${settings.recipients}"; ${chosen}.`);
		}
	}
	const at = Date.parse(call.resolvedAt);
	const rememberNotifications = settings.skipRepeatedSameDay || settings.skipRepeatedUntilLogin;
	const notifications: Notification[] = [];
	const notified: NonNullable<StateUpdate['notified']> = [];
	for (const participant of selected) {
		const { user, ref } = participant;
		if (user.notify === false) {
			suppress('optedOut', ref, `${ref.name} chose not to receive missed-call e-mails (notify: false).`);
			continue;
		}
		if (user.email === undefined) {
			suppress('noEmail', ref, `${ref.name} has no e-mail address in the directory.`);
			continue;
		}
		const repeat = repeatException(participant, callerKey, at, ctx);
		if (repeat) {
			suppress(repeat.reason, ref, repeat.detail);
			continue;
		}
		notifications.push({
			kind: 'notification',
			reason: call.outcome === 'missed' ? 'missed' : 'answeredByThirdParty',
			recipient: {
				id: user.id,
				name: ref.name,
				email: user.email,
				...(user.language === undefined ? {} : { language: user.language }),
				timeZone: participant.timeZone,
			},
			...aboutTheCall,
			country: ctx.plan.country,
		});
		// Only the repeat rules read these; without them the state would grow for nothing (n8n loads
		// and saves all of it with every call).
		if (callerKey !== null && rememberNotifications) notified.push({ userId: user.id, callerKey, at });
	}
	return { notifications, journal, suppressed, remember: { callId: call.callId, notified } };
}

function journalEntries(
	rule: JournalRule,
	participants: readonly Participant[],
	aboutTheCall: Pick<JournalEntry, 'caller' | 'contact' | 'call' | 'legs' | 'answeredByUser'>,
): JournalEntry[] {
	return participants.map(({ user, ref, timeZone, ringMs, ringEndUnknown }) => ({
		kind: 'journal',
		rule,
		user: {
			...ref,
			email: user.email ?? null,
			...(user.language === undefined ? {} : { language: user.language }),
			timeZone,
			ringSeconds: ringEndUnknown ? null : ringMs / 1000,
		},
		...aboutTheCall,
	}));
}

/**
 * Presence (SPEC §4.4): a login re-enables the "repeated call while not logged in" rule. Only that
 * rule reads logins, so without it none is kept (n8n loads and saves the state with every call).
 */
export function decidePresence(
	record: PresenceRecord,
	{ directory, settings }: Pick<RuleContext, 'directory' | 'settings'>,
): PresenceDecision {
	if (record.type !== 'login' || !settings.skipRepeatedUntilLogin) return { suppressed: [], remember: null };
	const owner = directory.ownerOfLine(record.line);
	if (owner === null) {
		const detail =
			`A login of line ${record.line} was not remembered: nobody in the directory has that line or id, ` +
			`so ${FILTER_SETTING_LABELS.skipRepeatedUntilLogin} cannot count it for anyone.`;
		const suppression: Suppression = {
			detail,
			user: null,
			reason: 'unownedLine',
			kind: 'suppressed',
			callId: null,
			line: record.line,
			caller: null,
		};
		return { suppressed: [suppression], remember: null };
	}
	return { suppressed: [], remember: { login: { userId: owner.id, at: Date.parse(record.at) } } };
}
