/**
 * The call model shared by all three nodes (SPEC §2). Plain data, no n8n types, JSON-safe so that
 * records travel unchanged as n8n item JSON from the trigger through the filter to the composer.
 */

export type CallDirection = 'inbound' | 'internal' | 'outbound';

export const CALL_EVENT_TYPES = [
	'offered',
	'ringing',
	'stopped',
	'diverted',
	'answered',
	'voicemail',
	'ended',
	'login',
	'logout',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];
export type PresenceEventType = 'login' | 'logout';

export const STOP_REASONS = ['noAnswer', 'busy', 'rejected', 'timeout', 'cancelled'] as const;
/** Why a ringing line stopped alerting without answering. */
export type StopReason = (typeof STOP_REASONS)[number];

/** The calling party as the PBX reported it. `number` may be empty for a withheld number. */
export interface CallerId {
	number: string;
	name?: string;
	restricted?: boolean;
}

/**
 * One PBX event, normalised. Every source (generic JSON, sipgate/Zammad CTI, Asterisk AMI) maps
 * its own wire format onto this; call assembly only ever sees this shape.
 */
export interface CallEvent {
	type: CallEventType;
	/** Correlation id, the same for every leg of one call. Required for all but login/logout. */
	callId?: string;
	/** Repeated event ids are ignored (webhook retries). */
	eventId?: string;
	/** Epoch milliseconds, taken from the event (time of receipt when the source has none). */
	time: number;
	/**
	 * The extension / device / user id the event is about. A `stopped` or `diverted` without a line
	 * applies to every line still ringing (sources whose hang-up names no line, such as sipgate);
	 * the generic JSON format always names the line.
	 */
	line?: string;
	caller?: CallerId;
	/** The number the caller dialled. */
	called?: string;
	direction?: CallDirection;
	/** `stopped`: why the line stopped ringing. */
	reason?: StopReason;
	/** `diverted`: the target line or external number. */
	to?: string;
	/** `answered`: the line picked the call up from another line. */
	pickup?: boolean;
	/** `answered` with `pickup`: the line it was picked up from, if known. */
	from?: string;
}

export type LegResult =
	| 'answered'
	| 'notAnswered'
	| 'busy'
	| 'rejected'
	| 'diverted'
	| 'answeredElsewhere'
	| 'pickedUp';

/** One ringing period of one line. A line that rings again later (cyclic hunt) gets a new leg. */
export interface CallLeg {
	line: string;
	/** ISO 8601 (UTC). */
	ringingFrom: string;
	/** ISO 8601 (UTC); the resolution time when the line was still ringing then. */
	ringingUntil: string;
	result: LegResult;
	/** `diverted`: where the call went. */
	divertedTo?: string;
	/**
	 * True on a leg still ringing when the trigger gave up on the call (`incomplete`): when it stopped
	 * is not known, `ringingUntil` is only the moment it was given up.
	 */
	stillRinging?: true;
}

export interface AnsweredBy {
	line: string;
	/** ISO 8601 (UTC). */
	at: string;
	pickup: boolean;
	/** The line the call was picked up from, when known. */
	from?: string;
}

export type CallOutcome = 'answered' | 'missed';

/** The trigger's output: one record per call, emitted when the call resolves (SPEC §2.3). */
export interface CallRecord {
	kind: 'call';
	callId: string;
	direction: CallDirection;
	caller: { number: string; name: string; restricted: boolean };
	called: string;
	/** ISO 8601 (UTC) of the first event of the call. */
	startedAt: string;
	/** ISO 8601 (UTC) of the event (or silence timeout) that resolved the call. */
	resolvedAt: string;
	outcome: CallOutcome;
	answeredBy: AnsweredBy | null;
	/** The line whose voicemail box took the call, or null. */
	voicemail: string | null;
	/** True when the call was resolved by silence (no `ended` was ever seen). */
	incomplete: boolean;
	/** In order of first ringing. */
	legs: CallLeg[];
}

/** A login/logout of a line or user, passed through by the trigger as its own item. */
export interface PresenceRecord {
	kind: 'presence';
	type: PresenceEventType;
	line: string;
	/** ISO 8601 (UTC). */
	at: string;
}

export type TriggerRecord = CallRecord | PresenceRecord;

export function isPresenceEventType(type: CallEventType): type is PresenceEventType {
	return type === 'login' || type === 'logout';
}

/**
 * How long the periods (epoch ms, from and until) cover, overlaps counted once: phones ringing in
 * parallel ring the call's or a user's ringing time once.
 */
export function coveredMs(periods: readonly (readonly [number, number])[]): number {
	let total = 0;
	let end = -Infinity;
	for (const [from, until] of [...periods].sort((a, b) => a[0] - b[0])) {
		const start = Math.max(from, end);
		if (until <= start) continue;
		total += until - start;
		end = until;
	}
	return total;
}
