/**
 * One execution of the Missed Call Filter without n8n: compile the configuration once, then decide
 * record by record against the shared state. The node glue maps parameters and items onto this.
 */
import type { CallRecord, PresenceRecord } from '../shared/callModel';
import type { Contact } from '../shared/notification';
import { compileNumberingPlan, type NumberingPlan } from '../shared/phoneNumbers';
import { compileDirectory } from './directory';
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
	/** The n8n instance's time zone. */
	instanceTimeZone: string;
}

export type CompiledFilter = Omit<RuleContext, 'memory'>;

/** Throws ConfigurationError naming the bad setting; call once per execution, not per item. */
export function compileFilter(config: FilterConfig): CompiledFilter {
	const plan = compileNumberingPlan(config.numberingPlan);
	return {
		plan,
		directory: compileDirectory(config.directory, plan),
		settings: compileFilterSettings(config.settings, plan),
		instanceTimeZone: config.instanceTimeZone,
	};
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
	const decision = decidePresence(record, filter.directory);
	session.apply(decision.remember);
	return decision;
}
