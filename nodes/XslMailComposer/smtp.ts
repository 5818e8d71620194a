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

const CHECK_CONNECTION = 'Check Host, Port and SSL/TLS (465) or STARTTLS (587/25).';

/** Node's and OpenSSL's codes for a server certificate that cannot be verified. */
function isCertificateError(code: string): boolean {
	return /CERT|^UNABLE_TO_|^ERR_TLS_CERT/.test(code);
}

/**
 * An SMTP failure in the words of the credential's fields, with the original error text at the end:
 * nodemailer's own message ("connect ECONNREFUSED 127.0.0.1:2792") names no setting to check.
 */
export function smtpErrorMessage(error: unknown, settings: Pick<SmtpSettings, 'host' | 'port'>): string {
	const { code, originalCode, message, responseCode, command } = error as SmtpFailure;
	const original = String(message ?? error).trim();
	// nodemailer files socket errors under its own code (ESOCKET) and keeps Node's as originalCode.
	const reason = originalCode ?? code ?? '';
	const address = `${settings.host}:${settings.port ?? 465}`;
	let explained: string | null = null;
	if (reason === 'ECONNREFUSED') {
		explained = `Could not connect to ${address} (connection refused). ${CHECK_CONNECTION}`;
	} else if (reason === 'ENOTFOUND' || reason === 'EAI_AGAIN' || reason === 'EDNS') {
		explained = `Could not find the host ${settings.host}. Check Host.`;
	} else if (reason === 'ETIMEDOUT') {
		explained = `No answer from ${address} in time. ${CHECK_CONNECTION}`;
	} else if (reason === 'EHOSTUNREACH' || reason === 'ENETUNREACH') {
		explained = `Could not reach ${address} (no route to the host). Check Host, and that n8n may connect to it.`;
	} else if (reason === 'ECONNRESET' || reason === 'ECONNECTION') {
		explained = `${address} closed the connection. ${CHECK_CONNECTION}`;
	} else if (isCertificateError(reason)) {
		explained =
			`The certificate of ${address} is not trusted. Check Host (the name in the certificate); ` +
			'for a self-signed certificate turn on Allow Unauthorized Certificates.';
	} else if (reason === 'ETLS' || reason.startsWith('ERR_SSL_')) {
		explained = `TLS with ${address} failed. ${CHECK_CONNECTION}`;
	} else if (reason === 'ENOAUTH' || (reason === 'EAUTH' && /^Missing credentials/.test(original))) {
		// nodemailer's own refusals: it sent nothing, because User or Password is empty.
		explained = `${address} needs a login, but User or Password is empty. Fill in both.`;
	} else if (reason === 'EAUTH') {
		explained = `${address} refused the user/password. Check User and Password.`;
	} else if (responseCode === 530) {
		explained = `${address} sends mail only after a login. Fill in User and Password.`;
	} else if (isRefusedForGood(error)) {
		explained =
			command === 'RCPT TO'
				? `${address} refused the recipient for good (${responseCode}). Check the user's e-mail address in the directory.`
				: `${address} refused the mail for good (${responseCode}), for example as spam or for its From address.`;
	}
	return explained === null ? original : `${explained} Details: ${original}`;
}

/** What nodemailer adds to an error: its code, Node's code below it, and the server's reply. */
interface SmtpFailure {
	code?: string;
	originalCode?: string;
	message?: string;
	responseCode?: number;
	permanent?: boolean;
	command?: string;
}

/**
 * The server refused this one mail with a permanent (5xx) reply to its recipient or its content: a
 * retry cannot help, and the next mail, to another recipient, may well go through. Refusals of the
 * login (530, "authentication required") or of our own sender address (MAIL FROM) concern every mail.
 */
export function isRefusedForGood(error: unknown): boolean {
	const { permanent, command, responseCode } = error as SmtpFailure;
	return permanent === true && (command === 'RCPT TO' || command === 'DATA') && responseCode !== 530;
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
