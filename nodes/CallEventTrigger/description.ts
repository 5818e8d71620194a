import type { INodeProperties } from 'n8n-workflow';

import { SWEEP_INTERVAL_MS } from './assembly/CallAssembler';
import { maxPendingCallsOption, silenceTimeoutOption } from '../shared/assemblyOptions';
import { triggerPanel } from '../shared/triggerPanel';
import { MAX_BODY_KB, REORDER_WINDOW_MS } from './webhookOptions';

/** The node's subtitle: the Source's label. */
const sourceLabels: Record<string, string> = { generic: 'Generic JSON', sipgate: 'sipgate.io / Zammad CTI' };
export const callEventTriggerSubtitle = `={{${JSON.stringify(sourceLabels)}[$parameter["source"]] || $parameter["source"]}}`;

/** What the editor's trigger panel says instead of n8n's generic "Go to … and create an event". */
export const callEventTriggerPanel = triggerPanel({
	header: 'Send call events to the Test URL',
	howToTest:
		"POST your PBX's events (or the package's sample dist/templates/events/missed-call.json) to the Test URL. " +
		'A call shows here once it is answered or has ended unanswered; events of a call still ringing are answered 202 and show nothing yet.',
	toPublish: 'publish the workflow and point your PBX at the Production URL',
	whenPublished: "your PBX's events at the Production URL run it",
	activationHint: "Once the workflow is published, your PBX's events at the Production URL run it without this button.",
});

export const callEventTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Point your PBX at the Production URL (open Webhook URLs above). Each call is emitted once, when it resolves: at the first answer, or when it ends unanswered.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Generic JSON',
				value: 'generic',
				description: 'The documented event format: one event object or an array, any PBX that can POST JSON',
			},
			{
				name: 'sipgate.io / Zammad CTI',
				value: 'sipgate',
				description: 'Push events newCall, answer and hangup, form-encoded or JSON',
			},
		],
		default: 'generic',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: 'call-events',
		required: true,
		description: 'The last part of the webhook URL',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'Basic Auth', value: 'basicAuth' },
			{ name: 'Header Secret', value: 'headerAuth' },
			{ name: 'None', value: 'none' },
		],
		default: 'none',
		description: 'How the PBX proves it is the PBX; anyone who can reach the URL can post events otherwise',
	},
	{
		displayName:
			'sipgate.io cannot send a header: with Header Secret every sipgate.io event is refused (401). For sipgate.io choose Basic Auth and put user and password into the URL you give it (https://user:password@…).',
		name: 'sipgateHeaderNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { source: ['sipgate'], authentication: ['headerAuth'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Emit Presence Events',
				name: 'emitPresence',
				type: 'boolean',
				default: true,
				description: 'Whether login and logout events are passed on as their own items (the Missed Call Filter uses them for "repeated call while not logged in")',
			},
			{
				displayName: 'Max Body Size (KB)',
				name: 'maxBodyKb',
				type: 'number',
				typeOptions: { minValue: MAX_BODY_KB.min, maxValue: MAX_BODY_KB.max },
				default: 1024,
				description: 'Larger requests are refused with HTTP 413',
			},
			maxPendingCallsOption,
			{
				displayName: 'Reorder Window (Milliseconds)',
				name: 'reorderWindowMs',
				type: 'number',
				typeOptions: { minValue: REORDER_WINDOW_MS.min, maxValue: REORDER_WINDOW_MS.max },
				default: 0,
				description: `For a PBX whose events of one call come in separate requests that can overtake each other: a call is held this long after its answer or end arrived, so that events which arrive late still count. A held call is emitted by the trigger's check every ${SWEEP_INTERVAL_MS / 1000} seconds, not by the request. 0 = emit at once. Test runs do not wait.`,
			},
			silenceTimeoutOption,
			{
				displayName: 'Subscribe to Answer and Hangup',
				name: 'subscribeAnswerHangup',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/source': ['sipgate'] } },
				description:
					"Whether a newCall is answered with sipgate.io's XML that asks for the call's answer and hangup events at this webhook's Production URL. sipgate.io sends only newCall without it, and every call would end by the silence timeout as missed. Turn off for a sender that sends all three events itself and expects JSON (Zammad-style).",
			},
		],
	},
];
