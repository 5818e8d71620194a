import type { TriggerPanelDefinition } from 'n8n-workflow';

/**
 * What the editor's trigger panel says instead of n8n's generic "Go to … and create an event": how
 * to make a test event, and what runs the workflow once it is published.
 */
export function triggerPanel(texts: {
	header: string;
	/** After "click the 'listen' button, then …". */
	howToTest: string;
	/** After "Once it works, …". */
	toPublish: string;
	/** After "The workflow is published:". */
	whenPublished: string;
	activationHint: string;
}): TriggerPanelDefinition {
	const testRunHelp = `<b>While building your workflow</b>, click the 'listen' button, then ${texts.howToTest}`;
	return {
		header: texts.header,
		executionsHelp: {
			inactive: `${testRunHelp}<br /><br /><b>Once it works</b>, ${texts.toPublish}. Those executions show in the executions list, not in the editor.`,
			active: `${testRunHelp}<br /><br /><b>The workflow is published:</b> ${texts.whenPublished}. Those executions show in the <a data-key='executions'>executions list</a>, not in the editor.`,
		},
		activationHint: texts.activationHint,
	};
}
