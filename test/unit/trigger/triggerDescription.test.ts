/** What the Call Event Trigger shows in the editor: its subtitle, trigger panel and labels. */
import { NodeHelpers, type INodeParameters, type INodeProperties, type TriggerPanelDefinition } from 'n8n-workflow';

import { AsteriskAmiTrigger } from '../../../nodes/AsteriskAmiTrigger/AsteriskAmiTrigger.node';
import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';
import { evaluateSubtitle } from '../shared/subtitle';

const { description } = new CallEventTrigger();
const property = (name: string) => description.properties.find((candidate) => candidate.name === name)!;

describe('Call Event Trigger in the editor', () => {
	it.each([
		['generic', 'Generic JSON'],
		['sipgate', 'sipgate.io / Zammad CTI'],
	])('subtitle for Source %s: %s', (source, subtitle) => {
		expect(evaluateSubtitle(description.subtitle, { source })).toBe(subtitle);
	});

	it('the subtitle has a label for every Source', () => {
		for (const { value } of property('source').options as Array<{ value: string }>) {
			expect(evaluateSubtitle(description.subtitle, { source: value })).not.toBe(value);
		}
	});

	it("has its own trigger panel, not n8n's generic 'Go to … and create an event'", () => {
		const panel = description.triggerPanel as TriggerPanelDefinition;
		expect(panel.header).toBe('Send call events to the Test URL');
		const help = panel.executionsHelp as { inactive: string; active: string };
		for (const text of [help.inactive, help.active]) {
			expect(text).toContain('A call shows here once it is answered or has ended unanswered');
			expect(text).toContain('answered 202');
		}
		expect(panel.activationHint).toMatch(/Production URL/);
	});

	it('names sipgate.io as sipgate writes it, and spells out milliseconds', () => {
		expect((property('source').options as Array<{ name: string }>).map((option) => option.name)).toContain('sipgate.io / Zammad CTI');
		const options = property('options').options as INodeProperties[];
		expect(options.find((option) => option.name === 'reorderWindowMs')?.displayName).toBe('Reorder Window (Milliseconds)');
	});
});

describe('Asterisk AMI Trigger in the editor', () => {
	it("has its own trigger panel: a test call, not n8n's generic 'Go to … and create an event'", () => {
		const panel = new AsteriskAmiTrigger().description.triggerPanel as TriggerPanelDefinition;
		expect(panel.header).toBe('Make a test call to your PBX');
		const help = panel.executionsHelp as { inactive: string; active: string };
		for (const text of [help.inactive, help.active]) expect(text).toContain('once it is answered or has ended unanswered');
	});
});

describe('sipgate.io with a Header Secret', () => {
	const notice = property('sipgateHeaderNotice');
	const shown = (values: INodeParameters) => NodeHelpers.displayParameter(values, notice, { typeVersion: 2 }, description);

	it('warns that sipgate.io sends no header and points to Basic Auth in the URL', () => {
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toMatch(/sipgate\.io cannot send a header.*refused \(401\).*Basic Auth/);
		expect(shown({ source: 'sipgate', authentication: 'headerAuth' })).toBe(true);
	});

	it.each([
		{ source: 'sipgate', authentication: 'basicAuth' },
		{ source: 'sipgate', authentication: 'none' },
		{ source: 'generic', authentication: 'headerAuth' },
	])('says nothing for %j', (values) => {
		expect(shown(values)).toBe(false);
	});
});
