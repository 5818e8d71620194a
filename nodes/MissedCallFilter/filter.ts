/**
 * One execution of the Missed Call Filter without n8n: compile the configuration once, then decide
 * record by record against the shared state. The node glue maps parameters and items onto this.
 */
import type { CallRecord, PresenceRecord, TriggerRecord } from '../shared/callModel';
import type { Contact } from '../shared/notification';
import { compileNumberingPlan, type NumberingPlan } from '../shared/phoneNumbers';
import { compileDirectory, EmptyDirectoryError } from './directory';
import { readContact, readTriggerRecord } from './input';
import {
	compileFilterSettings,
	decideCall,
	decidePresence,
	type CallDecision,
	type FilterSettings,
	type PresenceDecision,
	type RuleContext,
} from './rules';
import type { FilterStateSession } from './state';

export interface FilterConfig {
	numberingPlan: NumberingPlan;
	/** The directory parameter: a JSON string or an already parsed array. */
	directory: unknown;
	settings: Partial<FilterSettings>;
	/** The workflow's time zone (its setting, else the n8n instance's), as n8n's getTimezone gives it. */
	workflowTimeZone: string;
}

export type CompiledFilter = Omit<RuleContext, 'memory'>;

/** Throws ConfigurationError naming the bad setting; call once per execution, not per item. */
export function compileFilter(config: FilterConfig): CompiledFilter {
	const plan = compileNumberingPlan(config.numberingPlan);
	return {
		plan,
		directory: compileDirectory(config.directory, plan),
		settings: compileFilterSettings(config.settings, plan),
		workflowTimeZone: config.workflowTimeZone,
	};
}

/**
 * One input item as the rules take it: the record, and for a call the caller's contact at
 * `contactField` (a dotted path). Throws InvalidRecordError naming the bad field, or
 * EmptyDirectoryError for a call when the directory has nobody in it (every line would be
 * "unowned" and the execution look successful: usually an expression's node before returned no users).
 */
export function readFilterItem(
	json: Record<string, unknown>,
	contactField: string,
	filter: CompiledFilter,
): { record: TriggerRecord; contact: Contact | null } {
	const record = readTriggerRecord(json);
	if (record.kind !== 'call') return { record, contact: null };
	if (filter.directory.users.length === 0) throw new EmptyDirectoryError();
	return { record, contact: readContact(pathValue(json, contactField), contactField) };
}

/** The value at a dot path (`contact`, `crm.contact`), as n8n's own nodes read field paths. */
function pathValue(json: Record<string, unknown>, path: string): unknown {
	return path
		.split('.')
		.filter(Boolean)
		.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), json);
}

/**
 * Decides and remembers in one synchronous step, so no concurrent execution in this process can
 * see the call unclaimed in between: the same record delivered twice notifies once. Each
 * notification carries what it made the memory remember, for the mail node to take back if unsent.
 */
export function filterCall(
	call: CallRecord,
	contact: Contact | null,
	filter: CompiledFilter,
	session: FilterStateSession,
): CallDecision {
	const decision = decideCall(call, contact, { ...filter, memory: session });
	const remembered = session.apply(decision.remember);
	for (const notification of decision.notifications) {
		const entry = remembered.find(({ userId }) => userId === notification.recipient.id);
		if (entry) notification.remembered = entry;
	}
	return decision;
}

export function filterPresence(
	record: PresenceRecord,
	filter: CompiledFilter,
	session: FilterStateSession,
): PresenceDecision {
	const decision = decidePresence(record, filter);
	session.apply(decision.remember);
	return decision;
}
