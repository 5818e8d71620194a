/**
 * Sending a composed mail with nodemailer. Plain module: the node hands in the credential's fields.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { ComposedMail } from './render/composeMail';

export interface SmtpSettings {
	host: string;
	port?: number;
	secure?: boolean;
	disableStartTls?: boolean;
	allowUnauthorizedCerts?: boolean;
	user?: string;
	password?: string;
	hostName?: string;
}

export function smtpTransport(settings: SmtpSettings): Transporter<SMTPTransport.SentMessageInfo> {
	return createTransport({
		host: settings.host,
		port: settings.port ?? 465,
		secure: settings.secure ?? true,
		ignoreTLS: settings.secure === false && settings.disableStartTls === true,
		auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
		name: settings.hostName || undefined,
		tls: { rejectUnauthorized: !settings.allowUnauthorizedCerts },
		// A hanging server must fail the item, not the whole execution by n8n's timeout.
		connectionTimeout: 30_000,
		greetingTimeout: 30_000,
		socketTimeout: 60_000,
	});
}

/** What the server said, as the node outputs it. */
export interface SendResult {
	messageId: string;
	accepted: string[];
	rejected: string[];
	response: string;
}

export async function sendMail(
	transport: Transporter<SMTPTransport.SentMessageInfo>,
	mail: ComposedMail,
): Promise<SendResult> {
	const info = await transport.sendMail({
		from: mail.from,
		sender: mail.sender,
		replyTo: mail.replyTo,
		to: mail.to,
		envelope: mail.envelope,
		subject: mail.subject,
		html: mail.html,
		text: mail.text,
		headers: mail.headers,
		attachments: mail.attachments,
	});
	const addresses = (list: Array<string | { address: string }>) =>
		list.map((entry) => (typeof entry === 'string' ? entry : entry.address));
	return {
		messageId: info.messageId,
		accepted: addresses(info.accepted),
		rejected: addresses(info.rejected),
		response: info.response,
	};
}
