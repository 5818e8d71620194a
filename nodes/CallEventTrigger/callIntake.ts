/**
 * One CallAssembler per active trigger (workflow + node + mode), kept in process memory: n8n runs
 * webhook nodes in its main process, so every request of a workflow meets the calls its earlier
 * requests started, and the trigger's timer (CallEventTrigger.trigger) the same calls. Test-URL
 * requests use their own key and never disturb production calls.
 */
import type { CallEvent, TriggerRecord } from '../shared/callModel';
import { CallAssembler, type CallAssemblerOptions } from './assembly/CallAssembler';

const assemblers = new Map<string, { signature: string; assembler: CallAssembler }>();

export function intakeKey(workflowId: string | undefined, nodeId: string, mode: 'production' | 'test'): string {
	return `${workflowId}:${nodeId}:${mode}`;
}

/** What a batch of events gave, and how many of its events changed nothing, so the sender can tell. */
export interface IntakeResult {
	records: TriggerRecord[];
	/** Events whose `eventId` was seen before (a resend). */
	duplicates: number;
	/** Events of a call that was already resolved (and emitted) before. */
	late: number;
}

/**
 * Feeds a batch of events, then resolves calls silent for too long; returns what is now final.
 * Changed settings (a re-published workflow) start a fresh assembler; the old one's pending calls
 * are resolved as incomplete right here, so none is lost.
 */
export function intake(key: string, options: CallAssemblerOptions, events: CallEvent[], now: number): IntakeResult {
	const records: TriggerRecord[] = [];
	const signature = JSON.stringify(options);
	let entry = assemblers.get(key);
	if (!entry || entry.signature !== signature) {
		if (entry) records.push(...entry.assembler.flush(now));
		entry = { signature, assembler: new CallAssembler(options) };
		assemblers.set(key, entry);
	}
	const before = entry.assembler.stats();
	records.push(...entry.assembler.pushBatch(events, now));
	const after = entry.assembler.stats();
	records.push(...entry.assembler.sweep(now));
	return {
		records,
		duplicates: after.duplicateEvents - before.duplicateEvents,
		late: after.lateEvents - before.lateEvents,
	};
}

/**
 * Resolves the calls nothing was heard of for the silence timeout, between requests: without it a
 * call whose end was lost would wait for the workflow's next request, on a quiet line for days.
 */
export function sweepIntake(key: string, now: number): TriggerRecord[] {
	return assemblers.get(key)?.assembler.sweep(now) ?? [];
}
