/**
 * Call assembly (SPEC §2.3): normalised CallEvents in, exactly one CallRecord per call out,
 * emitted when the call resolves: at its first `answered`, at `ended` without answer, or after
 * silence.
 *
 * Each pending call keeps its raw events; the record is derived from them, sorted by event time,
 * only when the call resolves. So events that arrive out of order or twice before that moment land
 * in the right place, and the result does not depend on arrival order. `reorderWindowMs` stretches
 * "before that moment": a call whose resolving event arrived is held until a later push's
 * `receivedAt` (or a sweep's `now`) reaches that event's receipt + window, so late events of the
 * call still count. Measured on the receiving clock, as overtaking happens on the way: a PBX clock
 * off by an hour would otherwise hold calls an hour or not at all.
 * With the default window 0 a call resolves the moment its resolving event arrives; `pushBatch`
 * orders the events of one request first, so their order inside the request does not matter.
 *
 * Semantics beyond callModel.ts that sources rely on:
 * - `stopped` or `diverted` WITHOUT `line` applies to every line still ringing at that time
 *   (sipgate hangups name no line).
 * - `stopped` without `reason` counts as `noAnswer`.
 * - `stopped`/`diverted` for a line that never rang gives that line a zero-length leg (busy at
 *   once, forwarded unconditionally), so the record still shows the call tried it.
 * - `voicemail` ends every leg still ringing (`notAnswered`): the box has taken the call.
 * - From FOLD_RINGING_AFTER_EVENTS events on, a line ringing again after its `stopped` continues
 *   its last leg (queues ring round after round); MAX_EVENTS_PER_CALL resolves the call as is.
 * - An `answered` timed at or before the call's `ended` makes it answered; one timed after it is
 *   late and ignored, like every event after the resolving one.
 * - Events the model cannot use (call event without `callId`, ringing/answered/presence without
 *   `line`, time outside the Date range) are skipped and counted in `stats().ignoredEvents`.
 */
import {
	isPresenceEventType,
	type AnsweredBy,
	type CallEvent,
	type CallEventType,
	type CallRecord,
	type LegResult,
	type StopReason,
	type TriggerRecord,
} from '../../shared/callModel';

export interface CallAssemblerOptions {
	/** Resolve a call as missed + incomplete after this long without events (ms). Default 30 min. */
	silenceMs?: number;
	/** Pending calls kept at most; the oldest is resolved (incomplete) to make room. Default 10k. */
	maxPendingCalls?: number;
	/** Resolved call ids remembered to refuse a second record. Default 50000. */
	maxRememberedCallIds?: number;
	/** Hold a resolution this long (ms) for late out-of-order events of the same call. Default 0. */
	reorderWindowMs?: number;
	/** Resolve a call as incomplete once this old (ms), even if events keep coming. Default 4 h. */
	maxCallAgeMs?: number;
	/** Event ids remembered to drop webhook retries. Default 100000. */
	maxRememberedEventIds?: number;
}

export interface CallAssemblerStats {
	pendingCalls: number;
	/** Pending calls whose resolving event arrived, held for the reorder window. */
	waitingCalls: number;
	rememberedCallIds: number;
	rememberedEventIds: number;
	/** Entries of the eviction queue: pending calls plus resolved ones not compacted away yet. */
	evictionQueue: number;
	/** Calls resolved early because `maxPendingCalls` was reached. */
	evictedCalls: number;
	/** Events for a call that was already resolved. */
	lateEvents: number;
	/** Events whose `eventId` was seen before. */
	duplicateEvents: number;
	/** Events the model cannot use (see the module comment). */
	ignoredEvents: number;
}

/** How often the triggers call `sweep` on a timer, so silent calls resolve when no event comes. */
export const SWEEP_INTERVAL_MS = 10_000;

/** A call with this many events and still unresolved is resolved as it stands (memory bound). */
const MAX_EVENTS_PER_CALL = 256;
/**
 * From this many events on, a line that rings again after it stopped continues its last leg
 * instead of adding one: a queue rings its members round after round for as long as a caller
 * waits (two events per member and round), and that must not reach the bound above and resolve a
 * call someone is about to answer. The continued leg also spans the pauses between rounds.
 */
const FOLD_RINGING_AFTER_EVENTS = 128;
const MAX_DATE_MS = 8.64e15;

