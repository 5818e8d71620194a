/**
 * Turns Asterisk AMI events (Asterisk 12+) into the project's CallEvents (SPEC §2.2). One call is
 * one `Linkedid`; a leg is a `DialBegin` … `DialEnd` (or the queue's `AgentCalled` …) towards a
 * line. The heuristics are documented in docs/asterisk.md; keep the two in step.
 */
import type {
	CallDirection,
	CallEvent,
	CallerId,
	PresenceEventType,
	StopReason,
} from '../../shared/callModel';
import { implausibleTime } from '../../shared/instant';
import type { AmiMessage } from './AmiParser';

export interface AmiCallMapperOptions {
	/**
	 * Dialplan contexts in which calls from the PBX's own phones start (the caller channel's
	 * context in its `Newchannel`). Default `['from-internal']` (FreePBX). Empty: any context.
	 */
	internalContexts?: string[];
	/**
	 * Regular expression (source text) matched against SIP/PJSIP/IAX2 endpoint names that are
	 * trunks, not phones. Default: none (trunks are then recognised by their dial string only).
	 */
	trunkPattern?: string;
	/** Whether `PeerStatus` / `ContactStatus` produce `login` / `logout` of the endpoint. */
	presenceFromRegistrations?: boolean;
	/** Calls tracked at once; the oldest is forgotten beyond this. Default 1000. */
	maxCalls?: number;
}

type LegOutcome = 'answered' | StopReason;

interface LineState {
	ringing: boolean;
	/** Leg keys still alerting on this line (one line may ring on several devices). */
	keys: Set<string>;
	/** The most telling reason among the line's ended legs so far. */
	reason?: StopReason;
}

interface CallState {
	callId: string;
	startedAt: number;
	caller: CallerId;
	called: string;
	/** Name and dialplan context of the channel that started the call: tells phones from trunks. */
	callerChannel?: string;
	callerContext?: string;
	offered: boolean;
	answered: boolean;
	lines: Map<string, LineState>;
	/** Leg key (the called channel's Uniqueid) → line. */
	legs: Map<string, string>;
}

/** A dial towards a line (phone or external number), or a `Local/` helper that is no line. */
type DialTarget = { line: string; external: boolean } | undefined;

const DEFAULT_INTERNAL_CONTEXTS = ['from-internal'];

/**
 * The trigger's Internal Contexts option: comma-separated, `*` for any context. An empty field gives
 * the default, not "any context": that would count every trunk call as internal.
 */
export function parseInternalContexts(text: string | undefined): string[] | undefined {
	const contexts = (text ?? '')
		.split(',')
		.map((context) => context.trim())
		.filter(Boolean);
	if (contexts.length === 0) return undefined;
	return contexts.includes('*') ? [] : contexts;
}
const DEFAULT_MAX_CALLS = 1000;
/** Per call: a runaway queue or dialplan loop must not grow one call without bound. */
const MAX_LINES_PER_CALL = 200;
const MAX_PRESENCE_LINES = 10000;

/** `PJSIP/201-0000001a`, `SIP/201-00000012`, `IAX2/201-4711`: the endpoint is the line. */
const DEVICE_CHANNEL = /^(?:PJSIP|SIP|IAX2)\/(.+)-[0-9a-f]+$/i;
/** Queue member interfaces: `PJSIP/201`, `Local/201@from-queue/n`. */
const DEVICE_INTERFACE = /^(?:PJSIP|SIP|IAX2)\/([^/@]+)$/i;
const LOCAL_INTERFACE = /^Local\/([^@/]+)@/i;
const LOCAL_CHANNEL = /^Local\//i;
/** Dial strings that send a number out through an endpoint: `number@trunk` (PJSIP)… */
const DIAL_VIA_ENDPOINT_AT = /^([^@/:]+)@[^/]+$/;
/** …and `trunk/number` (SIP, IAX2, DAHDI group); `201/sip:201@host` is a phone's contact. */
const DIAL_VIA_ENDPOINT_SLASH = /^[^/@]+\/(?!sips?:)([^/]+)$/i;
/** `endpoint/sip:user@host`: on an endpoint known to be a trunk, the user part is the number. */
const DIAL_URI_USER = /^[^/@]+\/sips?:([^@;]+)@/i;
const UNKNOWN_VALUES = new Set(['', '<unknown>', 'unknown']);
const STOP_REASON_WEIGHT: Record<StopReason, number> = {
	cancelled: 0,
	timeout: 1,
	rejected: 2,
	busy: 3,
	noAnswer: 4,
};

