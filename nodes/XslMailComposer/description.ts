import { readFileSync } from 'fs';
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TEMPLATE_FILE } from './render/xslTemplate';

export const xslMailComposerProperties: INodeProperties[] = [
	{
		displayName: 'Action',
		name: 'action',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Compose Only',
				value: 'compose',
				// The lint's sentence case allows neither "e-mail" nor "SMTP" here.
				action: 'Compose the mail for another mail node',
				description:
					'Output from, to, subject, HTML, text and attachments (as binary) for the Send Email, Gmail or Outlook node',
			},
			{
				name: 'Send',
				value: 'send',
				action: 'Send the mail over the mail server',
				description: 'Send with the SMTP credential and output the server\'s answer',
			},
		],
		default: 'send',
	},
	{
		displayName:
			'Tip: turn on Retry On Fail (node Settings; the example workflow tries 5 times, 5 s apart) so that a short mail-server outage costs no mail; mails this node already sent in this execution are not sent again. While testing, a wrong setting then shows its error only after all tries.',
		name: 'retryNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { action: ['send'] } },
	},
	{
		displayName: 'From',
		name: 'fromEmail',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Missed calls <pbx@example.com>',
		description: 'Your address the mails are sent from. With a caller mode below, the caller shows as From or Reply-To and this address still sends them.',
	},
	{
		displayName: 'Sender Mode',
		name: 'senderMode',
		type: 'options',
		options: [
			{
				name: 'Caller as From',
				value: 'callerAsFrom',
				description:
					'From is the caller\'s e-mail (replies, and out-of-office notes of mail systems that answer the From, reach the caller); the From address above goes into the Sender header and stays the envelope sender',
			},
			{
				name: 'Caller as Reply-To',
				value: 'callerAsReplyTo',
				description: 'From stays your address above, Reply-To is the caller: for domains whose DMARC policy rejects foreign From addresses',
			},
			{
				name: 'Configured From',
				value: 'configured',
				description: 'Always send from the address above',
			},
		],
		default: 'configured',
		description: 'Without a caller e-mail the configured From is always used',
	},
	{
		// Compose Only hands the headers to another node, and n8n's Send Email node has no Sender option.
		displayName:
			'n8n\'s Send Email node cannot set the Sender header: a mail it sends in the caller\'s name without one fails SPF/DMARC checks or is refused (Microsoft 365: SendAsDenied). When composing only, choose "Caller as Reply-To".',
		name: 'callerAsFromNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { action: ['compose'], senderMode: ['callerAsFrom'] } },
	},
	{
		displayName: 'Language Name or ID',
		name: 'language',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getLanguages' },
		default: 'recipient',
		description:
			'A language the package ships (its README lists them, under XSL Mail Composer), or the recipient\'s own language (de-AT → de → default). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Default Language Name or ID',
		name: 'defaultLanguage',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getFileLanguages' },
		default: 'en',
		displayOptions: { show: { language: ['recipient'] } },
		description:
			'Used when the recipient has no language or one without a file. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Telephony Links',
		name: 'linkPrefix',
		type: 'options',
		options: [
			{ name: 'callto:', value: 'callto', description: 'Links look like callto:+49301234' },
			{ name: 'Custom Prefix', value: 'custom', description: 'Links with the prefix you enter below, e.g. sip:+49301234' },
			{ name: 'Off (Plain Text Numbers)', value: 'off', description: 'Numbers are plain text, not links' },
			{ name: 'phone:', value: 'phone', description: 'Links look like phone:+49301234' },
			{
				name: 'tel: (Standard)',
				value: 'tel',
				description: 'Links look like tel:+49301234; the standard, works on phones and in most desktop softphones',
			},
		],
		default: 'tel',
		description: 'How phone numbers in the mail are turned into click-to-call links',
	},
	{
		displayName: 'Custom Prefix',
		name: 'customLinkPrefix',
		type: 'string',
		default: '',
		placeholder: 'sip:',
		required: true,
		displayOptions: { show: { linkPrefix: ['custom'] } },
		description: '1 to 9 characters followed by a colon, e.g. sip: or dialer:',
	},
	{
		displayName: 'Attach Caller vCard',
		name: 'attachVCard',
		type: 'boolean',
		default: true,
		description: 'Whether the caller\'s contact data is attached as a vCard (when there is contact data)',
	},
	{
		displayName: 'Template',
		name: 'templateSource',
		type: 'options',
		options: [
			{ name: 'Default Template', value: 'default' },
			{ name: 'From Binary Input', value: 'binary' },
			{ name: 'XSL Below', value: 'parameter' },
		],
		default: 'default',
		description:
			"The XSL template that turns the notification XML into the mail. The package's README (XSL Mail Composer) describes the XML.",
	},
	{
		displayName: 'XSL Template',
		name: 'templateXsl',
		type: 'string',
		typeOptions: { rows: 12 },
		// The shipped template, so that choosing "XSL Below" gives a working copy to change.
		default: readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8'),
		required: true,
		displayOptions: { show: { templateSource: ['parameter'] } },
		description: "A complete XSL stylesheet, filled in with the default template to change. The package's README (XSL Mail Composer) describes the XML it gets.",
	},
	{
		displayName: 'Input Binary Field',
		name: 'templateBinaryProperty',
		type: 'string',
		default: 'data',
		displayOptions: { show: { templateSource: ['binary'] } },
		description: 'The binary property of the input item that holds the XSL file',
	},
];