/**
 * Order of events with equal times: a line rings before it stops, a call is answered before it
 * ends; but a `stopped`/`diverted` without line stops only the lines that rang before it.
 */
const RANK: Record<CallEventType, number> = {
	offered: 0,
	ringing: 2,
	diverted: 3,
	stopped: 3,
	voicemail: 4,
	answered: 5,
	ended: 6,
	login: 7,
	logout: 7,
};

function rank(event: CallEvent): number {
	return event.line === undefined && (event.type === 'stopped' || event.type === 'diverted')
		? 1
		: RANK[event.type];
}

/** Time order, equal times by RANK; callers add their own last tie-break. */
function compareEvents(a: CallEvent, b: CallEvent): number {
	return a.time - b.time || rank(a) - rank(b);
}

function hasUsableTime(event: CallEvent): boolean {
	return Number.isFinite(event.time) && Math.abs(event.time) <= MAX_DATE_MS;
}

const STOP_RESULT: Record<StopReason, LegResult> = {
	noAnswer: 'notAnswered',
	timeout: 'notAnswered',
	cancelled: 'notAnswered',
	busy: 'busy',
	rejected: 'rejected',
};

interface ArrivedEvent {
	event: CallEvent;
	/** Arrival order: the last tie-break, so sorting is stable. */
	seq: number;
}

interface PendingCall {
	callId: string;
	resolved: boolean;
	events: ArrivedEvent[];
	lastTime: number;
	/**
	 * When the call was first and last heard of, by the receiver's clock: silence and age count in
	 * these, so a PBX whose clock is off does not get its calls resolved early or late.
	 */
	firstHeard: number;
	lastHeard: number;
	/** When (receiving clock) the call may resolve: its answer's or end's receipt + the reorder window. */
	resolveAt?: number;
}

interface OpenLeg {
	line: string;
	from: number;
	until?: number;
	result?: LegResult;
	divertedTo?: string;
	stillRinging?: true;
}

/**
 * A Set that forgets its oldest entries beyond `cap`. The insertion order lives in a ring buffer:
 * taking the first entry of a Set that keeps deleting its front costs time proportional to the
 * deleted entries V8 has not compacted yet, which turns a long FIFO run quadratic.
 */
class BoundedSet {
	private readonly items = new Set<string>();
	private readonly order: string[] = [];
	/** Next slot to write; once the buffer is full, it holds the oldest entry. */
	private next = 0;

	constructor(private readonly cap: number) {}

	has(item: string): boolean {
		return this.items.has(item);
	}

	add(item: string): void {
		if (this.items.has(item)) return;
		if (this.order.length === this.cap) this.items.delete(this.order[this.next]);
		this.order[this.next] = item;
		this.next = (this.next + 1) % this.cap;
		this.items.add(item);
	}

	get size(): number {
		return this.items.size;
	}
}

export class CallAssembler {
	private silence = 0;
	private maxPendingCalls = 0;
	private reorderWindowMs = 0;
	private maxCallAgeMs = 0;
	private readonly pending = new Map<string, PendingCall>();
	/**
	 * Pending calls in order of creation, to evict the oldest in O(1) (see BoundedSet for why not the
	 * Map's own order). Resolved calls are skipped at the head and compacted away in bulk.
	 */
	private creationOrder: PendingCall[] = [];
	private creationHead = 0;
	/** Subset of `pending` whose resolution waits for the reorder window; checked on every push. */
	private readonly waiting = new Set<PendingCall>();
	private readonly resolvedCallIds: BoundedSet;
	private readonly seenEventIds: BoundedSet;
	private seq = 0;
	private readonly counters = {
		evictedCalls: 0,
		lateEvents: 0,
		duplicateEvents: 0,
		ignoredEvents: 0,
	};

	constructor(options: CallAssemblerOptions = {}) {
		this.configure(options);
		this.resolvedCallIds = new BoundedSet(Math.max(1, options.maxRememberedCallIds ?? 50_000));
		this.seenEventIds = new BoundedSet(Math.max(1, options.maxRememberedEventIds ?? 100_000));
	}

	private configure(options: CallAssemblerOptions): void {
		this.silence = options.silenceMs ?? 30 * 60_000;
		this.maxPendingCalls = Math.max(1, options.maxPendingCalls ?? 10_000);
		this.reorderWindowMs = Math.max(0, options.reorderWindowMs ?? 0);
		this.maxCallAgeMs = options.maxCallAgeMs ?? 4 * 3_600_000;
	}

