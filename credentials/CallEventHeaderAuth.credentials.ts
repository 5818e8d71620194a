import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** A shared secret the PBX sends in a header with every call event. */
export class CallEventHeaderAuth implements ICredentialType {
	name = 'callEventHeaderAuth';

	displayName = 'Call Event Header Secret';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-missed-calls#credentials';

	icon = 'file:callEventAuth.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'name',
			type: 'string',
			default: 'X-Call-Event-Secret',
			required: true,
		},
		{
			displayName: 'Secret',
			name: 'value',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'At least 16 characters; the PBX must send exactly this value',
		},
	];
}
