/**
 * One CallAssembler per active trigger (workflow + node + mode), kept in process memory: n8n runs
 * webhook nodes in its main process, so every request of a workflow meets the calls its earlier
 * requests started, and the trigger's timer (CallEventTrigger.trigger) the same calls. Test-URL
 * requests use their own key and never disturb production calls.
 */
import type { CallEvent, CallRecord, TriggerRecord } from '../shared/callModel';
import { TriggerStates } from '../shared/triggerStates';
import { CallAssembler, type CallAssemblerOptions } from './assembly/CallAssembler';
import { SipgateCallIds } from './sources/sipgate';

const assemblers = new TriggerStates<CallAssemblerOptions, CallRecord, CallAssembler>((options) => new CallAssembler(options));
const sipgateCallIds = new Map<string, SipgateCallIds>();

export function intakeKey(workflowId: string | undefined, nodeId: string, mode: 'production' | 'test'): string {
	return `${workflowId}:${nodeId}:${mode}`;
}

/** Which first call each forwarded sipgate call belongs to, kept per trigger like its calls. */
export function sipgateCallIdsOf(key: string): SipgateCallIds {
	let callIds = sipgateCallIds.get(key);
	if (!callIds) {
		callIds = new SipgateCallIds();
		sipgateCallIds.set(key, callIds);
	}
	return callIds;
}

/** Events of a batch that changed nothing, by why; so that the sender can tell. */
export interface IgnoredEvents {
	/** The `eventId` was seen before (a resend). */
	duplicates: number;
	/**
	 * The event's call had resolved (and was emitted) already, in an earlier request or earlier in
	 * this one: normal for the hang-up of an answered call and for phones that stop ringing after
	 * the answer; a resend without event ids shows here too.
	 */
	afterResolution: number;
}

/** What a batch of events gave. */
export interface IntakeResult {
	records: TriggerRecord[];
	ignored: IgnoredEvents;
}

/**
 * Feeds a batch of events, then resolves calls silent for too long; returns what is now final.
 * Changed settings (a re-published workflow) go to the same assembler: the calls ringing while an
 * administrator saves an option end as they end, not as missed.
 */
export function intake(key: string, options: CallAssemblerOptions, events: CallEvent[], now: number): IntakeResult {
	const { state: assembler, resolved } = assemblers.configured(key, options, now);
	const records: TriggerRecord[] = [...resolved];
	const before = assembler.stats();
	records.push(...assembler.pushBatch(events, now));
	const after = assembler.stats();
	records.push(...assembler.sweep(now));
	return {
		records,
		ignored: {
			duplicates: after.duplicateEvents - before.duplicateEvents,
			afterResolution: after.lateEvents - before.lateEvents,
		},
	};
}

/**
 * Publishing: the options take effect at once, also for the timer's checks between requests, not
 * only from the next request on. Returns the calls a lower Max Pending Calls resolved, and the
 * lease to hand to `stopIntake` when the trigger stops.
 */
export function startIntake(key: string, options: CallAssemblerOptions, now: number): { records: TriggerRecord[]; lease: number } {
	const { resolved, lease } = assemblers.started(key, options, now);
	return { records: resolved, lease };
}

/** The trigger stopped: its calls wait for the next publishing as long as their silence timeout. */
export function stopIntake(key: string, lease: number, now: number): void {
	assemblers.stopped(key, lease, now);
}

/** Whether the trigger of that start still holds its calls (no stop, no newer start since). */
export function intakeHeldBy(key: string, lease: number): boolean {
	return assemblers.holds(key, lease);
}

/**
 * The webhook's JSON answer: the request's events, the records it resolved, and, only when there
 * are any, the events that changed nothing, so that a sender resending a call sees why.
 */
export function intakeAnswer(accepted: number, { records, ignored }: IntakeResult): Record<string, unknown> {
	const ignoredCounts = Object.fromEntries(Object.entries(ignored).filter(([, count]) => count > 0));
	return {
		accepted,
		resolved: records.length,
		...(Object.keys(ignoredCounts).length > 0 ? { ignored: ignoredCounts } : {}),
	};
}

/**
 * Resolves the calls nothing was heard of for the silence timeout, between requests: without it a
 * call whose end was lost would wait for the workflow's next request, on a quiet line for days.
 */
export function sweepIntake(key: string, now: number): TriggerRecord[] {
	return assemblers.get(key)?.sweep(now) ?? [];
}
