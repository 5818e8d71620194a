import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer from 'nodemailer';
import VCard from 'vcf';
import { formatAddress, parseMailbox } from '../../../nodes/XslMailComposer/render/address';
import type { ComposedMail } from '../../../nodes/XslMailComposer/render/composeMail';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { NotificationError } from '../../../nodes/XslMailComposer/render/errors';
import { compose, missedCall } from './helpers';

const CONFIGURED = { name: 'Missed calls', address: 'pbx@example.com' };
const CALLER = { name: 'Jürgen Müller-Lüdenscheidt', address: 'j.mueller@mueller-soehne.example' };

describe('sender modes', () => {
	it('configured: From is the configured address; the mail says it is automatic', async () => {
		const mail = await compose(missedCall());
		expect(mail.from).toEqual(CONFIGURED);
		expect(mail.sender).toBeUndefined();
		expect(mail.replyTo).toBeUndefined();
		expect(mail.to).toEqual({ name: 'Anna Berg', address: 'anna.berg@example.com' });
		expect(mail.envelope).toEqual({ from: 'pbx@example.com', to: ['anna.berg@example.com'] });
		expect(mail.headers).toEqual({
			'Auto-Submitted': 'auto-generated',
			'X-Auto-Response-Suppress': 'OOF, AutoReply',
			'X-Missed-Call-Id': '1741093385.42',
		});
		expect(mail.notes).toEqual([]);
	});

	it('callerAsFrom: From is the caller, Sender the configured address, no Auto-Submitted so out-of-office replies reach the caller', async () => {
		const mail = await compose(missedCall(), { senderMode: 'callerAsFrom' });
		expect(mail.from).toEqual(CALLER);
		expect(mail.sender).toEqual(CONFIGURED);
		expect(mail.replyTo).toBeUndefined();
		expect(mail.envelope.from).toBe('pbx@example.com');
		expect(mail.headers).toEqual({ 'X-Missed-Call-Id': '1741093385.42' });
	});

	it('callerAsReplyTo: From stays configured, Reply-To is the caller', async () => {
		const mail = await compose(missedCall(), { senderMode: 'callerAsReplyTo' });
		expect(mail.from).toEqual(CONFIGURED);
		expect(mail.sender).toBeUndefined();
		expect(mail.replyTo).toEqual(CALLER);
		expect(mail.headers['Auto-Submitted']).toBe('auto-generated');
		expect(mail.headers['X-Auto-Response-Suppress']).toBe('OOF, AutoReply');
	});

	it("a recipient without a valid time zone: times in the workflow's zone, and a note", async () => {
		const notification = missedCall();
		notification.recipient.timeZone = '';
		const mail = await compose(notification, { defaultTimeZone: 'America/New_York' });
		expect(mail.text).toContain('Uhrzeit: 08:03 Uhr');
		expect(mail.notes).toEqual([
			"The recipient has no time zone; times are given in America/New_York, the workflow's time zone.",
		]);
		notification.recipient.timeZone = 'Mars/Olympus_Mons';
		expect((await compose(notification)).notes).toEqual([
			'The recipient\'s time zone "Mars/Olympus_Mons" is not valid; times are given in UTC.',
		]);
	});

	it('uses the caller-ID name when the contact has only an e-mail', async () => {
		const notification = missedCall();
		notification.contact = { email: 'info@example.org' };
		const mail = await compose(notification, { senderMode: 'callerAsFrom' });
		expect(mail.from).toEqual({ name: 'MUELLER JUERGEN', address: 'info@example.org' });
	});

	it.each(['callerAsFrom', 'callerAsReplyTo'] as const)('%s without a caller e-mail: the configured From, and a note', async (senderMode) => {
		const notification = missedCall();
		notification.contact = null;
		const mail = await compose(notification, { senderMode });
		expect(mail.from).toEqual(CONFIGURED);
		expect(mail.sender).toBeUndefined();
		expect(mail.replyTo).toBeUndefined();
		expect(mail.headers['Auto-Submitted']).toBe('auto-generated');
		expect(mail.notes).toEqual(['The caller has no e-mail address; the configured sender is used.']);
	});

	it.each([
		['a line break', 'j@example.com\r\nBcc: victim@example.com', 'j@example.com Bcc: victim@example.com'],
		['two addresses', 'a@example.com, b@example.com', 'a@example.com, b@example.com'],
		['a display name', '"Boss" <a@example.com>', '"Boss" <a@example.com>'],
		['no domain', 'jo@localhost', 'jo@localhost'],
		['a space', 'jo doe@example.com', 'jo doe@example.com'],
		['letters beyond ASCII before the @ (needs SMTPUTF8)', 'jürgen@example.com', 'jürgen@example.com'],
	])('refuses a caller e-mail with %s and says so', async (_, email, shown) => {
		const notification = missedCall();
		notification.contact = { name: 'Jo', email };
		for (const senderMode of ['callerAsFrom', 'callerAsReplyTo'] as const) {
			const mail = await compose(notification, { senderMode });
			expect(mail.from).toEqual(CONFIGURED);
			expect(mail.replyTo).toBeUndefined();
			expect(mail.notes).toEqual([`The caller's e-mail "${shown}" is not one valid address; the configured sender is used.`]);
		}
	});

	// Anyone can set a caller-ID name, and most clients show only the name of From.
	it.each([
		['a caller-ID name with an address in it', { email: 'someone@customer.example' }, 'IT Support <helpdesk@our-firm.example>', 'IT Support'],
		['a caller-ID name that is an address', { email: 'someone@customer.example' }, 'helpdesk@our-firm.example', ''],
		['a CRM name with an address in it', { name: 'Jo (jo@our-firm.example)', email: 'jo@customer.example' }, '', 'Jo'],
		['a caller-ID name with spaces around the "@"', { email: 'someone@customer.example' }, 'IT Support helpdesk @ our-firm.example', 'IT Support'],
		['a caller-ID name with a full-width "＠"', { email: 'someone@customer.example' }, 'IT Support <helpdesk＠our-firm.example>', 'IT Support'],
		['a caller-ID name with a small "﹫" and a full-width "．"', { email: 'someone@customer.example' }, 'helpdesk﹫our-firm．example', ''],
		['a caller-ID name that is a quoted address', { email: 'someone@customer.example' }, '"helpdesk@our-firm.example"', ''],
		['a CRM name with an address in spaced brackets', { name: 'Jo ( jo@our-firm.example ) Berg', email: 'jo@customer.example' }, '', 'Jo Berg'],
		['a caller-ID name with a small "﹒"', { email: 'someone@customer.example' }, 'IT Support helpdesk@our-firm﹒example', 'IT Support'],
		['a caller-ID name with an intranet address in angle brackets', { email: 'someone@customer.example' }, 'IT Support <helpdesk@intranet>', 'IT Support'],
		['a caller-ID name with doubled angle brackets', { email: 'someone@customer.example' }, '<<helpdesk@our-firm.example>>', ''],
		['a caller-ID name with a one dot leader "․"', { email: 'someone@customer.example' }, 'IT Support helpdesk@our-firm․example', 'IT Support'],
		['a caller-ID name with a zero-width space after the dot', { email: 'someone@customer.example' }, 'IT Support helpdesk@our-firm.\u200Bexample', 'IT Support'],
		['a caller-ID name with a quoted local part', { email: 'someone@customer.example' }, 'IT Support "helpdesk"@our-firm.example', 'IT Support'],
		['a caller-ID name with an address in guillemets', { email: 'someone@customer.example' }, 'Anna «anna@firma.example»', 'Anna'],
		['a caller-ID name that is a list of addresses', { email: 'someone@customer.example' }, 'a@x.example, b@x.example', ''],
		['a caller-ID name with a mailto: link', { email: 'someone@customer.example' }, 'IT Support mailto:helpdesk@our-firm.example?subject=Hallo&body=x', 'IT Support'],
		['a caller-ID name with an address before a colon', { email: 'someone@customer.example' }, 'helpdesk@our-firm.example: IT Support', 'IT Support'],
		['a caller-ID name whose department follows the address after a colon', { email: 'someone@customer.example' }, 'Jo Berg jo@firm.example:Vertrieb', 'Jo Berg :Vertrieb'],
		['a caller-ID name with an address and a port', { email: 'someone@customer.example' }, 'Hotline support@firm.example:25 Mo-Fr 8-18', 'Hotline Mo-Fr 8-18'],
		['a CRM name with a mailto: link in brackets', { name: 'Jo (mailto:jo@our-firm.example?subject=Hi) Berg', email: 'jo@customer.example' }, '', 'Jo Berg'],
		[
			'a caller-ID name whose address comes after 26 others, past the 200 characters of a line',
			{ email: 'someone@customer.example' },
			`${'a@b.cd '.repeat(26)}helpdesk@our-firm.example`,
			'',
		],
	])('leaves the address out of the display name of %s', async (_, contact, callerName, shown) => {
		const notification = missedCall();
		notification.contact = contact;
		notification.caller = { ...notification.caller, name: callerName };
		const mail = await compose(notification, { senderMode: 'callerAsFrom' });
		expect(mail.from).toEqual({ name: shown, address: contact.email });
	});

	it.each([
		['an "@" without a domain', 'Bau@Werk GmbH'],
		['an "@" in a hashtag-like name', 'Team @Support'],
		['an "@" before a time', 'Meeting @ 10.30 Uhr'],
	])('keeps a name with %s, which reads as no address', async (_, name) => {
		const notification = missedCall();
		notification.contact = { name, email: 'info@customer.example' };
		expect((await compose(notification, { senderMode: 'callerAsFrom' })).from).toEqual({ name, address: 'info@customer.example' });
	});

	it('writes a caller e-mail with an internationalised domain in its ASCII form (IDNA), as mail servers know it', async () => {
		const notification = missedCall();
		notification.contact = { name: 'Jo', email: 'info@bücher.example' };
		const mail = await compose(notification, { senderMode: 'callerAsReplyTo' });
		// The textbook example of IDNA (Wikipedia, "Punycode"): bücher → xn--bcher-kva.
		expect(mail.replyTo).toEqual({ name: 'Jo', address: 'info@xn--bcher-kva.example' });
		expect(mail.notes).toEqual([]);
	});

	it('refuses a sender mode the node does not offer, rather than falling into Reply-To', async () => {
		await expect(compose(missedCall(), { senderMode: 'callerAsSender' as never })).rejects.toThrow(
			'Sender Mode is "callerAsSender"; it must be one of configured, callerAsFrom, callerAsReplyTo',
		);
	});

	it('refuses an unusable configured sender and recipient', async () => {
		await expect(compose(missedCall(), { from: 'Missed calls' })).rejects.toThrow(ConfigurationError);
		await expect(compose(missedCall(), { from: 'pbx@example.com\r\nBcc: x@example.com' })).rejects.toThrow(
			'From: "pbx@example.com Bcc: x@example.com" is not a valid sender address; use "Name <address@example.com>" or "address@example.com"',
		);
		const notification = missedCall();
		notification.recipient.email = 'anna';
		await expect(compose(notification)).rejects.toThrow(NotificationError);
		await expect(compose(notification)).rejects.toThrow('Recipient "anna" has no valid e-mail address ("anna")');
	});

	it('refuses a link prefix that is not a telephony scheme, however it got there', async () => {
		await expect(compose(missedCall(), { linkPrefix: 'javascript:' })).rejects.toThrow(ConfigurationError);
	});

	it('keeps the call id header to printable characters', async () => {
		const notification = missedCall();
		notification.call.callId = 'abc 42\r\nBcc: victim@example.com';
		expect((await compose(notification)).headers['X-Missed-Call-Id']).toBe('abc42Bcc:victim@example.com');
	});

	it('attaches the vCard only when asked and when there is contact data', async () => {
		const withCard = await compose(missedCall(), { attachVCard: true });
		expect(withCard.attachments.map((a) => [a.filename, a.contentType])).toEqual([
			['Jürgen Müller-Lüdenscheidt.vcf', 'text/vcard; charset=utf-8'],
		]);
		expect((await compose(missedCall())).attachments).toEqual([]);
		const noContact = missedCall();
		noContact.contact = null;
		const mail = await compose(noContact, { attachVCard: true });
		expect(mail.attachments).toEqual([]);
		expect(mail.text).not.toContain('vCard');
	});
});