	/** The silence timeout in force: how long a call may go unheard of before it is given up. */
	get silenceMs(): number {
		return this.silence;
	}

	/**
	 * Takes the options of a re-published trigger and keeps what it holds: the calls ringing go on
	 * under the new timeouts, and the call and event ids it remembers stay, so that a resend is still
	 * recognised. Resolving the ringing calls instead would mail each as missed, however it ended.
	 * Returns the oldest calls a lower Max Pending Calls resolves now (incomplete), as `push` does.
	 */
	reconfigure(options: CallAssemblerOptions, now: number): CallRecord[] {
		const previousWindowMs = this.reorderWindowMs;
		this.configure(options);
		// A call held for the reorder window waits for the new window from its resolving event on.
		for (const call of this.waiting) {
			if (call.resolveAt !== undefined) call.resolveAt += this.reorderWindowMs - previousWindowMs;
		}
		const records: CallRecord[] = [];
		while (this.pending.size > this.maxPendingCalls) records.push(this.evictOldest(now));
		return records;
	}

	private evictOldest(at: number): CallRecord {
		while (this.creationOrder[this.creationHead].resolved) this.creationHead++;
		const oldest = this.creationOrder[this.creationHead];
		this.counters.evictedCalls++;
		return this.resolve(oldest, Math.max(oldest.lastTime, at));
	}

	/**
	 * Feed one event; returns the records (calls resolved, presence passed through) now final.
	 * `receivedAt` is the receiver's clock (epoch ms) for the silence timeout and the reorder window; default the event time.
	 */
	push(event: CallEvent, receivedAt: number = event.time): TriggerRecord[] {
		if (!hasUsableTime(event)) return this.ignore();
		if (event.eventId !== undefined) {
			if (this.seenEventIds.has(event.eventId)) {
				this.counters.duplicateEvents++;
				return [];
			}
			this.seenEventIds.add(event.eventId);
		}
		if (isPresenceEventType(event.type)) {
			if (!event.line) return this.ignore();
			return [{ kind: 'presence', type: event.type, line: event.line, at: iso(event.time) }];
		}
		const needsLine = event.type === 'ringing' || event.type === 'answered';
		if (!event.callId || (needsLine && !event.line)) return this.ignore();
		if (this.resolvedCallIds.has(event.callId)) {
			this.counters.lateEvents++;
			return [];
		}

		const records: CallRecord[] = [];
		let call = this.pending.get(event.callId);
		if (!call) {
			if (this.pending.size >= this.maxPendingCalls) records.push(this.evictOldest(event.time));
			call = {
				callId: event.callId,
				resolved: false,
				events: [],
				lastTime: event.time,
				firstHeard: receivedAt,
				lastHeard: receivedAt,
			};
			this.pending.set(call.callId, call);
			this.creationOrder.push(call);
		}
		if (!(call.events.length >= FOLD_RINGING_AFTER_EVENTS && event.type === 'ringing' && continuesLeg(call, event))) {
			call.events.push({ event, seq: this.seq++ });
		}
		call.lastTime = Math.max(call.lastTime, event.time);
		call.lastHeard = Math.max(call.lastHeard, receivedAt);
		if (event.type === 'answered' || event.type === 'ended') {
			const at = receivedAt + this.reorderWindowMs;
			call.resolveAt = call.resolveAt === undefined ? at : Math.min(call.resolveAt, at);
			this.waiting.add(call);
		}
		if (call.events.length >= MAX_EVENTS_PER_CALL) records.push(this.resolve(call, call.lastTime));
		records.push(...this.resolveWaiting(receivedAt));
		return records;
	}

	/**
	 * Feeds the events of one request as if they had arrived one by one in time order (equal times
	 * by RANK, then their order in the batch). Pushed in the sender's order, an `ended` listed before
	 * the call's `ringing` would resolve the call at once and drop the rest of the batch as late.
	 */
	pushBatch(events: CallEvent[], receivedAt: number): TriggerRecord[] {
		const records: TriggerRecord[] = [];
		const usable: Array<{ event: CallEvent; index: number }> = [];
		events.forEach((event, index) => {
			// Unusable times cannot be ordered; push() ignores and counts them.
			if (hasUsableTime(event)) usable.push({ event, index });
			else records.push(...this.push(event, receivedAt));
		});
		usable.sort((a, b) => compareEvents(a.event, b.event) || a.index - b.index);
		for (const { event } of usable) records.push(...this.push(event, receivedAt));
		return records;
	}

