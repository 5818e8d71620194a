/**
 * A real SMTP server on loopback (smtp-server) that keeps every message it accepts, parses it back
 * with mailparser and, when given a folder, writes it there as an .eml file. Tests assert on what
 * arrived here, never on what the composer meant to send.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	/** SMTP envelope, as the client gave it. */
	envelope: { from: string; to: string[] };
	raw: Buffer;
	parsed: ParsedMail;
	/** The SMTP session (one per connection) it came over. */
	connection: string;
	file?: string;
}

export interface SmtpSinkOptions {
	port?: number;
	/** Write each message as `<n>.eml` into this folder. */
	mailDir?: string;
	/** Accept only this login (otherwise any login, or none, is accepted). */
	auth?: { user: string; pass: string };
	/**
	 * `arrivals`: keep only when each mail arrived and its call id, parse nothing (benchmarks: a
	 * full parse per mail would compete with n8n for the CPU). Default `full`.
	 */
	record?: 'full' | 'arrivals';
}

export interface MailArrival {
	at: number;
	/** The X-Missed-Call-Id header, when the mail has one. */
	callId?: string;
	/** Size of the message as it arrived (headers and MIME body). */
	bytes: number;
}

/** A reply to RCPT TO as a server sends it: the code, then the text (with an RFC 3463 status, if any). */
export interface Refusal {
	code: number;
	text: string;
}
/** Refusals as real servers word them. */
export const REFUSALS = {
	/** A busy or greylisting server: temporary. */
	busy: { code: 451, text: 'Mailbox busy, try again later' },
	/** A mailbox that no longer exists, from a server without enhanced status codes. */
	unknown: { code: 550, text: 'User unknown' },
	/** Postfix: a mailbox that no longer exists. */
	unknownMailbox: { code: 550, text: '5.1.1 <recipient>: Recipient address rejected: User unknown in virtual mailbox table' },
	/** Postfix: a recipient outside its domains, for a client it does not relay for. */
	relayDenied: { code: 554, text: '5.7.1 <recipient>: Relay access denied' },
	/** Postfix (smtpd_sender_login_maps): our From is not the login's address, checked at RCPT TO. */
	senderNotOwned: { code: 553, text: '5.7.1 <pbx@example.com>: Sender address rejected: not owned by user pbx' },
} satisfies Record<string, Refusal>;

export class SmtpSink {
	readonly mails: ReceivedMail[] = [];
	readonly arrivals: MailArrival[] = [];
	/** Recipients refused by `refuseRecipient`, one entry per refusal, in order. */
	readonly refused: string[] = [];
	/** How many connections clients opened. */
	connections = 0;
	/** How the server fails the next mail, set by `dropNextMail`. */
	private nextDrop?: 'atMailFrom' | 'afterMessage';
	/** Address → refusals still to come, and the reply. */
	private readonly refusals = new Map<string, { left: number; reply: Refusal }>();
	private constructor(
		private readonly server: SMTPServer,
		readonly port: number,
		private readonly options: SmtpSinkOptions,
	) {}

	static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
		if (options.mailDir) mkdirSync(options.mailDir, { recursive: true });
		let sink: SmtpSink | undefined;
		const server = new SMTPServer({
			secure: false,
			disabledCommands: ['STARTTLS'],
			authOptional: !options.auth,
			allowInsecureAuth: true,
			logger: false,
			size: 25 * 1024 * 1024,
			onConnect(_session, callback) {
				sink!.connections++;
				callback();
			},
			onAuth(auth, _session, callback) {
				if (!options.auth || (auth.username === options.auth.user && auth.password === options.auth.pass)) {
					callback(null, { user: auth.username });
				} else {
					callback(new Error('Invalid username or password'));
				}
			},
			onMailFrom(_address, session, callback) {
				if (sink!.takeDrop('atMailFrom')) sink!.closeSilently(session.id);
				else callback();
			},
			onRcptTo(address, _session, callback) {
				const refusal = sink!.refusalOf(address.address);
				const text = refusal?.text.replace('<recipient>', `<${address.address}>`);
				callback(refusal && Object.assign(new Error(text), { responseCode: refusal.code }));
			},
			onData(stream, session, callback) {
				const chunks: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('end', () => {
					const raw = Buffer.concat(chunks);
					if (options.record === 'arrivals') {
						const callId = /^X-Missed-Call-Id:\s*(\S+)/im.exec(raw.toString('latin1', 0, 8192))?.[1];
						sink!.arrivals.push({ at: Date.now(), callId, bytes: raw.length });
						callback();
						return;
					}
					const envelope = {
						from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
					};
					simpleParser(raw)
						.then((parsed) => {
							sink!.accept({ envelope, raw, parsed, connection: session.id });
							if (sink!.takeDrop('afterMessage')) sink!.closeSilently(session.id);
							else callback();
						})
						.catch(callback);
				});
			},
		});
		const port = await new Promise<number>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, '127.0.0.1', () => {
				resolve((server.server.address() as { port: number }).port);
			});
		});
		sink = new SmtpSink(server, port, options);
		return sink;
	}

	/** The next `times` mails to `address` are refused at RCPT TO with `reply` (`REFUSALS`, or any other). */
	refuseRecipient(address: string, times: number, reply: keyof typeof REFUSALS | Refusal = 'busy'): void {
		this.refusals.set(address.toLowerCase(), { left: times, reply: typeof reply === 'string' ? REFUSALS[reply] : reply });
	}

	/** Connections open right now. */
	get openConnections(): number {
		return this.server.connections.size;
	}

	/** Closes every open connection, as a server does with a client that was idle too long. */
	dropConnections(): void {
		for (const connection of this.server.connections) {
			connection.send(421, '4.4.2 Idle timeout, closing connection');
			connection.close();
		}
	}

	/**
	 * The next mail fails as on a server that goes away: `atMailFrom` closes the connection at MAIL
	 * FROM without a reply (nothing of the mail was sent); `afterMessage` takes the whole message, keeps
	 * it, and closes without confirming it (the client cannot know it arrived).
	 */
	dropNextMail(when: 'atMailFrom' | 'afterMessage'): void {
		this.nextDrop = when;
	}

	private takeDrop(when: 'atMailFrom' | 'afterMessage'): boolean {
		if (this.nextDrop !== when) return false;
		this.nextDrop = undefined;
		return true;
	}

	private closeSilently(sessionId: string): void {
		for (const connection of this.server.connections) if (connection.id === sessionId) connection.close();
	}

	private refusalOf(address: string): Refusal | undefined {
		const refusal = this.refusals.get(address.toLowerCase());
		if (!refusal || refusal.left <= 0) return undefined;
		refusal.left--;
		this.refused.push(address);
		return refusal.reply;
	}

	private accept(mail: ReceivedMail): void {
		if (this.options.mailDir) {
			mail.file = path.join(this.options.mailDir, `${Date.now()}-${this.mails.length + 1}.eml`);
			writeFileSync(mail.file, mail.raw);
		}
		this.mails.push(mail);
		this.arrivals.push({
			at: Date.now(),
			callId: mail.parsed.headers.get('x-missed-call-id') as string | undefined,
			bytes: mail.raw.length,
		});
	}

	/** Resolves once at least `count` mails arrived; rejects after the timeout naming what it has. */
	async waitForMails(count: number, timeoutMs = 20_000): Promise<ReceivedMail[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.arrivals.length < count) {
			if (Date.now() > deadline) {
				throw new Error(`expected ${count} mail(s) at the SMTP server, got ${this.arrivals.length}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		return this.mails;
	}

	close(): Promise<void> {
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}
