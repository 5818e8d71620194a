/**
 * Refusals by a real SMTP server (smtp-server on loopback, replying as Postfix and others word it),
 * read from the errors nodemailer really raises: what each says to check, and whether the composer
 * goes on with the next mail (`SendFailures`).
 */
import { REFUSALS, SmtpSink, type Refusal } from '../../../scripts/lib/smtpSink';
import {
	REFUSALS_BEFORE_STOPPING,
	SendFailures,
	failureScope,
	smtpErrorMessage,
	smtpTransport,
	withUnsentMails,
} from '../../../nodes/XslMailComposer/smtp';

let sink: SmtpSink;
const settings = () => ({ host: '127.0.0.1', port: sink.port, secure: false, disableStartTls: true });
const address = () => `127.0.0.1:${sink.port}`;

beforeAll(async () => {
	sink = await SmtpSink.start();
});
afterAll(() => sink.close());

/** The error nodemailer raises for a mail to `to` that the server refuses at RCPT TO with `reply`. */
async function refused(to: string, reply: keyof typeof REFUSALS | Refusal): Promise<Error> {
	sink.refuseRecipient(to, 1, reply);
	const transport = smtpTransport(settings());
	try {
		await transport.sendMail({ from: 'pbx@example.com', to, subject: 'Missed call', text: 'Missed call' });
	} catch (error) {
		return error as Error;
	} finally {
		transport.close();
	}
	throw new Error(`the server took the mail to ${to}`);
}

