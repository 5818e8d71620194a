import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** A manager user of Asterisk / FreePBX (manager.conf or FreePBX "Asterisk Manager Users"). */
export class AsteriskAmi implements ICredentialType {
	name = 'asteriskAmi';

	displayName = 'Asterisk AMI';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-missed-calls#credentials';

	icon = 'file:asteriskAmi.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'pbx.example.lan',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5038,
			description: '5038 for plain AMI, usually 5039 for AMI over TLS',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to connect with TLS (Asterisk tlsenable=yes)',
		},
		{
			displayName: 'Allow Unauthorized Certificates',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			default: false,
			displayOptions: { show: { tls: [true] } },
			description: 'Whether to accept a self-signed PBX certificate',
		},
	];
}
