import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** SMTP account the XSL Mail Composer sends with (nodemailer). Tested by the composer node. */
export class MissedCallSmtp implements ICredentialType {
	name = 'missedCallSmtp';

	displayName = 'Missed Call SMTP';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-missed-calls#credentials';

	icon = 'file:missedCallSmtp.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'smtp.example.com',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 465,
			description: '465 for SMTPS (SSL/TLS), 587 or 25 for STARTTLS or plain',
		},
		{
			displayName: 'SSL/TLS',
			name: 'secure',
			type: 'boolean',
			default: true,
			description: 'Whether to connect with TLS from the start (port 465); otherwise STARTTLS is used when the server offers it',
		},
		{
			displayName: 'Disable STARTTLS',
			name: 'disableStartTls',
			type: 'boolean',
			default: false,
			displayOptions: { show: { secure: [false] } },
			description: 'Whether to send in plain text even when the server offers STARTTLS (only for servers on a trusted local network)',
		},
		{
			displayName: 'Allow Unauthorized Certificates',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			default: false,
			description: 'Whether to accept a server certificate that cannot be verified (self-signed)',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Leave empty for a relay that needs no login',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Client Host Name',
			name: 'hostName',
			type: 'string',
			default: '',
			description: 'The name this client gives in EHLO; empty uses the machine name',
		},
	];
}