describe('mailbox parsing', () => {
	it.each([
		['"Missed calls" <pbx@example.com>', { name: 'Missed calls', address: 'pbx@example.com' }],
		['Missed calls <pbx@example.com>', { name: 'Missed calls', address: 'pbx@example.com' }],
		['"Calls \\"PBX\\"" <pbx@example.com>', { name: 'Calls "PBX"', address: 'pbx@example.com' }],
		['  pbx@example.com ', { name: '', address: 'pbx@example.com' }],
		['<pbx@example.com>', { name: '', address: 'pbx@example.com' }],
		['pbx@example', null],
		['a@example.com, b@example.com', null],
		['Name <pbx@example.com', null],
	])('%j → %j', (text, expected) => {
		expect(parseMailbox(text)).toEqual(expected);
	});

	it('quotes display names', () => {
		expect(formatAddress({ name: 'Müller, "Jürgen"', address: 'j@example.com' })).toBe('"Müller, \\"Jürgen\\"" <j@example.com>');
		expect(formatAddress({ name: '', address: 'j@example.com' })).toBe('j@example.com');
	});
});

describe('composeMail: MIME encoded-words in untrusted names', () => {
	it('a caller name written as an encoded-word is not decoded into a line break or a bidi override', async () => {
		const encoded = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
		const notification = missedCall();
		notification.caller.name = encoded('Evil\r\nBcc: victim@x.com');
		notification.contact = { name: encoded('Eve\u202Eevil'), email: 'eve@example.com' };
		const { parsed } = await sendAndParse(await compose(notification, { senderMode: 'callerAsFrom' }));
		expect(parsed.subject).not.toMatch(/[\r\n\u202E]/);
		expect(parsed.headers.has('bcc')).toBe(false);
		expect(addresses(parsed.from).map((from) => from.name)).not.toContainEqual(expect.stringMatching(/[\r\n\u202E]/));
	});
});

