import type { INodeProperties } from 'n8n-workflow';

export const asteriskAmiTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Connects to the Asterisk Manager Interface and emits one call record per call when it resolves. See docs/asterisk.md for the manager user it needs.',
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
					'Comma-separated dialplan contexts in which calls from your own phones start (FreePBX: from-internal)',
			},
			{
				displayName: 'Max Pending Calls',
				name: 'maxPendingCalls',
				type: 'number',
				typeOptions: { minValue: 10 },
				default: 10000,
				description: 'Calls still ringing that are kept in memory; beyond this the oldest is resolved as incomplete',
			},
			{
				displayName: 'Presence From Registrations',
				name: 'presenceFromRegistrations',
				type: 'boolean',
				default: false,
				description:
					'Whether phone registrations (PeerStatus / ContactStatus) are emitted as login and logout events',
			},
			{
				displayName: 'Silence Timeout (Minutes)',
				name: 'silenceMinutes',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'A call nothing was heard of for this long is resolved as missed and flagged incomplete',
			},
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