	/**
	 * Resolves calls whose reorder window has passed, and calls silent for >= silenceMs or older than
	 * maxCallAgeMs (missed + incomplete, resolvedAt = `now`). `now` = epoch ms on the clock of
	 * `push`'s `receivedAt`. Cost: one pass over
	 * the pending calls, which are at most maxPendingCalls.
	 */
	sweep(now: number): CallRecord[] {
		const records = this.resolveWaiting(now);
		for (const call of this.pending.values()) {
			if (now - call.lastHeard >= this.silence || now - call.firstHeard >= this.maxCallAgeMs) {
				records.push(this.resolve(call, now));
			}
		}
		return records;
	}

	get pendingCount(): number {
		return this.pending.size;
	}

	stats(): CallAssemblerStats {
		return {
			pendingCalls: this.pending.size,
			waitingCalls: this.waiting.size,
			rememberedCallIds: this.resolvedCallIds.size,
			rememberedEventIds: this.seenEventIds.size,
			evictionQueue: this.creationOrder.length - this.creationHead,
			...this.counters,
		};
	}

	private ignore(): [] {
		this.counters.ignoredEvents++;
		return [];
	}

	private resolveWaiting(now: number): CallRecord[] {
		const records: CallRecord[] = [];
		for (const call of this.waiting) {
			if (call.resolveAt !== undefined && call.resolveAt <= now) {
				records.push(this.resolve(call, now));
			}
		}
		return records;
	}

	/** Emits the record and forgets the call; `incompleteAt` applies if nothing resolved it. */
	private resolve(call: PendingCall, incompleteAt: number): CallRecord {
		call.resolved = true;
		this.pending.delete(call.callId);
		this.waiting.delete(call);
		this.resolvedCallIds.add(call.callId);
		// Compacting only when resolved entries outnumber pending ones keeps this O(1) amortised.
		if (this.creationOrder.length > 2 * this.pending.size + 64) {
			this.creationOrder = this.creationOrder.slice(this.creationHead).filter((c) => !c.resolved);
			this.creationHead = 0;
		}
		return deriveRecord(call, incompleteAt);
	}
}

/**
 * Whether `ringing` can be folded into its line's last leg: the line's last event (as it arrived)
 * is its own `stopped`, no later than this ringing, that closed an earlier `ringing` of the line.
 * That stop is taken back, so the leg runs on. Anything else (a line busy at once, events out of
 * order, a stop of every line) is kept as it is.
 */
function continuesLeg(call: PendingCall, ringing: CallEvent): boolean {
	const { line } = ringing;
	let stopAt = -1;
	for (let i = call.events.length - 1; i >= 0; i--) {
		const { event } = call.events[i];
		if (event.line === undefined && (event.type === 'stopped' || event.type === 'diverted')) return false;
		if (event.line !== line) continue;
		if (stopAt === -1) {
			if (event.type !== 'stopped' || event.time > ringing.time) return false;
			stopAt = i;
		} else {
			if (event.type !== 'ringing' || event.time > call.events[stopAt].event.time) return false;
			call.events.splice(stopAt, 1);
			return true;
		}
	}
	return false;
}

function iso(time: number): string {
	return new Date(time).toISOString();
}

