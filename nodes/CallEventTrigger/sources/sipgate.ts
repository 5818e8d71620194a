/**
 * sipgate.io push API and the Zammad generic CTI API, which copies it (SPEC §2.2). One request is
 * one `newCall`, `answer` or `hangup`; the body arrives decoded (JSON, or a form where a repeated
 * key such as `user[]` became an array).
 *
 * Each request maps on its own, without memory of earlier ones:
 * - A forward starts a new sipgate call id; its events carry `origCallId` (`originalCallId` in
 *   sipgate's own client library) naming the first call, and are filed under that id, so the whole
 *   forwarded call is one call. The `hangup` with cause `forwarded` must not end it: it becomes a
 *   `diverted` without `line`. sipgate documents `origCallId` for `newCall` only, so the one memory
 *   kept is which first call each forwarded call id belongs to (`SipgateCallIds`).
 * - A voicemail box that takes the call is reported as an `answer` by the user "voicemail" (or a
 *   forward to a new call whose only user is "voicemail"): a `voicemail` event, so the call stays
 *   missed (SPEC §2.3).
 * - A hangup names no line, so `busy`/`noAnswer` become a `stopped` without `line`.
 * CallAssembler applies both line-less events to every line still ringing.
 *
 * Numbers come as E.164 without "+" (`492111234567`) and get it back (see `international`).
 *
 * sipgate.io pushes only `newCall` unless the answer to it (its "XML response") names the URLs for
 * the call's `answer` and `hangup`: see `sipgateNewCallAnswer`.
 */
import type { CallEvent, StopReason } from '../../shared/callModel';
import { EventInputError } from './errors';
import { MAX_ID_LENGTH, isRecord, oneOf, ownValue, quote, readText, type Fail } from './fields';

const EVENTS = ['newCall', 'answer', 'hangup', 'dtmf'] as const;
const DIRECTIONS = ['in', 'out'] as const;
const CAUSES = [
	'normalClearing',
	'busy',
	'cancel',
	'noAnswer',
	'congestion',
	'notFound',
	'forwarded',
] as const;
type HangupCause = (typeof CAUSES)[number];

/** What each hangup cause says about the lines still ringing; `ended` follows unless forwarded. */
const CAUSE_STOP: Partial<Record<HangupCause, StopReason>> = { busy: 'busy', noAnswer: 'noAnswer' };

/** The user name sipgate.io gives a voicemail box (Zammad's sipgate tests send it so too). */
function isVoicemail(user: string | undefined): boolean {
	return user?.toLowerCase() === 'voicemail';
}

/**
 * Which first call each forwarded call id belongs to, learned from the forwarded call's `newCall`
 * (the oldest forgotten beyond `max`), for its `answer` and `hangup` that may lack `origCallId`.
 */
export class SipgateCallIds {
	private readonly firstCalls = new Map<string, string>();

	constructor(private readonly max = 10_000) {}

	learn(callId: string, firstCallId: string): void {
		if (callId === firstCallId) return;
		this.firstCalls.delete(callId);
		this.firstCalls.set(callId, firstCallId);
		if (this.firstCalls.size > this.max) this.firstCalls.delete(this.firstCalls.keys().next().value!);
	}

	firstCallOf(callId: string): string | undefined {
		return this.firstCalls.get(callId);
	}
}