/**
 * DialStatus of `DialEnd`; statuses not listed (CONTINUE, GOTO, …) leave the leg to the Hangup.
 * Maps, not object literals: the keys come from the network (`constructor` is no status).
 */
const DIAL_STATUS = new Map<string, LegOutcome>([
	['ANSWER', 'answered'],
	['NOANSWER', 'noAnswer'],
	['BUSY', 'busy'],
	['CANCEL', 'cancelled'],
	['ABORT', 'cancelled'],
	// The line could not take the call at all (unreachable, unregistered, refused by the network).
	['CONGESTION', 'rejected'],
	['CHANUNAVAIL', 'rejected'],
]);

const PEER_STATUS = new Map<string, PresenceEventType>([
	['Registered', 'login'],
	['Reachable', 'login'],
	['Unregistered', 'logout'],
	['Unreachable', 'logout'],
]);

const CONTACT_STATUS = new Map<string, PresenceEventType>([
	['Created', 'login'],
	['Reachable', 'login'],
	['Removed', 'logout'],
	['Unreachable', 'logout'],
]);

export class AmiCallMapper {
	private internalContexts: string[] = [];
	private trunkPattern?: RegExp;
	private presenceFromRegistrations = false;
	private maxCalls = 0;
	private readonly calls = new Map<string, CallState>();
	/** Calls already over: their late events (other channels hanging up) start nothing new. */
	private readonly finished = new Set<string>();
	private readonly presence = new Map<string, PresenceEventType>();

	constructor(options: AmiCallMapperOptions = {}) {
		this.configure(options);
	}

	/**
	 * Takes the options of a re-published trigger and keeps the calls: their callers, dialled numbers
	 * and ringing lines are still known when they end, and finished calls still start nothing new.
	 * A lower `maxCalls` forgets the oldest, as tracking one more call would. Throws, changing
	 * nothing, for a Trunk Pattern that is no regular expression.
	 */
	reconfigure(options: AmiCallMapperOptions): void {
		this.configure(options);
		evictOldest(this.calls, this.maxCalls);
		evictOldest(this.finished, this.maxCalls);
		// Registrations are not followed while off: what was last seen may be stale when turned on.
		if (!this.presenceFromRegistrations) this.presence.clear();
	}

	private configure(options: AmiCallMapperOptions): void {
		this.trunkPattern = trunkPatternOf(options.trunkPattern);
		this.internalContexts = options.internalContexts ?? DEFAULT_INTERNAL_CONTEXTS;
		this.presenceFromRegistrations = options.presenceFromRegistrations ?? false;
		this.maxCalls = Math.max(1, options.maxCalls ?? DEFAULT_MAX_CALLS);
	}

	/** Calls currently tracked (bounded by `maxCalls`). */
	get trackedCalls(): number {
		return this.calls.size;
	}

	/**
	 * Maps one AMI event. `receivedAt` (epoch ms) is used unless the event carries a `Timestamp`
	 * (`timestampevents = yes` in manager.conf).
	 */
	map(message: AmiMessage, receivedAt: number): CallEvent[] {
		const time = eventTime(message, receivedAt);
		switch (message.Event) {
			case 'Newchannel':
				return this.onNewchannel(message, time);
			case 'NewCallerid':
				return this.onNewCallerid(message);
			case 'DialBegin':
				return this.onDialBegin(message, time);
			case 'DialEnd':
				return this.onDialEnd(message, time);
			case 'AgentCalled':
				return this.onAgent(message, time, undefined);
			case 'AgentRingNoAnswer':
				return this.onAgent(message, time, 'noAnswer');
			case 'AgentConnect':
				return this.onAgent(message, time, 'answered');
			case 'Pickup':
				return this.onPickup(message, time);
			case 'QueueCallerAbandon':
				return this.onQueueCallerAbandon(message, time);
			case 'Hangup':
				return this.onHangup(message, time);
			case 'PeerStatus':
			case 'ContactStatus':
				return this.onRegistration(message, time);
			default:
				return [];
		}
	}

