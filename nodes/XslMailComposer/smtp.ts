/**
 * Sending a composed mail with nodemailer. Plain module: the node hands in the credential's fields.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
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

/**
 * One connection for all the mails it sends, one after the other: a call that rang a group of ten
 * gives ten mails, which would otherwise each cost a connection, a TLS handshake and a login, and
 * servers limit how many connections a client may open. nodemailer's pool keeps the connection
 * after a refused recipient (RSET), and sends a mail again over a new connection only if the
 * server closed the old one before a byte of it went out, so nothing is sent twice. Close it with
 * `closeTransport` when done: the connection stays open until then.
 */
export function smtpTransport(settings: SmtpSettings): Transporter<SMTPPool.SentMessageInfo> {
	return createTransport({
		pool: true,
		maxConnections: 1,
		// Once: enough for a connection the server closed between two mails; a server that closes every
		// connection at once (a proxy while its container restarts) fails the mail with its own reason.
		maxRequeues: 1,
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

/**
 * Ends the transport's connection, also one still waiting for an answer: a server that never
 * answers the RSET after a refusal would otherwise keep it open for the socket timeout.
 */
export function closeTransport(transport: Transporter<SMTPPool.SentMessageInfo>): void {
	(transport.transporter as unknown as SMTPPool).close({ force: true });
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
export function smtpErrorMessage(error: unknown, settings: Pick<SmtpSettings, 'host' | 'port' | 'disableStartTls'>): string {
	const { code, originalCode, message, responseCode, command, permanent, response } = error as SmtpFailure;
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
	} else if (responseCode === 530 && /STARTTLS/i.test(response ?? '')) {
		explained = settings.disableStartTls
			? `${address} takes mail only over an encrypted connection. Turn off Disable STARTTLS.`
			: `${address} takes mail only over an encrypted connection but offered no STARTTLS. Turn on SSL/TLS (port 465).`;
	} else if (responseCode === 530) {
		explained = `${address} sends mail only after a login. Fill in User and Password.`;
	} else if (permanent && (command === 'RCPT TO' || command === 'DATA' || command === 'MAIL FROM')) {
		explained = `${address} ${REFUSAL_ADVICE[refusalOf(error as SmtpFailure)](replyStatus(error as SmtpFailure))}`;
	}
	return explained === null ? original : `${explained} Details: ${original}`;
}

const checkRecipient = (reply: string) => `refused the recipient for good (${reply}). Check the user's e-mail address in the directory.`;
/** What a permanent refusal is about, and what to check, in words that follow the server's address. */
const REFUSAL_ADVICE: Record<Refusal, (reply: string) => string> = {
	tooBig: (reply) => `refused the mail as too big (${reply}). Check the server's size limit.`,
	helo: (reply) => `refused the name n8n greeted it with (${reply}). Fill in Client Host Name with n8n's full host name.`,
	login: (reply) => `refused the sender without a login (${reply}). Fill in User and Password.`,
	sender: (reply) => `refused the sender address for good (${reply}). Check From: the server may take only its account's own address.`,
	ourHost: (reply) =>
		`refused mail from n8n's host (${reply}): its address is on a block list or not allowed, or the sender checks (SPF, DKIM, DMARC) failed. Ask the mail server's administrator.`,
	mailbox: checkRecipient,
	relay: (reply) =>
		`does not relay to this recipient (${reply}): it may forward mail to other domains only after a login. Check User and Password, or the user's e-mail address in the directory.`,
	recipient: checkRecipient,
	content: (reply) => `refused the mail for good (${reply}), for example as spam or for its From address.`,
	other: (reply) => `refused the mail for good (${reply}).`,
};

/** What nodemailer adds to an error: its code, Node's code below it, and the server's reply. */
interface SmtpFailure {
	code?: string;
	originalCode?: string;
	message?: string;
	responseCode?: number;
	permanent?: boolean;
	command?: string;
	/** The server's reply as it came, such as `550 5.1.1 <anna@example.com>: User unknown`. */
	response?: string;
}

/** The reply code with the RFC 3463 enhanced status, where the server sends one: `550 5.1.1`. */
function replyStatus({ responseCode, response }: SmtpFailure): string {
	const enhanced = enhancedStatus(response);
	return enhanced ? `${responseCode} ${enhanced}` : String(responseCode);
}

/** RFC 3463's status after the reply code, or qmail's "(#5.1.1" in the text. */
function enhancedStatus(response: string | undefined): string | undefined {
	const text = response ?? '';
	return (/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?!\S)/.exec(text) ?? /\(#([245]\.\d{1,3}\.\d{1,3})/.exec(text))?.[1];
}

/**
 * What a permanent (5xx) refusal is about, from the command it answered, its RFC 3463 enhanced status
 * where the server sends one, and the words of common servers (Postfix, Exim, Exchange) where not.
 */
type Refusal = 'tooBig' | 'helo' | 'login' | 'ourHost' | 'sender' | 'mailbox' | 'relay' | 'recipient' | 'content' | 'other';

/** Refusals that concern every mail: sending stops at once. */
const EVERY_MAIL: readonly Refusal[] = ['helo', 'login', 'ourHost', 'sender'];

function refusalOf(failure: SmtpFailure): Refusal {
	const { command, responseCode } = failure;
	const text = failure.response ?? '';
	const status = enhancedStatus(text) ?? '';
	if (/^\d\.3\.4$/.test(status) || (!status && responseCode === 552 && /size|too (big|large)/i.test(text))) return 'tooBig';
	// Postfix checks the client's greeting, the client and the sender at RCPT TO, naming them.
	if (/helo command rejected/i.test(text)) return 'helo';
	if (/not logged in|authentication required/i.test(text)) return 'login';
	// X.7.23–X.7.26: SPF, DKIM, DMARC and reverse DNS checks of the sending host and domain.
	if (/^\d\.7\.2[3-6]$/.test(status) || /client host|blocked using|\b(block|black|deny)[ -]?list|spamhaus|banned sending ip/i.test(text)) {
		return 'ourHost';
	}
	if (/^\d\.1\.[78]$/.test(status) || /sender address rejected|sender verify failed|unknown sender|sender domain/i.test(text)) return 'sender';
	if (command === 'MAIL FROM' && (status === '' || /^\d\.[17]\./.test(status))) return 'sender';
	if (command === 'RCPT TO') {
		// Exchange Online answers a recipient its tenant does not have with 5.4.1; Exim and older
		// servers give no status: "550 Unrouteable address", "550 No such user".
		const gone = status
			? /^\d\.[12]\.\d+$/.test(status) || (/^\d\.4\.1$/.test(status) && /recipient address rejected/i.test(text))
			: /unknown|unrouteable|no such|does not exist|mailbox unavailable/i.test(text);
		if (gone) return 'mailbox';
		if (/relay(ing)? (access )?(denied|not permitted)|unable to relay|not permitted to relay|credentials for relay|rcpthosts/i.test(text)) {
			return 'relay';
		}
		return 'recipient';
	}
	return command === 'DATA' ? 'content' : 'other';
}

/**
 * Whom a failure concerns, which decides whether the next mail is tried:
 * - `mailbox`: this recipient's mailbox, for certain (RFC 3463's X.1 "address" or X.2 "mailbox"
 *   status at RCPT TO, such as 5.1.1 user unknown or 5.2.1 disabled, or a server's words for it);
 * - `mail`: this mail, refused for good at RCPT TO or DATA for a reason the reply does not pin on
 *   the recipient (relaying denied, a policy, the content, its size): the next mail, to another
 *   recipient, may well go through;
 * - `all`: every mail: a failure that is not permanent (retrying may help), the connection, the
 *   login (530), the sender address, n8n's host or its greeting (`EVERY_MAIL`).
 */
export function failureScope(error: unknown): 'mailbox' | 'mail' | 'all' {
	const failure = error as SmtpFailure;
	const { permanent, command, responseCode } = failure;
	if (permanent !== true || (command !== 'RCPT TO' && command !== 'DATA') || responseCode === 530) return 'all';
	const refusal = refusalOf(failure);
	if (EVERY_MAIL.includes(refusal)) return 'all';
	return refusal === 'mailbox' ? 'mailbox' : 'mail';
}

/**
 * Refusals of different recipients for the same reason: the same code, status and kind. Not the
 * text: servers add a session id, a time or the client's address to every reply (Gmail, Exchange).
 */
const refusalReason = (error: unknown) => {
	const failure = error as SmtpFailure;
	return `${replyStatus(failure)} ${refusalOf(failure)}`;
};

/** The execution's error: named after the first failure, whose item it points to. */
export interface SendingReport {
	first: SendFailure;
	message: string;
	description: string;
}

/** One mail that was not sent. */
export interface SendFailure {
	itemIndex: number;
	to: string;
	error: unknown;
	/** The failure in the credential's words (`smtpErrorMessage`). */
	reason: string;
}

/**
 * Refusals of single mails for the same reason (`refusalReason`) before the first mail goes through,
 * after which sending stops: a server that refuses every mail alike (relaying denied to all, a
 * policy) is then more likely refusing because of its settings than because of so many addresses.
 */
export const REFUSALS_BEFORE_STOPPING = 3;
/** Failures the execution's error lists one by one; more are counted. */
const LISTED_FAILURES = 10;

/**
 * The failed mails of one execution, and whether to go on after each. A refused mailbox or mail
 * (`failureScope`) must not hold back the other recipients' mails, now or on every retry; any other
 * failure stops sending, as does a run of refusals before any mail went through.
 */
export class SendFailures {
	private readonly failures: SendFailure[] = [];
	/** Refusals of single mails before any mail went through, by `refusalReason`. */
	private readonly refusalsByReason = new Map<string, number>();
	private anySent = false;
	private stoppedByRefusals = false;

	noteSent(): void {
		this.anySent = true;
	}

	/** Notes a failure; `true`: go on with the next mail; `false`: stop and fail with `report()`. */
	goOnAfter(failure: SendFailure): boolean {
		this.failures.push(failure);
		const scope = failureScope(failure.error);
		if (scope === 'all') return false;
		if (scope === 'mailbox' || this.anySent) return true;
		const reason = refusalReason(failure.error);
		const alike = (this.refusalsByReason.get(reason) ?? 0) + 1;
		this.refusalsByReason.set(reason, alike);
		this.stoppedByRefusals = alike >= REFUSALS_BEFORE_STOPPING;
		return !this.stoppedByRefusals;
	}

	/** The execution's error for the mails not sent, or `undefined` when none failed. */
	report(): SendingReport | undefined {
		const [first] = this.failures;
		if (!first) return undefined;
		const recipients = this.failures.map((failure) => failure.to);
		const listed =
			recipients.length <= LISTED_FAILURES
				? recipients.slice(0, -1).join(', ') + (recipients.length > 1 ? ' and ' : '') + recipients.at(-1)
				: `${recipients.slice(0, LISTED_FAILURES).join(', ')} and ${recipients.length - LISTED_FAILURES} more`;
		const lines = this.failures.slice(0, LISTED_FAILURES).map((failure) => `${failure.to}: ${failure.reason}`);
		if (this.failures.length > LISTED_FAILURES) lines.push(`… and ${this.failures.length - LISTED_FAILURES} more`);
		if (this.stoppedByRefusals) {
			lines.push(
				`The server refused ${REFUSALS_BEFORE_STOPPING} of the mails alike and took none, so sending stopped: ` +
					'more likely its settings (relaying, the sender address, the login) than these addresses.',
			);
		}
		return {
			first,
			message: `Sending the missed-call ${recipients.length === 1 ? 'mail' : 'mails'} to ${listed} failed`,
			description: lines.join('\n'),
		};
	}
}

/**
 * An error's description with the mails refused before it added: the error ends the execution, and
 * they would go unnamed. The error's own description (n8n's for an expression says how to fix it) stays first.
 */
export function withUnsentMails(description: string | null | undefined, unsent: SendingReport | undefined): string | undefined {
	const parts = [description, unsent && `Not sent before it either: ${unsent.message}.\n${unsent.description}`];
	return parts.filter(Boolean).join('\n\n') || undefined;
}

/** What the server said, as the node outputs it. */
export interface SendResult {
	messageId: string;
	accepted: string[];
	rejected: string[];
	response: string;
}

export async function sendMail(
	transport: Transporter<SMTPPool.SentMessageInfo>,
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
