import type { INodeProperties } from 'n8n-workflow';

import { maxPendingCallsOption, silenceTimeoutOption } from '../shared/assemblyOptions';
import { triggerPanel } from '../shared/triggerPanel';

/** What the editor's trigger panel says instead of n8n's generic "Go to … and create an event". */
export const asteriskAmiTriggerPanel = triggerPanel({
	header: 'Make a test call to your PBX',
	howToTest: 'make a test call to your PBX. The call shows here once it is answered or has ended unanswered.',
	toPublish: 'publish the workflow: it then runs for every call',
	whenPublished: 'it runs for every call',
	activationHint: 'Once the workflow is published, it runs for every call without this button.',
});

export const asteriskAmiTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Connects to the Asterisk Manager Interface and emits one call record per call when it resolves. It needs a manager user with read permission for call, agent and system and no write permission (manager.conf, or FreePBX: Settings → Asterisk Manager Users).',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Internal Contexts',
				name: 'internalContexts',
				type: 'string',
				default: 'from-internal',
				description:
					'Comma-separated dialplan contexts in which calls from your own phones start (FreePBX: from-internal). Empty: from-internal. * for any context, then also set Trunk Pattern, or calls from trunks count as internal.',
			},
			maxPendingCallsOption,
			{
				displayName: 'Presence From Registrations',
				name: 'presenceFromRegistrations',
				type: 'boolean',
				default: false,
				description:
					'Whether phone registrations (PeerStatus / ContactStatus) are emitted as login and logout events',
			},
			silenceTimeoutOption,
			{
				displayName: 'Trunk Pattern',
				name: 'trunkPattern',
				type: 'string',
				default: '',
				placeholder: '^(trunk|sipgate|telekom)',
				description: 'Regular expression for endpoint names that are trunks, not phones',
			},
		],
	},
];