	private onNewchannel(message: AmiMessage, time: number): CallEvent[] {
		// Only the channel that starts a call (Uniqueid == Linkedid) says who calls and from where.
		if (!message.Linkedid || message.Uniqueid !== message.Linkedid) return [];
		const call = this.track(message.Linkedid, time, channelCaller(message), message);
		if (call) call.callerContext = message.Context;
		return [];
	}

	/** Caller-ID lookups (FreePBX CID sources) rename the caller before anyone is dialled. */
	private onNewCallerid(message: AmiMessage): CallEvent[] {
		const call = this.calls.get(message.Linkedid);
		if (call && !call.offered && message.Uniqueid === message.Linkedid) {
			call.caller = callerId(
				message.CallerIDNum,
				message.CallerIDName,
				message['CID-CallingPres'],
			);
		}
		return [];
	}

	private onDialBegin(message: AmiMessage, time: number): CallEvent[] {
		const target = this.dialTarget(message.DestChannel, message.DialString);
		const call = this.track(message.Linkedid, time, channelCaller(message), message);
		if (!call) return [];
		const events = this.offer(call, target?.external ?? false);
		if (target) {
			events.push(...this.legStarted(call, legKey(message), target.line, time));
		}
		return events;
	}

	private onDialEnd(message: AmiMessage, time: number): CallEvent[] {
		const outcome = DIAL_STATUS.get(message.DialStatus);
		const call = this.track(message.Linkedid, time, channelCaller(message), message);
		if (!call) return [];
		const key = legKey(message);
		const dialled = call.legs.get(key);
		const line = dialled ?? this.lineOf(message.DestChannel);
		const events = this.offer(call, false);
		if (!line) return events;
		// Its DialBegin was lost while reconnecting: the phone rang from when its channel was made,
		// not for 0 s (which the minimum ringing time would count against its user).
		// Only for a DialEnd that ends the leg here: with a status left to the Hangup (CONTINUE, GOTO …)
		// a ringing would stay open until the call ends.
		const endsLeg = message.Forward || (outcome !== undefined && outcome !== 'answered');
		const rangFrom = endsLeg && dialled === undefined && !call.lines.has(line) ? creationTime(message.DestUniqueid, time) : undefined;
		if (rangFrom !== undefined) events.push(...this.legStarted(call, key, line, rangFrom));
		if (message.Forward) {
			events.push(...this.legDiverted(call, key, line, forwardTarget(message.Forward), time));
		} else if (outcome) {
			events.push(...this.legEnded(call, key, line, outcome, time));
		}
		return events;
	}

	/** Queue members: `outcome` undefined for `AgentCalled` (the member starts ringing). */
	private onAgent(message: AmiMessage, time: number, outcome: LegOutcome | undefined): CallEvent[] {
		const line = agentLine(message.Interface) ?? this.lineOf(message.DestChannel);
		const call = this.track(message.Linkedid, time, channelCaller(message), message);
		if (!call) return [];
		const events = this.offer(call, false);
		if (!line) return events;
		const key = message.DestUniqueid || `member:${message.Interface}`;
		events.push(
			...(outcome === undefined
				? this.legStarted(call, key, line, time)
				: this.legEnded(call, key, line, outcome, time)),
		);
		return events;
	}

