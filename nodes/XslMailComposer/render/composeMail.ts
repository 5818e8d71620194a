/**
 * One notification → one e-mail (SPEC §5): rendered through the XSL template, with the sender
 * headers of the chosen mode, the telephony link and the optional vCard. The result maps 1:1 onto
 * nodemailer's message options; sending it is the node's business.
 */
import type { Notification } from '../../shared/notification';
import { isEmailAddress, sendableAddress } from '../../shared/emailAddress';
import { displayName, type MailAddress, parseMailbox } from './address';
import { callerIdName, contactDisplayName } from '../../shared/contact';
import { ConfigurationError } from '../../shared/errors';
import { choiceSetting } from '../../shared/settings';
import { NotificationError } from './errors';
import type { Language } from './languages';
import { buildNotificationXml, mailTimeZone } from './notificationXml';
import { DEFAULT_LINK_PREFIX } from './telephonyLink';
import { cleanLine } from '../../shared/text';
import { buildVCard } from './vcard';
import type { CompiledTemplate } from './xslTemplate';

/**
 * - `configured`: From is the configured address.
 * - `callerAsFrom`: From is the caller, Sender the configured address: the recipient answers the
 *   caller directly and groupware out-of-office replies reach the caller.
 * - `callerAsReplyTo`: From stays the configured address, Reply-To is the caller (for caller
 *   domains whose DMARC policy rejects mail sent in their name by others).
 */
export const SENDER_MODES = ['configured', 'callerAsFrom', 'callerAsReplyTo'] as const;
export type SenderMode = (typeof SENDER_MODES)[number];

export interface ComposeOptions {
	/** The configured sender, `"Missed calls" <pbx@example.com>` or `pbx@example.com`. */
	from: string;
	/** Default `configured`. */
	senderMode?: SenderMode;
	/** Href prefix of telephony links, null for none. Default `tel:`. */
	linkPrefix?: string | null;
	/** Whether to attach the caller's vCard (only when there is contact data). Default false. */
	attachVCard?: boolean;
	/** The recipient's language, already resolved and loaded. */
	language: Language;
	/** The zone for a recipient without a valid one: the workflow's (n8n's getTimezone). Default UTC. */
	defaultTimeZone?: string;
	template: CompiledTemplate;
}

export interface MailAttachment {
	filename: string;
	content: Buffer;
	contentType: string;
}

export interface ComposedMail {
	from: MailAddress;
	/** Set in `callerAsFrom` mode: the configured address that actually sends. */
	sender?: MailAddress;
	/** Set in `callerAsReplyTo` mode. */
	replyTo?: MailAddress;
	to: MailAddress;
	/** SMTP envelope: always the configured address, so bounces and SPF stay with the sender's domain. */
	envelope: { from: string; to: string[] };
	subject: string;
	html: string;
	text: string;
	headers: Record<string, string>;
	attachments: MailAttachment[];
	/** The language tag the mail is written in. */
	language: string;
	/** Why the mail differs from what the settings ask for (e.g. an unusable caller e-mail). */
	notes: string[];
}

/** A header-safe token: printable ASCII without spaces, bounded. */
function headerToken(value: unknown): string {
	return cleanLine(value).replace(/[^\x21-\x7E]/g, '').slice(0, 128);
}

export async function composeMail(notification: Notification, options: ComposeOptions): Promise<ComposedMail> {
	const configured = parseMailbox(options.from ?? '');
	if (!configured) {
		throw new ConfigurationError(
			'fromEmail',
			`From: "${cleanLine(options.from)}" is not a valid sender address; ` +
				'use "Name <address@example.com>" or "address@example.com"',
		);
	}
	const recipientAddress = cleanLine(notification.recipient?.email);
	if (!isEmailAddress(recipientAddress)) {
		throw new NotificationError(
			`Recipient "${cleanLine(notification.recipient?.id)}" has no valid e-mail address ("${recipientAddress}")`,
		);
	}
	const to = { name: displayName(notification.recipient.name), address: recipientAddress };
	const mode = choiceSetting('senderMode', options.senderMode ?? 'configured', SENDER_MODES, 'Sender Mode');
	const notes: string[] = [];

	let caller: MailAddress | undefined;
	if (mode !== 'configured') {
		const raw = notification.contact?.email;
		const given = typeof raw === 'string' ? raw.trim() : '';
		const address = /[\r\n]/.test(given) ? null : sendableAddress(given);
		if (!given) notes.push('The caller has no e-mail address; the configured sender is used.');
		else if (address === null) {
			notes.push(`The caller's e-mail "${cleanLine(given)}" is not one valid address; the configured sender is used.`);
		} else {
			caller = {
				name: displayName(contactDisplayName(notification.contact) || callerIdName(notification.caller?.name)),
				address,
			};
		}
	}
	const callerIsFrom = mode === 'callerAsFrom' && caller !== undefined;

	const timeZone = mailTimeZone(notification, options.defaultTimeZone);
	if (!timeZone.recipients) {
		const { requested } = timeZone;
		notes.push(
			`${requested ? `The recipient's time zone "${requested}" is not valid` : 'The recipient has no time zone'}; ` +
				`times are given in ${timeZone.zone}${timeZone.zone === 'UTC' ? '' : ", the workflow's time zone"}.`,
		);
	}

	const vcard = options.attachVCard ? buildVCard(notification.contact, notification.caller) : null;
	const xml = buildNotificationXml(notification, {
		language: options.language,
		linkPrefix: options.linkPrefix === undefined ? DEFAULT_LINK_PREFIX : options.linkPrefix,
		vcardAttached: vcard !== null,
		defaultTimeZone: options.defaultTimeZone,
	});
	const { subject, html, text } = await options.template.render(xml);

	const headers: Record<string, string> = {};
	// RFC 3834 responders stay silent on auto-generated mail, and Exchange/Outlook on
	// X-Auto-Response-Suppress; with the caller as From their out-of-office reply is the point of the
	// mode, so both headers are left out there.
	if (!callerIsFrom) {
		headers['Auto-Submitted'] = 'auto-generated';
		headers['X-Auto-Response-Suppress'] = 'OOF, AutoReply';
	}
	const callId = headerToken(notification.call?.callId);
	if (callId) headers['X-Missed-Call-Id'] = callId;

	return {
		from: callerIsFrom && caller ? caller : configured,
		...(callerIsFrom ? { sender: configured } : {}),
		...(mode === 'callerAsReplyTo' && caller ? { replyTo: caller } : {}),
		to,
		envelope: { from: configured.address, to: [to.address] },
		subject,
		html,
		text,
		headers,
		attachments: vcard ? [vcard] : [],
		language: options.language.tag,
		notes,
	};
}