export function parseSipgateEvent(
	body: Record<string, unknown>,
	receivedAt: number,
	callIds: SipgateCallIds = new SipgateCallIds(),
): CallEvent[] {
	const reject: Fail = (problem) => {
		throw new EventInputError(problem);
	};
	if (!isRecord(body)) reject('body must be a form or a JSON object');
	const eventName =
		single(body, 'event', reject) ?? reject(`event is required (one of ${EVENTS.join(', ')})`);
	const kind = oneOf(eventName, 'event', EVENTS, reject);
	// DTMF input is not part of a call's ringing story.
	if (kind === 'dtmf') return [];
	const fail: Fail = (problem) => reject(`${kind}: ${problem}`);

	const field = (name: string) => single(body, name, fail);
	const callId = field('callId') ?? fail('callId is required');
	const direction = field('direction');
	const outbound =
		direction !== undefined && oneOf(direction, 'direction', DIRECTIONS, fail) === 'out';
	const from = international(field('from'));
	const to = international(field('to'));

	const firstCallId = field('origCallId') ?? field('originalCallId');
	if (kind === 'newCall' && firstCallId !== undefined) callIds.learn(callId, firstCallId);
	const base: CallEvent = {
		type: 'offered',
		callId: firstCallId ?? callIds.firstCallOf(callId) ?? callId,
		time: receivedAt,
		direction: outbound ? 'outbound' : 'inbound',
	};
	if (from !== undefined) {
		base.caller =
			from.toLowerCase() === 'anonymous' ? { number: '', restricted: true } : { number: from };
	}
	if (to !== undefined) base.called = to;

	if (kind === 'newCall') {
		// user[] names the called users inbound, but the calling user outbound: only inbound rings.
		const called = outbound ? [] : users(body, fail);
		const lines = called.filter((line) => !isVoicemail(line));
		// A call forwarded to the voicemail box alone: the box has it, no phone rings.
		if (called.length > 0 && lines.length === 0) return [base, { ...base, type: 'voicemail' }];
		return [base, ...lines.map((line): CallEvent => ({ ...base, type: 'ringing', line }))];
	}
	if (kind === 'answer') {
		if (!outbound && isVoicemail(field('user'))) return [{ ...base, type: 'voicemail' }];
		const answering = users(body, fail);
		if (answering.length > 1) fail(`user names ${answering.length} users; an answer has one`);
		// Outbound, the user is the caller; the far end that answered is the answering number.
		const line =
			(outbound ? undefined : answering[0]) ??
			international(field('answeringNumber')) ??
			to ??
			fail('user or answeringNumber is required');
		return [{ ...base, type: 'answered', line }];
	}
	const cause = oneOf(field('cause') ?? fail('cause is required'), 'cause', CAUSES, fail);
	if (cause === 'forwarded') return [{ ...base, type: 'diverted' }];
	const reason = CAUSE_STOP[cause];
	const ended: CallEvent = { ...base, type: 'ended' };
	return reason ? [{ ...base, type: 'stopped', reason }, ended] : [ended];
}

/**
 * Restores the "+" that sipgate and Zammad leave off E.164 numbers: read as written, `492111234567`
 * would later be taken for a national number. Numbers starting with 0 are national (Zammad allows
 * them) and stay; so do digit strings too short for E.164 (7 to 15 digits), which are extensions or
 * Zammad user ids (`answeringNumber=42`), and words such as `anonymous` or `voicemail`.
 */
function international(number: string | undefined): string | undefined {
	return number !== undefined && /^[1-9]\d{6,14}$/.test(number) ? `+${number}` : number;
}

/** A single-valued field; empty counts as absent (sipgate sends `origCallId=` on a first call). */
function single(body: Record<string, unknown>, name: string, fail: Fail): string | undefined {
	let value = ownValue(body, name);
	if (Array.isArray(value)) {
		if (value.length > 1) fail(`${name} must be given once, got ${quote(value)}`);
		value = value[0];
	}
	return readText(value, name, MAX_ID_LENGTH, fail) || undefined;
}

/** A list field, sent as `name[]` (sipgate, forms) or `name` (JSON), one value or an array. */
function list(body: Record<string, unknown>, name: string, fail: Fail): string[] {
	const key = Object.prototype.hasOwnProperty.call(body, `${name}[]`) ? `${name}[]` : name;
	const value = ownValue(body, key);
	if (value === undefined) return [];
	const values: unknown[] = Array.isArray(value) ? value : [value];
	return values
		.map((item, index) => readText(item, `${name}[${index}]`, MAX_ID_LENGTH, fail))
		.filter((item): item is string => !!item);
}

/** The users as lines: sipgate user ids (w0), else full ids, else names (all Zammad sends). */
function users(body: Record<string, unknown>, fail: Fail): string[] {
	for (const name of ['userId', 'fullUserId', 'user']) {
		const values = list(body, name, fail);
		if (values.length > 0) return values;
	}
	return [];
}

/** Whether the request is a `newCall`, which sipgate.io expects its XML response to. */
export function isSipgateNewCall(body: unknown): boolean {
	return isRecord(body) && ownValue(body, 'event') === 'newCall';
}

/**
 * The answer to a `newCall` that subscribes to the call's `answer` and `hangup` at `callbackUrl`
 * (sipgate.io's `<Response onAnswer onHangup>`); without it each call would end by silence, as
 * missed. Nothing else in it, so sipgate routes the call as configured. `callbackUrl` is a WHATWG
 * URL's `href`: it has `"`, `<` and `>` percent-encoded, and only `&` needs escaping here.
 */
export function sipgateNewCallAnswer(callbackUrl: string): string {
	const url = callbackUrl.replace(/&/g, '&amp;');
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="${url}" onHangup="${url}" />\n`;
}