describe('composeMail: a hostile contact e-mail', () => {
	it('is not linked: no mailto: with a hidden Bcc or body', async () => {
		const notification = missedCall();
		notification.contact = { name: 'Eve', email: 'x@evil.com?bcc=victim@x.com&body=pay' };
		const mail = await compose(notification);
		expect(mail.html).not.toContain('mailto:');
		expect(mail.html).not.toContain('victim@x.com');
	});
});

/** What a real mail program makes of it: built by nodemailer, read back by mailparser. */
async function sendAndParse(mail: ComposedMail) {
	const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
	const info = await transport.sendMail(mail);
	const raw = info.message as Buffer;
	return { raw: raw.toString('utf8'), envelope: info.envelope, parsed: await simpleParser(raw) };
}

function addresses(value: AddressObject | AddressObject[] | undefined) {
	return (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map(({ name, address }) => ({ name, address })));
}

describe('end to end: composeMail → nodemailer → mailparser', () => {
	it('arrives with subject, both parts, sender headers and the vCard', async () => {
		const { parsed, envelope } = await sendAndParse(await compose(missedCall(), { senderMode: 'callerAsFrom', attachVCard: true }));
		expect(parsed.subject).toBe('Verpasster Anruf von Jürgen Müller-Lüdenscheidt');
		expect(addresses(parsed.from)).toEqual([CALLER]);
		expect(parsed.headers.get('sender')).toMatchObject({ value: [CONFIGURED] });
		expect(addresses(parsed.to)).toEqual([{ name: 'Anna Berg', address: 'anna.berg@example.com' }]);
		expect(parsed.replyTo).toBeUndefined();
		expect(envelope).toEqual({ from: 'pbx@example.com', to: ['anna.berg@example.com'] });
		expect(parsed.headers.get('x-missed-call-id')).toBe('1741093385.42');
		expect(parsed.headers.has('auto-submitted')).toBe(false);
		expect(parsed.text).toContain('Datum: Dienstag, 4. März 2025\nUhrzeit: 14:03 Uhr (MEZ)\n');
		expect(parsed.html).toContain('href="tel:+498923456789"');
		expect(parsed.attachments).toHaveLength(1);
		const [card] = parsed.attachments;
		expect(card.filename).toBe('Jürgen Müller-Lüdenscheidt.vcf');
		expect(card.contentType).toBe('text/vcard');
		const vcard = new VCard().parse(card.content.toString('utf8'));
		expect(vcard.get('fn')?.valueOf()).toBe('Jürgen Müller-Lüdenscheidt');
		expect(vcard.get('email')?.valueOf()).toBe('j.mueller@mueller-soehne.example');
	});

	it('arrives with Reply-To in callerAsReplyTo mode', async () => {
		const { parsed } = await sendAndParse(await compose(missedCall(), { senderMode: 'callerAsReplyTo' }));
		expect(addresses(parsed.from)).toEqual([CONFIGURED]);
		expect(addresses(parsed.replyTo)).toEqual([CALLER]);
		expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
		expect(parsed.headers.has('sender')).toBe(false);
	});

	it('lets no hostile caller data add or break a header', async () => {
		const notification = missedCall();
		const evil = 'Evil\r\nBcc: victim@example.com\r\n\r\n<script>alert(1)</script>\u202E';
		notification.caller.name = evil;
		notification.contact = { name: evil, company: evil, email: 'evil@example.com' };
		notification.call.callId = evil;
		const { parsed, raw } = await sendAndParse(await compose(notification, { senderMode: 'callerAsFrom', attachVCard: true }));
		expect(parsed.bcc).toBeUndefined();
		expect(raw).not.toMatch(/^Bcc:/im);
		expect(parsed.subject).toBe('Verpasster Anruf von Evil Bcc: victim@example.com <script>alert(1)</script>');
		// The address in the name is left out: clients show only the name.
		expect(addresses(parsed.from)).toEqual([{ name: 'Evil Bcc: <script>alert(1)</script>', address: 'evil@example.com' }]);
		expect(parsed.headers.get('x-missed-call-id')).toBe('EvilBcc:victim@example.com<script>alert(1)</script>');
		expect(parsed.html).not.toContain('<script');
		expect(parsed.attachments).toHaveLength(1);
	});
});