/** Builds the record from the call's events in time order (rules: see the module comment). */
function deriveRecord(call: PendingCall, incompleteAt: number): CallRecord {
	const events = call.events
		.slice()
		.sort((a, b) => compareEvents(a.event, b.event) || a.seq - b.seq)
		.map((arrived) => arrived.event);
	const resolving =
		events.find((e) => e.type === 'answered') ?? events.find((e) => e.type === 'ended');
	// Events after the resolving one describe the call after it resolved (colleagues' phones stop
	// ringing after an answer); in-order delivery would never have shown them, so they are left out.
	const relevant = resolving ? events.slice(0, events.indexOf(resolving) + 1) : events;

	const legs: OpenLeg[] = [];
	const ringing = new Map<string, OpenLeg>();
	let answeredBy: AnsweredBy | null = null;
	let voicemail: string | null = null;

	const close = (leg: OpenLeg, time: number, result: LegResult, divertedTo?: string) => {
		leg.until = time;
		leg.result = result;
		if (divertedTo !== undefined) leg.divertedTo = divertedTo;
		ringing.delete(leg.line);
	};
	const open = (line: string, time: number): OpenLeg => {
		const leg: OpenLeg = { line, from: time };
		legs.push(leg);
		ringing.set(line, leg);
		return leg;
	};
	/** `stopped`/`diverted`: the named line, or every ringing line when none is named. */
	const stop = (event: CallEvent, result: LegResult, divertedTo?: string) => {
		if (event.line === undefined) {
			for (const leg of [...ringing.values()]) close(leg, event.time, result, divertedTo);
			return;
		}
		const leg = ringing.get(event.line);
		if (leg) close(leg, event.time, result, divertedTo);
		else if (!legs.some((l) => l.line === event.line)) {
			close(open(event.line, event.time), event.time, result, divertedTo);
		}
	};

	for (const event of relevant) {
		switch (event.type) {
			case 'ringing':
				if (!ringing.has(event.line!)) open(event.line!, event.time);
				break;
			case 'stopped':
				stop(event, STOP_RESULT[event.reason ?? 'noAnswer']);
				break;
			case 'diverted':
				stop(event, 'diverted', event.to);
				break;
			case 'voicemail':
				voicemail = event.line ?? voicemail;
				for (const leg of [...ringing.values()]) close(leg, event.time, 'notAnswered');
				break;
			case 'answered': {
				const line = event.line!;
				const pickup = event.pickup === true;
				const from = pickup ? event.from : undefined;
				for (const leg of [...ringing.values()]) {
					if (leg.line === line) continue;
					// Without `from`, every other ringing line had the call taken away by the pickup.
					const pickedUp = pickup && (from === undefined || leg.line === from);
					close(leg, event.time, pickedUp ? 'pickedUp' : 'answeredElsewhere');
				}
				if (from !== undefined && !legs.some((l) => l.line === from)) {
					close(open(from, event.time), event.time, 'pickedUp');
				}
				close(ringing.get(line) ?? open(line, event.time), event.time, 'answered');
				answeredBy = { line, at: iso(event.time), pickup, ...(from !== undefined ? { from } : {}) };
				break;
			}
			default:
				// offered/ended carry only call-level data, read below.
				break;
		}
	}

	// Given up on the receiver's clock; a PBX clock ahead of it has events after that moment, and a
	// call cannot resolve before its own events (nor a leg stop before it rang).
	const resolvedAt = resolving ? resolving.time : Math.max(incompleteAt, events[events.length - 1].time);
	for (const leg of [...ringing.values()]) {
		close(leg, resolvedAt, 'notAnswered');
		if (!resolving) leg.stillRinging = true;
	}

	return {
		kind: 'call',
		callId: call.callId,
		direction: firstDefined(events, (e) => e.direction) ?? 'inbound',
		caller: callerOf(events),
		called: firstDefined(events, (e) => e.called) ?? '',
		startedAt: iso(events[0].time),
		resolvedAt: iso(resolvedAt),
		outcome: answeredBy ? 'answered' : 'missed',
		answeredBy,
		voicemail,
		incomplete: resolving === undefined,
		legs: legs.map((leg) => ({
			line: leg.line,
			ringingFrom: iso(leg.from),
			ringingUntil: iso(leg.until!),
			result: leg.result!,
			...(leg.divertedTo !== undefined ? { divertedTo: leg.divertedTo } : {}),
			...(leg.stillRinging ? { stillRinging: leg.stillRinging } : {}),
		})),
	};
}

function firstDefined<T>(
	events: CallEvent[],
	pick: (event: CallEvent) => T | undefined,
): T | undefined {
	for (const event of events) {
		const value = pick(event);
		if (value !== undefined) return value;
	}
	return undefined;
}

/**
 * Merges the caller as reported across the call's events: sources often complete it later (a name
 * after a lookup). Any `restricted` flag wins, and a call without a number counts as withheld.
 */
function callerOf(events: CallEvent[]): CallRecord['caller'] {
	const number = firstDefined(events, (e) => e.caller?.number || undefined) ?? '';
	const name = firstDefined(events, (e) => e.caller?.name || undefined) ?? '';
	const restricted = number === '' || events.some((e) => e.caller?.restricted === true);
	return { number, name, restricted };
}
