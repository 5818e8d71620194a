/**
 * Error messages name a setting as the editor shows it ("Options → Time Zone Name or ID"), not by its parameter
 * name: every label a message uses must be a path of display names in the node's description.
 */
import type { INodeProperties } from 'n8n-workflow';

import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';
import { MAX_BODY_KB, REORDER_WINDOW_MS, webhookSettingsFrom } from '../../../nodes/CallEventTrigger/webhookOptions';
import { MissedCallFilter } from '../../../nodes/MissedCallFilter/MissedCallFilter.node';
import { FILTER_SETTING_LABELS } from '../../../nodes/MissedCallFilter/rules';
import { compileFilter } from '../../../nodes/MissedCallFilter/filter';
import { openFilterState } from '../../../nodes/MissedCallFilter/state';
import { XslMailComposer } from '../../../nodes/XslMailComposer/XslMailComposer.node';
import { ASSEMBLY_OPTION_LABELS } from '../../../nodes/shared/assemblyOptions';

/** The editor's label of a parameter: its display name, after those of the collections it is in. */
function labelOf(properties: INodeProperties[], ...names: string[]): string {
	const [name, ...inner] = names;
	const property = properties.find((candidate) => candidate.name === name);
	if (!property) throw new Error(`no parameter "${name}"`);
	if (inner.length === 0) return property.displayName;
	return `${property.displayName} → ${labelOf(property.options as INodeProperties[], ...inner)}`;
}

const trigger = new CallEventTrigger().description.properties;
const filter = new MissedCallFilter().description.properties;
const composer = new XslMailComposer().description.properties;

function messageOf(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		return (error as Error).message;
	}
	throw new Error('expected an error');
}

describe('labels in error messages are the editor’s', () => {
	it.each([
		[ASSEMBLY_OPTION_LABELS.maxPendingCalls, trigger, ['options', 'maxPendingCalls']],
		[ASSEMBLY_OPTION_LABELS.silenceMinutes, trigger, ['options', 'silenceMinutes']],
		[MAX_BODY_KB.label, trigger, ['options', 'maxBodyKb']],
		[REORDER_WINDOW_MS.label, trigger, ['options', 'reorderWindowMs']],
		['Source', trigger, ['source']],
		[FILTER_SETTING_LABELS.recipients, filter, ['recipients']],
		[FILTER_SETTING_LABELS.journalUnanswered, filter, ['journalUnanswered']],
		[FILTER_SETTING_LABELS.journalForwardedOrAnswered, filter, ['journalForwardedOrAnswered']],
		[FILTER_SETTING_LABELS.minRingSeconds, filter, ['exceptions', 'minRingSeconds']],
		[FILTER_SETTING_LABELS.excludedNumbers, filter, ['exceptions', 'excludedNumbers']],
		[FILTER_SETTING_LABELS.defaultTimeZone, filter, ['options', 'timeZone']],
		[FILTER_SETTING_LABELS.skipRepeatedUntilLogin, filter, ['exceptions', 'skipRepeatedUntilLogin']],
		[FILTER_SETTING_LABELS.skipRepeatedSameDay, filter, ['exceptions', 'skipRepeatedSameDay']],
		[FILTER_SETTING_LABELS.skipInternalCallers, filter, ['exceptions', 'skipInternalCallers']],
		[FILTER_SETTING_LABELS.skipWithheldNumbers, filter, ['exceptions', 'skipWithheldNumbers']],
		[FILTER_SETTING_LABELS.skipWithoutContact, filter, ['exceptions', 'skipWithoutContact']],
		[FILTER_SETTING_LABELS.alsoWhenAnsweredByThirdParty, filter, ['alsoWhenAnsweredByThirdParty']],
		['Numbering Plan → Country Name or ID', filter, ['numberingPlan', 'country']],
		['Numbering Plan → PBX Base Number', filter, ['numberingPlan', 'baseNumber']],
		['Numbering Plan → Internal Number Pattern', filter, ['numberingPlan', 'internalPattern']],
		['Options → Retention (Days)', filter, ['options', 'retentionDays']],
		['Options → Duplicate Window (Hours)', filter, ['options', 'duplicateWindowHours']],
		['Options → Max Remembered Entries', filter, ['options', 'maxEntries']],
		['Action', composer, ['action']],
		['Template', composer, ['templateSource']],
		['Sender Mode', composer, ['senderMode']],
		['Attach Caller vCard', composer, ['attachVCard']],
	])('%s', (label, properties, path) => {
		expect(labelOf(properties, ...path)).toBe(label);
	});

	it('the trigger names its options by label', () => {
		expect(messageOf(() => webhookSettingsFrom({ source: 'generic', options: { silenceMinutes: 0 } }, 'production'))).toMatch(
			/^Options → Silence Timeout \(Minutes\) is 0;/,
		);
	});

	// An expression gives text: taken as it is, "false" would have switched them on.
	it('the trigger reads an expression\'s "false" as off, and refuses a switch that is no true or false, naming it by label', () => {
		for (const option of ['emitPresence', 'subscribeAnswerHangup']) {
			const settings = { source: 'sipgate', options: { [option]: 'yes' } };
			expect(messageOf(() => webhookSettingsFrom(settings, 'production'))).toBe(
				`${labelOf(trigger, 'options', option)} is "yes"; it must be true or false`,
			);
		}
		const fromExpressions = webhookSettingsFrom({ source: 'sipgate', options: { emitPresence: 'false', subscribeAnswerHangup: 'false' } as never }, 'production');
		expect([fromExpressions.emitPresence, fromExpressions.subscribeAnswerHangup]).toEqual([false, false]);
		const leftOut = webhookSettingsFrom({ source: 'sipgate', options: {} }, 'production');
		expect([leftOut.emitPresence, leftOut.subscribeAnswerHangup]).toEqual([true, true]);
		const off = webhookSettingsFrom({ source: 'sipgate', options: { emitPresence: false, subscribeAnswerHangup: false } }, 'production');
		expect([off.emitPresence, off.subscribeAnswerHangup]).toEqual([false, false]);
	});

	it('the filter names its options by label', () => {
		const config = { numberingPlan: { country: 'DE' }, directory: [], workflowTimeZone: 'UTC' };
		expect(messageOf(() => compileFilter({ ...config, settings: { defaultTimeZone: 'Berlin' } }))).toBe(
			'Options → Time Zone Name or ID: "Berlin" is not an IANA time zone such as Europe/Berlin',
		);
		expect(messageOf(() => openFilterState('labels/1', {}, { maxEntries: 0 }))).toMatch(/^Options → Max Remembered Entries is 0;/);
	});
});