	/**
	 * `Channel` is the phone that picks up (its own, separate call), `Target*` the ringing channel
	 * of the call it takes over.
	 */
	private onPickup(message: AmiMessage, time: number): CallEvent[] {
		const caller = callerId(message.TargetConnectedLineNum, message.TargetConnectedLineName);
		const call = this.track(message.TargetLinkedid, time, caller);
		if (!call) return [];
		const events = this.offer(call, false);
		const from = this.lineOf(message.TargetChannel);
		if (from) {
			// The picked-up channel now reports ANSWER on the dialler's side: that is not its answer.
			call.legs.delete(message.TargetUniqueid);
			this.setLineDone(call, from);
		}
		const line = this.lineOf(message.Channel) ?? knownValue(message.CallerIDNum);
		if (!line) return events;
		call.answered = true;
		this.setLineDone(call, line);
		events.push({
			type: 'answered',
			callId: call.callId,
			time,
			line,
			pickup: true,
			...(from ? { from } : {}),
		});
		return events;
	}

	/** The caller hung up while waiting in a queue: the call is over. */
	private onQueueCallerAbandon(message: AmiMessage, time: number): CallEvent[] {
		const call = this.track(message.Linkedid, time, channelCaller(message), message);
		if (!call) return [];
		const events = this.offer(call, false);
		events.push(...this.finish(call, time));
		return events;
	}

	/** Only the caller channel's hangup ends the call; a call that never dialled was no call. */
	private onHangup(message: AmiMessage, time: number): CallEvent[] {
		if (!message.Linkedid || message.Uniqueid !== message.Linkedid) return [];
		const call = this.calls.get(message.Linkedid);
		return call ? this.finish(call, time) : [];
	}