describe('a refusal, in the words of the settings to check', () => {
	it.each<[string, keyof typeof REFUSALS | Refusal, string | null, 'mailbox' | 'mail' | 'all']>([
		[
			"a mailbox that no longer exists (Postfix's 5.1.1)",
			'unknownMailbox',
			"refused the recipient for good (550 5.1.1). Check the user's e-mail address in the directory.",
			'mailbox',
		],
		['a full mailbox (5.2.2)', { code: 552, text: '5.2.2 Mailbox full' }, 'refused the recipient for good (552 5.2.2).', 'mailbox'],
		[
			'an unknown user, from a server without enhanced status codes',
			'unknown',
			"refused the recipient for good (550). Check the user's e-mail address in the directory.",
			'mailbox',
		],
		[
			'a refused recipient, from a server without enhanced status codes, for a reason it does not name',
			{ code: 550, text: 'Recipient rejected' },
			"refused the recipient for good (550). Check the user's e-mail address in the directory.",
			'mail',
		],
		[
			"relaying denied (Postfix's 554 5.7.1)",
			'relayDenied',
			'does not relay to this recipient (554 5.7.1): it may forward mail to other domains only after a login. Check User and Password',
			'mail',
		],
		[
			'our sender address, refused at RCPT TO (Postfix checks it there)',
			'senderNotOwned',
			"refused the sender address for good (553 5.7.1). Check From: the server may take only its account's own address.",
			'all',
		],
		[
			'a server that wants STARTTLS first',
			{ code: 530, text: '5.7.0 Must issue a STARTTLS command first' },
			'takes mail only over an encrypted connection. Turn off Disable STARTTLS.',
			'all',
		],
		[
			'a server that wants a login first',
			{ code: 530, text: '5.7.0 Authentication required' },
			'sends mail only after a login. Fill in User and Password.',
			'all',
		],
		[
			"Postfix's unknown user in its relay recipient table (the word relay, but 5.1.1)",
			{ code: 550, text: '5.1.1 <anna@example.com>: Recipient address rejected: User unknown in relay recipient table' },
			"refused the recipient for good (550 5.1.1). Check the user's e-mail address in the directory.",
			'mailbox',
		],
		[
			"Exim's unknown recipient, without enhanced status",
			{ code: 550, text: 'Unrouteable address' },
			"refused the recipient for good (550). Check the user's e-mail address in the directory.",
			'mailbox',
		],
		[
			'a recipient who blocks the sender (not our sender address as such)',
			{ code: 550, text: '5.7.1 Sender blocked by recipient' },
			"refused the recipient for good (550 5.7.1). Check the user's e-mail address in the directory.",
			'mail',
		],
		[
			"Exchange Online's recipient its tenant does not have (5.4.1)",
			{ code: 550, text: '5.4.1 Recipient address rejected: Access denied. AS(201806281)' },
			"refused the recipient for good (550 5.4.1). Check the user's e-mail address in the directory.",
			'mailbox',
		],
		["qmail's unknown recipient (status in the text)", { code: 511, text: 'sorry, no mailbox here by that name (#5.1.1 - chkuser)' }, 'refused the recipient for good (511 5.1.1).', 'mailbox'],
		['a full mailbox worded with "size"', { code: 552, text: '5.2.2 <recipient>: Mailbox size limit exceeded' }, 'refused the recipient for good (552 5.2.2).', 'mailbox'],
		["qmail's relaying denied", { code: 553, text: "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" }, 'does not relay to this recipient (553 5.7.1)', 'mail'],
		[
			"Postfix's refusal of n8n's greeting (a container id as host name)",
			{ code: 504, text: '5.5.2 <3f2a9c1b7d4e>: Helo command rejected: need fully-qualified hostname' },
			"refused the name n8n greeted it with (504 5.5.2). Fill in Client Host Name with n8n's full host name.",
			'all',
		],
		[
			"Postfix's sender check without a login",
			{ code: 553, text: '5.7.1 <pbx@example.com>: Sender address rejected: not logged in' },
			'refused the sender without a login (553 5.7.1). Fill in User and Password.',
			'all',
		],
		["Exim's sender verification", { code: 550, text: 'Verification failed for <pbx@example.com>\nUnrouteable address\nSender verify failed' }, 'refused the sender address for good (550).', 'all'],
		['a failed SPF check (5.7.23)', { code: 550, text: '5.7.23 Message rejected due to: SPF fail' }, "refused mail from n8n's host (550 5.7.23)", 'all'],
		[
			"n8n's host refused (Postfix's client check at RCPT TO)",
			{ code: 554, text: '5.7.1 <n8n.example.com[192.0.2.7]>: Client host rejected: Access denied' },
			"refused mail from n8n's host (554 5.7.1): its address is on a block list or not allowed, or the sender checks (SPF, DKIM, DMARC) failed. Ask the mail server's administrator.",
			'all',
		],
		['n8n\'s host on a block list', { code: 554, text: '5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org' }, "refused mail from n8n's host", 'all'],
		['a busy mailbox, for now', 'busy', null, 'all'],
	])('%s', async (_case, reply, explained, scope) => {
		const error = await refused(`someone-${sink.refused.length}@example.com`, reply);
		const message = smtpErrorMessage(error, settings());
		if (explained === null) expect(message).toBe(error.message);
		else expect(message).toMatch(new RegExp(`^${escape(`${address()} ${explained}`)}.* Details: ${escape(error.message)}$`));
		expect(failureScope(error)).toBe(scope);
	});

	// The sink refuses at RCPT TO only; these errors carry the fields nodemailer sets (smtp-connection's _formatError).
	it.each([
		['a mail refused for good after its content', 'DATA', '554 5.6.0 Message refused', 'refused the mail for good (554 5.6.0), for example as spam or for its From address.', 'mail'],
		['a mail too big for the server, at DATA', 'DATA', '552 5.3.4 Message size exceeds fixed limit', "refused the mail as too big (552 5.3.4). Check the server's size limit.", 'mail'],
		['our sender address, refused at MAIL FROM', 'MAIL FROM', '553 Sender address rejected', "refused the sender address for good (553). Check From: the server may take only its account's own address.", 'all'],
		['a mail too big for the server, at MAIL FROM (SIZE=)', 'MAIL FROM', '552 5.3.4 Message size exceeds fixed limit', "refused the mail as too big (552 5.3.4). Check the server's size limit.", 'all'],
		["Gmail's daily sending quota, at MAIL FROM", 'MAIL FROM', '550 5.4.5 Daily user sending quota exceeded.', 'refused the mail for good (550 5.4.5).', 'all'],
	])('%s', (_case, command, response, explained, scope) => {
		const responseCode = Number(response.slice(0, 3));
		const error = Object.assign(new Error(`Failed: ${response}`), { code: 'EENVELOPE', response, responseCode, permanent: true, command });
		expect(smtpErrorMessage(error, { host: 'smtp.example.com', port: 587 })).toBe(`smtp.example.com:587 ${explained} Details: ${error.message}`);
		expect(failureScope(error)).toBe(scope);
	});

	it('a server that wants STARTTLS, with STARTTLS not turned off, offered none: SSL/TLS is the way', () => {
		const response = '530 5.7.0 Must issue a STARTTLS command first';
		const error = Object.assign(new Error(`Failed: ${response}`), { code: 'EENVELOPE', response, responseCode: 530, permanent: true, command: 'MAIL FROM' });
		expect(smtpErrorMessage(error, { host: 'smtp.example.com', port: 25, disableStartTls: false })).toBe(
			`smtp.example.com:25 takes mail only over an encrypted connection but offered no STARTTLS. Turn on SSL/TLS (port 465). Details: ${error.message}`,
		);
	});
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('SendFailures: whether the next mail is tried, and the execution error', () => {
	let itemIndex = 0;
	const failureOf = async (to: string, reply: keyof typeof REFUSALS | Refusal) => {
		const error = await refused(to, reply);
		return { itemIndex: itemIndex++, to, error, reason: smtpErrorMessage(error, settings()) };
	};

	it('goes on after a gone mailbox among sent mails, and names it', async () => {
		const failures = new SendFailures();
		failures.noteSent();
		const gone = await failureOf('anna@example.com', 'unknownMailbox');
		expect(failures.goOnAfter(gone)).toBe(true);
		failures.noteSent();
		expect(failures.report()).toEqual({
			first: gone,
			message: 'Sending the missed-call mail to anna@example.com failed',
			description: `anna@example.com: ${gone.reason}`,
		});
	});

	it(`stops after ${REFUSALS_BEFORE_STOPPING} refusals alike before any mail went through, saying the settings are the likelier cause`, async () => {
		const failures = new SendFailures();
		const goOn: boolean[] = [];
		const tried: string[] = [];
		for (const to of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']) {
			tried.push(to);
			// As Gmail and Exchange do, each reply carries its own session id: alike all the same.
			const refusal = await failureOf(to, { code: 554, text: `5.7.1 <${to}>: Relay access denied [session ${tried.length}x${Date.now()}]` });
			goOn.push(failures.goOnAfter(refusal));
			if (!goOn.at(-1)) break;
		}
		expect(goOn).toEqual([true, true, false]);
		expect(tried).toHaveLength(REFUSALS_BEFORE_STOPPING);
		const report = failures.report()!;
		expect(report.message).toBe('Sending the missed-call mails to a@example.com, b@example.com and c@example.com failed');
		expect(report.description.split('\n')).toEqual([
			...tried.map((to) => expect.stringMatching(new RegExp(`^${escape(to)}: ${escape(address())} does not relay to this recipient`))),
			'The server refused 3 of the mails alike and took none, so sending stopped: more likely its settings (relaying, the sender address, the login) than these addresses.',
		]);
	});

	it('goes on before any mail went through when the refusals differ or name gone mailboxes', async () => {
		const differing = new SendFailures();
		const goneOnExim = new SendFailures();
		const goOn: boolean[] = [];
		for (const [n, reply] of ['relayDenied', { code: 550, text: '5.7.1 Sender blocked by recipient' }, { code: 550, text: 'Recipient rejected' }, 'relayDenied'].entries()) {
			goOn.push(differing.goOnAfter(await failureOf(`differing-${n}@example.com`, reply as Refusal)));
		}
		for (let n = 0; n < 4; n++) goOn.push(goneOnExim.goOnAfter(await failureOf(`left-${n}@example.com`, { code: 550, text: 'Unrouteable address' })));
		expect(goOn).toEqual(Array(8).fill(true));
	});

	it('goes on after any number of refusals once a mail went through, and after any number of gone mailboxes', async () => {
		const afterSent = new SendFailures();
		afterSent.noteSent();
		const goneMailboxes = new SendFailures();
		const goOn: boolean[] = [];
		for (let n = 0; n < 12; n++) {
			goOn.push(afterSent.goOnAfter(await failureOf(`relay-${n}@example.com`, 'relayDenied')));
			goOn.push(goneMailboxes.goOnAfter(await failureOf(`gone-${n}@example.com`, 'unknownMailbox')));
		}
		expect(goOn.every(Boolean)).toBe(true);
		// Ten are listed, the rest counted.
		const { message, description } = afterSent.report()!;
		expect(message).toBe(
			`Sending the missed-call mails to ${Array.from({ length: 10 }, (_, n) => `relay-${n}@example.com`).join(', ')} and 2 more failed`,
		);
		expect(description.split('\n')).toHaveLength(11);
		expect(description.split('\n')[10]).toBe('… and 2 more');
	});

	it('stops at once when the refusal concerns every mail, naming the refusals before it too', async () => {
		const failures = new SendFailures();
		const gone = await failureOf('gone@example.com', 'unknownMailbox');
		const sender = await failureOf('next@example.com', 'senderNotOwned');
		expect([failures.goOnAfter(gone), failures.goOnAfter(sender)]).toEqual([true, false]);
		const busy = new SendFailures();
		expect(busy.goOnAfter(await failureOf('busy@example.com', 'busy'))).toBe(false);
		const report = failures.report()!;
		expect(report.message).toBe('Sending the missed-call mails to gone@example.com and next@example.com failed');
		expect(report.first).toBe(gone);
		expect(report.description).toMatch(/^gone@example\.com: .*\nnext@example\.com: .*refused the sender address for good/);
	});

	it("adds the refused mails to a later error's description, after the error's own", async () => {
		const failures = new SendFailures();
		const gone = await failureOf('left@example.com', 'unknownMailbox');
		failures.goOnAfter(gone);
		const added = `Not sent before it either: Sending the missed-call mail to left@example.com failed.\nleft@example.com: ${gone.reason}`;
		expect(withUnsentMails("Check the expression's field names", failures.report())).toBe(`Check the expression's field names\n\n${added}`);
		expect(withUnsentMails(undefined, failures.report())).toBe(added);
		expect(withUnsentMails('Its own', undefined)).toBe('Its own');
		expect(withUnsentMails(null, undefined)).toBeUndefined();
	});

	it('has nothing to report when no mail failed', () => {
		const failures = new SendFailures();
		failures.noteSent();
		expect(failures.report()).toBeUndefined();
	});
});
