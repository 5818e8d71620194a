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
function isVoicemail(user: string): boolean {
	return user.toLowerCase() === 'voicemail';
}

/**
 * A voicemail box as the only user (`user` or `user[]`), with its line when one user id comes
 * with it; null when a person is named.
 */
function voicemailBox(body: Record<string, unknown>, fail: Fail): { line?: string } | null {
	const names = list(body, 'user', fail);
	if (names.length === 0 || !names.every(isVoicemail)) return null;
	const ids = list(body, 'userId', fail);
	return ids.length === 1 ? { line: ids[0] } : {};
}

/**
 * Which first call each forwarded call id belongs to, learned from the forwarded call's `newCall`
 * (the oldest forgotten beyond `max`), for its `answer` and `hangup` that may lack `origCallId`.
 */
export class SipgateCallIds {
	private readonly firstCalls = new Map<string, string>();

	constructor(private readonly max = 10_000) {}

	/** `firstCallId` is the first call of all, already looked up here. */
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

	// A forward of a forward may name the call it forwarded: filed under the first call of all.
	const named = field('origCallId') ?? field('originalCallId') ?? callId;
	const firstCallId = callIds.firstCallOf(named) ?? named;
	const base: CallEvent = {
		type: 'offered',
		callId: firstCallId,
		time: receivedAt,
		direction: outbound ? 'outbound' : 'inbound',
	};
	if (from !== undefined) {
		base.caller =
			from.toLowerCase() === 'anonymous' ? { number: '', restricted: true } : { number: from };
	}
	if (to !== undefined) base.called = to;

	// Outbound, the user is the caller: never a voicemail box.
	const box = outbound ? null : voicemailBox(body, fail);
	if (kind === 'newCall') {
		// Learnt only from a request that is read in full: a refused one must leave no trace.
		const learn = (events: CallEvent[]) => {
			callIds.learn(callId, firstCallId);
			return events;
		};
		// A call forwarded to the voicemail box alone: the box has it, no phone rings.
		if (box) return learn([base, { ...base, type: 'voicemail', ...box }]);
		// user[] names the called users inbound, but the calling user outbound: only inbound rings.
		const lines = (outbound ? [] : users(body, fail)).filter((line) => !isVoicemail(line));
		return learn([base, ...lines.map((line): CallEvent => ({ ...base, type: 'ringing', line }))]);
	}
	if (kind === 'answer') {
		if (box) return [{ ...base, type: 'voicemail', ...box }];
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

/**
 * For a `newCall` (a request already accepted): the answer that subscribes to the call's `answer`
 * and `hangup` at `callbackUrl` (sipgate.io's `<Response onAnswer onHangup>`), without which each
 * call would end by silence, as missed; null for other requests. Nothing else in it, so sipgate
 * routes the call as configured. `callbackUrl` is a WHATWG URL's `href`: it has `"`, `<` and `>`
 * percent-encoded, and only `&` needs escaping here.
 */
export function sipgateNewCallAnswer(body: unknown, callbackUrl: string): string | null {
	if (!isRecord(body) || ownValue(body, 'event') !== 'newCall') return null;
	const url = callbackUrl.replace(/&/g, '&amp;');
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Response onAnswer="${url}" onHangup="${url}" />\n`;
}

/**
 * Why sipgate.io cannot reach `callbackUrl`, or null: n8n names its webhooks by `localhost` unless
 * `WEBHOOK_URL` gives the public address (n8n's setting for a reverse proxy).
 */
export function unreachableCallback(callbackUrl: string): string | null {
	const { hostname } = new URL(callbackUrl);
	const loopback = hostname === 'localhost' || hostname.startsWith('127.') || hostname === '[::1]';
	return loopback
		? `sipgate.io is told to send answer and hangup to ${hostname}, which it cannot reach: set n8n's WEBHOOK_URL to the public address sipgate.io posts to`
		: null;
}