	private onRegistration(message: AmiMessage, time: number): CallEvent[] {
		if (!this.presenceFromRegistrations) return [];
		const type =
			message.Event === 'PeerStatus'
				? PEER_STATUS.get(message.PeerStatus)
				: CONTACT_STATUS.get(message.ContactStatus);
		const line =
			message.Event === 'PeerStatus'
				? message.Peer?.replace(/^[^/]*\//, '')
				: message.EndpointName || message.AOR;
		if (!type || !line || this.trunkPattern?.test(line)) return [];
		// PJSIP reports one change as both ContactStatus and PeerStatus: pass it on once.
		if (this.presence.get(line) === type) return [];
		this.presence.delete(line);
		this.presence.set(line, type);
		evictOldest(this.presence, MAX_PRESENCE_LINES);
		return [{ type, line, time }];
	}

	/** The call's state, created on first sight; undefined for calls already over. */
	private track(
		linkedid: string | undefined,
		time: number,
		caller: CallerId,
		message?: AmiMessage,
	): CallState | undefined {
		if (!linkedid || this.finished.has(linkedid)) return undefined;
		let call = this.calls.get(linkedid);
		if (!call) {
			// Not from the caller's Newchannel (lost while reconnecting): when its channel was made.
			const fromNewchannel = message?.Event === 'Newchannel' && message.Uniqueid === linkedid;
			call = {
				callId: linkedid,
				startedAt: fromNewchannel ? time : (creationTime(linkedid, time) ?? time),
				caller,
				called: usefulExten(message?.Exten) ?? '',
				offered: false,
				answered: false,
				lines: new Map(),
				legs: new Map(),
			};
			this.calls.set(linkedid, call);
			evictOldest(this.calls, this.maxCalls);
		}
		if (!call.callerChannel && message && message.Uniqueid === linkedid) {
			call.callerChannel = message.Channel;
		}
		return call;
	}

	/** `offered` goes out with the first dial, when the direction can be told. */
	private offer(call: CallState, dialsOut: boolean): CallEvent[] {
		if (call.offered) return [];
		call.offered = true;
		return [
			{
				type: 'offered',
				callId: call.callId,
				time: call.startedAt,
				caller: call.caller,
				called: call.called,
				direction: this.direction(call, dialsOut),
			},
		];
	}

	/**
	 * A phone of the PBX (SIP/PJSIP/IAX2 endpoint, not a trunk, in an internal context) calling:
	 * `outbound` when its first dial leaves the PBX, else `internal`; anyone else: `inbound`.
	 */
	private direction(call: CallState, dialsOut: boolean): CallDirection {
		const endpoint = call.callerChannel ? deviceEndpoint(call.callerChannel) : undefined;
		const fromPhone =
			endpoint !== undefined &&
			!this.trunkPattern?.test(endpoint) &&
			(this.internalContexts.length === 0 ||
				(call.callerContext !== undefined && this.internalContexts.includes(call.callerContext)));
		if (!fromPhone) return 'inbound';
		return dialsOut ? 'outbound' : 'internal';
	}

	private dialTarget(destChannel: string | undefined, dialString: string | undefined): DialTarget {
		if (!destChannel || LOCAL_CHANNEL.test(destChannel)) return undefined;
		const endpoint = deviceEndpoint(destChannel);
		// app_queue reports a member's interface as the dial string: `PJSIP/201` is that phone, not a trunk
		const memberInterface = dialString !== undefined && DEVICE_INTERFACE.exec(dialString)?.[1] === endpoint;
		const sendsOut =
			!memberInterface &&
			dialString !== undefined &&
			(DIAL_VIA_ENDPOINT_AT.test(dialString) || DIAL_VIA_ENDPOINT_SLASH.test(dialString));
		if (endpoint !== undefined && !sendsOut && !this.trunkPattern?.test(endpoint)) {
			return { line: endpoint, external: false };
		}
		// A trunk (or DAHDI and the like): the line is the number dialled out there.
		const line = (dialString && dialledNumber(dialString)) || dialString;
		return line ? { line, external: true } : undefined;
	}

	/** The line of a phone's channel; undefined for trunks, `Local/` helpers and the rest. */
	private lineOf(channel: string | undefined): string | undefined {
		const endpoint = channel ? deviceEndpoint(channel) : undefined;
		return endpoint !== undefined && !this.trunkPattern?.test(endpoint) ? endpoint : undefined;
	}

	private legStarted(call: CallState, key: string, line: string, time: number): CallEvent[] {
		if (call.legs.has(key)) return [];
		let state = call.lines.get(line);
		const events: CallEvent[] = [];
		if (!state?.ringing) {
			state = { ringing: true, keys: new Set() };
			if (call.lines.has(line) || call.lines.size < MAX_LINES_PER_CALL) call.lines.set(line, state);
			events.push({ type: 'ringing', callId: call.callId, time, line });
		}
		if (call.legs.size < MAX_LINES_PER_CALL) {
			call.legs.set(key, line);
			state.keys.add(key);
		}
		return events;
	}

	private legEnded(
		call: CallState,
		key: string,
		line: string,
		outcome: LegOutcome,
		time: number,
	): CallEvent[] {
		call.legs.delete(key);
		const state = call.lines.get(line);
		if (state && !state.ringing) return [];
		if (outcome === 'answered') {
			call.answered = true;
			this.setLineDone(call, line);
			return [{ type: 'answered', callId: call.callId, time, line }];
		}
		let reason: StopReason = outcome;
		if (state) {
			// A line ringing on several devices stops when the last one does.
			state.keys.delete(key);
			state.reason = moreTelling(state.reason, outcome);
			if (state.keys.size > 0) return [];
			reason = state.reason;
		}
		this.setLineDone(call, line);
		// Once answered, the other lines are cancelled because of it. Reported, such a stop often
		// carries the answer's very millisecond and could be read as a plain "not answered".
		if (reason === 'cancelled' && call.answered) return [];
		return [{ type: 'stopped', callId: call.callId, time, line, reason }];
	}

	private legDiverted(
		call: CallState,
		key: string,
		line: string,
		to: string,
		time: number,
	): CallEvent[] {
		call.legs.delete(key);
		if (call.lines.get(line)?.ringing === false) return [];
		this.setLineDone(call, line);
		return [{ type: 'diverted', callId: call.callId, time, line, to }];
	}

	/** Marks a line as no longer alerting, so later reports about the same ringing are ignored. */
	private setLineDone(call: CallState, line: string): void {
		const state = call.lines.get(line);
		if (state) {
			state.ringing = false;
			state.keys.clear();
		} else if (call.lines.size < MAX_LINES_PER_CALL) {
			call.lines.set(line, { ringing: false, keys: new Set() });
		}
	}

	private finish(call: CallState, time: number): CallEvent[] {
		this.calls.delete(call.callId);
		this.finished.add(call.callId);
		evictOldest(this.finished, this.maxCalls);
		return call.offered ? [{ type: 'ended', callId: call.callId, time }] : [];
	}
}

function trunkPatternOf(source: string | undefined): RegExp | undefined {
	if (!source) return undefined;
	try {
		return new RegExp(source, 'i');
	} catch (error) {
		throw new Error(`Options → Trunk Pattern: "${source}" is not a valid regular expression: ${error.message}`);
	}
}

/** The event's `Timestamp`; the time of receipt without one, or for one no PBX clock can be right with. */
function eventTime(message: AmiMessage, receivedAt: number): number {
	const stamp = message.Timestamp;
	const time = stamp && /^\d+(?:\.\d+)?$/.test(stamp) ? Math.round(Number(stamp) * 1000) : receivedAt;
	return implausibleTime(time, receivedAt, 'after its receipt') ? receivedAt : time;
}

/**
 * When Asterisk made a channel, read off its unique id (`[systemname-]<epoch seconds>.<counter>`);
 * undefined for ids of another form (set by an Originate) or a time more than an hour before `notAfter`.
 */
function creationTime(uniqueid: string | undefined, notAfter: number): number | undefined {
	const seconds = uniqueid ? /(?:^|-)(\d{9,10})\.\d+$/.exec(uniqueid)?.[1] : undefined;
	if (seconds === undefined) return undefined;
	const time = Number(seconds) * 1000;
	return time < notAfter - 3_600_000 ? undefined : Math.min(time, notAfter);
}

function legKey(message: AmiMessage): string {
	return message.DestUniqueid || message.DestChannel || '';
}

function deviceEndpoint(channel: string): string | undefined {
	return DEVICE_CHANNEL.exec(channel)?.[1];
}

function agentLine(memberInterface: string | undefined): string | undefined {
	if (!memberInterface) return undefined;
	return (DEVICE_INTERFACE.exec(memberInterface) ?? LOCAL_INTERFACE.exec(memberInterface))?.[1];
}

/** The number a dial string sends out through a trunk. */
function dialledNumber(dialString: string): string | undefined {
	const match =
		DIAL_VIA_ENDPOINT_AT.exec(dialString) ??
		DIAL_VIA_ENDPOINT_SLASH.exec(dialString) ??
		DIAL_URI_USER.exec(dialString);
	return match?.[1];
}

/** `Forward` as Asterisk reports it: `PJSIP/0171…@trunk` → `0171…`, `Local/202@ctx` → `202`. */
function forwardTarget(forward: string): string {
	return forward.replace(/^[A-Za-z0-9]+\//, '').replace(/@.*$/, '');
}

function channelCaller(message: AmiMessage): CallerId {
	return callerId(message.CallerIDNum, message.CallerIDName);
}

function callerId(
	rawNumber: string | undefined,
	rawName: string | undefined,
	presentation?: string,
): CallerId {
	const number = knownValue(rawNumber) ?? '';
	const name = knownValue(rawName);
	const restricted =
		number === '' || number.toLowerCase() === 'anonymous' || /restricted/i.test(presentation ?? '');
	return { number, ...(name ? { name } : {}), restricted };
}

/** AMI writes `<unknown>` for an absent number or name. */
function knownValue(value: string | undefined): string | undefined {
	const trimmed = value?.trim() ?? '';
	return UNKNOWN_VALUES.has(trimmed.toLowerCase()) ? undefined : trimmed;
}

/** `s` is the dialplan's "no extension" start, not a dialled number. */
function usefulExten(exten: string | undefined): string | undefined {
	const value = knownValue(exten);
	return value === 's' ? undefined : value;
}

function moreTelling(current: StopReason | undefined, next: StopReason): StopReason {
	return current !== undefined && STOP_REASON_WEIGHT[current] >= STOP_REASON_WEIGHT[next]
		? current
		: next;
}

/** Maps and sets iterate in insertion order: the first entries are the oldest. */
function evictOldest(collection: Map<string, unknown> | Set<string>, max: number): void {
	while (collection.size > max) {
		const oldest = collection.keys().next().value as string;
		collection.delete(oldest);
	}
}
