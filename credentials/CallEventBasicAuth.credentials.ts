import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** HTTP basic auth for PBXs that can only put a user and password into the webhook URL. */
export class CallEventBasicAuth implements ICredentialType {
	name = 'callEventBasicAuth';

	displayName = 'Call Event Basic Auth';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-missed-calls#credentials';

	icon = 'file:callEventAuth.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];
}
