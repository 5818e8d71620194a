/**
 * Issue 6, part 4: 50 hostile caller-ID and contact payloads through a real n8n, checked in the mails
 * as they arrived. Caller-ID names and numbers travel in the call events; contact data comes from a
 * Code node between trigger and filter (a lookup table keyed by the caller number, as a CRM lookup
 * would give it). The composer puts the caller in From (mode "caller as From"), so contact names and
 * e-mail addresses reach the headers too.
 *
 * Per payload, from docs/events.md: a value over the format's limits (caller.name > 512, a number
 * > 256 characters) is refused with 400 and mails nobody; everything else is one mail. In every mail:
 * no script, no event-handler attribute, no element the template does not make, links only tel:,
 * mailto:, http(s):, the envelope and the headers name exactly the one recipient, the subject has no
 * line break, at most 250 characters (templates/SCHEMA.md) and no bidi controls or control
 * characters, the vCard parses (vcf) and has at most one EMAIL, the telephony link has only `+`,
 * digits, `*`, `#`.
 */
import { randomUUID } from 'node:crypto';
import VCard from 'vcf';
import type { ReceivedMail } from '../../scripts/lib/smtpSink';
import { loadExampleWorkflow, variantOf, type WorkflowJson } from '../../scripts/lib/workflows';
import { startStack, waitFor, type Stack } from '../e2e/support';
import { SYSTEM_ENV, directoryJson, htmlElements, mailsSettled, runPool, telephonyLinkNumbers } from './support';

const RECIPIENT = 'hostile@example.com';
const CONFIGURED_FROM = 'pbx@example.com';

interface Payload {
	label: string;
	number: string;
	name?: string;
	contact?: Record<string, unknown>;
	/** 400 where docs/events.md refuses the event, else the call is mailed (200). */
	status: 200 | 400;
	/** Text that must reach the mail intact (non-ASCII names). */
	intact?: string;
}

const CRLF_BCC = 'x@evil.com\r\nBcc: victim@x.com';
const PAYLOADS: Payload[] = [
	{ label: 'script tag', number: '+49 30 9000001', name: '<script>alert(1)</script>', status: 200 },
	{ label: 'img onerror', number: '+49 30 9000002', name: '"><img src=x onerror=alert(1)>', status: 200 },
	{ label: 'event handler', number: '+49 30 9000003', name: '<b onmouseover="alert(1)">Hover</b>', status: 200 },
	{ label: 'title breakout', number: '+49 30 9000004', name: '</title><script>alert(document.cookie)</script>', status: 200 },
	{ label: 'javascript link in name', number: '+49 30 9000005', name: '<a href="javascript:alert(1)">click</a>', status: 200 },
	{ label: 'encoded-word right-to-left override', number: '+49 30 9000006', name: '=?utf-8?q?Invoice_=E2=80=AEgnp.exe?=', status: 200 },
	{ label: 'encoded-word CRLF in contact name (From)', number: '+49 30 9000007', contact: { name: '=?utf-8?q?Eve=0D=0ABcc:_victim@x.com?=', email: 'eve@example.org' }, status: 200 },
	{ label: 'pre-escaped', number: '+49 30 9000008', name: '&lt;script&gt;alert(1)&lt;/script&gt;', status: 200 },
	{ label: 'CDATA breakout', number: '+49 30 9000009', name: ']]><script>alert(1)</script><![CDATA[', status: 200 },
	{ label: 'XXE', number: '+49 30 9000010', name: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', status: 200 },
	{ label: 'n8n expression', number: '+49 30 9000011', name: '={{ $env.N8N_USER_FOLDER }} {{ 7*7 }}', status: 200 },
	{ label: 'CRLF Bcc in caller name', number: '+49 30 9000012', name: 'Evil\r\nBcc: victim@x.com', status: 200 },
	{ label: 'LF Subject in caller name', number: '+49 30 9000013', name: 'Evil\nSubject: injected\n\n<script>x</script>', status: 200 },
	{ label: 'encoded-word CRLF', number: '+49 30 9000014', name: '=?utf-8?q?Evil=0D=0ABcc:_victim@x.com?=', status: 200 },
	{ label: 'URL-encoded CRLF', number: '+49 30 9000015', name: 'Evil%0d%0aBcc:%20victim@x.com', status: 200 },
	{ label: 'Unicode line separators', number: '+49 30 9000016', name: 'Line\u2028Bcc: victim@x.com\u2029Sep\u0085Nel', status: 200 },
	{ label: 'tab, VT, FF', number: '+49 30 9000017', name: 'Tab\tVT\u000bFF\u000cEnd', status: 200 },
	{ label: 'NUL and controls', number: '+49 30 9000018', name: 'Nul\u0000Byte\u0007Bell\u001bEsc\u007fDel\u009bCsi', status: 200 },
	{ label: 'lone surrogate', number: '+49 30 9000019', name: 'Half \ud800 pair \udfff end', status: 200 },
	{ label: 'right-to-left override', number: '+49 30 9000020', name: 'Invoice \u202egnp.exe', status: 200 },
	{ label: 'bidi isolates', number: '+49 30 9000021', name: 'Bob\u2066\u202bevil\u202c\u2069 Smith', status: 200 },
	{ label: 'emoji', number: '+49 30 9000022', name: 'Anruf 📞😀 👨‍👩‍👧‍👦', status: 200, intact: 'Anruf 📞😀 👨‍👩‍👧‍👦' },
	{ label: 'mixed scripts', number: '+49 30 9000023', name: 'Ιωάννης Müller 山田 محمد Владимир', status: 200, intact: 'Ιωάννης Müller 山田 محمد Владимир' },
	{ label: 'name of 512 characters (the limit)', number: '+49 30 9000024', name: 'N'.repeat(512), status: 200 },
	{ label: 'name of 513 characters', number: '+49 30 9000025', name: 'N'.repeat(513), status: 400 },
	{ label: 'name of 10 kB', number: '+49 30 9000026', name: '<b>'.repeat(3400), status: 400 },
	{ label: 'number of 300 characters', number: `+49${'1'.repeat(297)}`, status: 400 },
	{ label: 'javascript: as number', number: 'javascript:alert(1)', status: 200 },
	{ label: 'attribute breakout in number', number: '+49 30 9000029" onmouseover="alert(1)', status: 200 },
	{ label: 'dial characters in number', number: '+49#30*9000030,,1;postd=1', status: 200 },
	{ label: 'no digits in number', number: '<script>alert(1)</script>', status: 200 },
	{ label: 'CRLF in number', number: '+49 30 9000032\r\nBcc: victim@x.com', status: 200 },
	{ label: 'contact e-mail with CRLF Bcc', number: '+49 30 9000033', contact: { name: 'Mallory', email: CRLF_BCC }, status: 200 },
	{ label: 'contact e-mail, two addresses', number: '+49 30 9000034', contact: { name: 'Mallory', email: 'x@evil.com, victim@x.com' }, status: 200 },
	{ label: 'contact e-mail with display name', number: '+49 30 9000035', contact: { name: 'Mallory', email: '"victim@x.com" <x@evil.com>' }, status: 200 },
	{ label: 'contact e-mail with LF Reply-To', number: '+49 30 9000036', contact: { name: 'Mallory', email: 'x@evil.com\nReply-To: victim@x.com' }, status: 200 },
	{ label: 'contact e-mail as mailto with Bcc', number: '+49 30 9000037', contact: { name: 'Mallory', email: 'x@evil.com?bcc=victim@x.com&body=pay' }, status: 200 },
	{ label: 'contact name with CRLF Bcc (From display name)', number: '+49 30 9000038', contact: { name: 'Eve\r\nBcc: victim@x.com', email: 'eve@example.org' }, status: 200 },
	{ label: 'contact name quoting an address', number: '+49 30 9000039', contact: { name: '"Quoted, Name" <admin@example.com>', email: 'eve@example.org' }, status: 200 },
	{ label: 'vCard property injection in name', number: '+49 30 9000040', contact: { name: 'Evil\r\nEMAIL:x@evil.com', email: 'real@example.org' }, status: 200 },
	{ label: 'vCard END/BEGIN in note', number: '+49 30 9000041', contact: { name: 'Nora', email: 'nora@example.org', note: 'hi\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Injected\r\nEMAIL:x@evil.com' }, status: 200 },
	{ label: 'vCard parameter injection in company', number: '+49 30 9000042', contact: { company: 'ACME;TYPE=WORK:EMAIL:x@evil.com\nEMAIL;TYPE=INTERNET:y@evil.com' }, status: 200 },
	{ label: 'javascript: contact URL', number: '+49 30 9000043', contact: { name: 'Uri', url: 'javascript:alert(1)' }, status: 200 },
	{ label: 'data: contact URL', number: '+49 30 9000044', contact: { name: 'Dana', url: 'data:text/html,<script>alert(1)</script>' }, status: 200 },
	{ label: 'javascript: contact phone', number: '+49 30 9000045', contact: { name: 'Phil', phone: 'javascript:alert(1)' }, status: 200 },
	{ label: 'tel: with attribute breakout in mobile', number: '+49 30 9000046', contact: { name: 'Mo', mobile: 'tel:+49170;ext=1"onclick="alert(1)' }, status: 200 },
	{ label: 'contact name of 10 kB', number: '+49 30 9000047', contact: { name: `${'Z'.repeat(10_000)}<script>`, email: 'long@example.org' }, status: 200 },
	{ label: 'contact with __proto__ key', number: '+49 30 9000048', contact: JSON.parse('{"__proto__": {"name": "Polluted", "email": "x@evil.com"}, "name": "Proto Tester"}'), status: 200 },
	{ label: 'contact fields all hostile', number: '+49 30 9000049', name: '<script>1</script>', contact: { firstName: '<img src=x onerror=alert(1)>', lastName: 'O\'Brien"; DROP', title: '\u202eCEO', street: 'Main St\r\nBcc: v@x.com', city: '<svg onload=1>', postalCode: 12345, country: 'DE\u0000' }, status: 200 },
	{ label: 'control characters in contact e-mail', number: '+49 30 9000050', contact: { name: 'Ctrl', email: 'ctrl\u0000@example.org' }, status: 200 },
];

/** The workflow with a Code node that adds the caller's contact from a fixed table. */
function withContactLookup(): WorkflowJson {
	const workflow = variantOf(loadExampleWorkflow(), 'HostileCallers01', {
		callEventTrigger: { path: 'hostile' },
		missedCallFilter: {
			directory: directoryJson([{ id: 'victim', email: RECIPIENT, lines: ['401'] }]),
			exceptions: { minRingSeconds: 2 },
		},
		xslMailComposer: { senderMode: 'callerAsFrom', attachVCard: true },
	});
	const table: Record<string, unknown> = {};
	for (const payload of PAYLOADS) if (payload.contact) table[payload.number.trim()] = payload.contact;
	// Parsed inside the node (not a JS object literal), so keys stay plain data; looked up as own keys.
	const jsCode = [
		`const contacts = JSON.parse(${JSON.stringify(JSON.stringify(table))});`,
		'return $input.all().map((item) => {',
		'\tconst number = item.json.caller ? item.json.caller.number : undefined;',
		'\tconst contact = Object.prototype.hasOwnProperty.call(contacts, number) ? contacts[number] : null;',
		'\treturn { json: { ...item.json, contact } };',
		'});',
	].join('\n');
	workflow.nodes.push({
		id: randomUUID(),
		name: 'Contact Lookup',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [130, 160],
		parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode },
	});
	workflow.connections = {
		...(workflow.connections as object),
		'Call Event Trigger': { main: [[{ node: 'Contact Lookup', type: 'main', index: 0 }]] },
		'Contact Lookup': { main: [[{ node: 'Missed Call Filter', type: 'main', index: 0 }]] },
	};
	return workflow;
}

const workflow = withContactLookup();
let stack: Stack;

beforeAll(async () => {
	stack = await startStack([workflow], { env: SYSTEM_ENV });
}, 240_000);

afterAll(async () => {
	await stack?.stop();
});

const callIdOf = (index: number) => `hostile-${String(index).padStart(2, '0')}`;

function missedCall(callId: string, payload: Payload): object[] {
	const start = Date.parse('2026-11-26T10:00:00+01:00');
	const caller = payload.name === undefined ? { number: payload.number } : { number: payload.number, name: payload.name };
	return [
		{ type: 'offered', callId, time: start, caller },
		{ type: 'ringing', callId, line: '401', time: start + 500 },
		{ type: 'ended', callId, time: start + 12_500 },
	];
}

/** The header lines of the raw message, unfolded. */
function headerLines(mail: ReceivedMail): string[] {
	const raw = mail.raw.toString('latin1');
	const end = raw.indexOf('\r\n\r\n');
	return raw.slice(0, end).replace(/\r\n[ \t]/g, ' ').split('\r\n');
}

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** What the default template makes (table layout, links); anything else came from a payload. */
const TEMPLATE_ELEMENTS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'table', 'tr', 'td', 'a', 'div', 'br', 'strong']);

/** Every problem found in one mail; empty when it is clean. */
function problemsOf(mail: ReceivedMail): string[] {
	const problems: string[] = [];
	const { parsed } = mail;
	const html = typeof parsed.html === 'string' ? parsed.html : '';
	const text = parsed.text ?? '';
	const subject = parsed.subject ?? '';

	// Envelope and headers: exactly the one recipient.
	if (JSON.stringify(mail.envelope) !== JSON.stringify({ from: CONFIGURED_FROM, to: [RECIPIENT] })) problems.push(`envelope ${JSON.stringify(mail.envelope)}`);
	const addresses = (field: 'to' | 'from' | 'cc' | 'bcc' | 'replyTo') => {
		const value = parsed[field];
		return (Array.isArray(value) ? value : value ? [value] : []).flatMap((entry) => entry.value);
	};
	if (JSON.stringify(addresses('to').map((a) => a.address)) !== JSON.stringify([RECIPIENT])) problems.push(`To ${JSON.stringify(addresses('to'))}`);
	if (addresses('cc').length || addresses('bcc').length) problems.push('Cc/Bcc present');
	if (addresses('from').length !== 1) problems.push(`From ${JSON.stringify(addresses('from'))}`);
	if (addresses('replyTo').length > 1) problems.push(`Reply-To ${JSON.stringify(addresses('replyTo'))}`);
	for (const { name } of [...addresses('from'), ...addresses('replyTo')]) if (/[\r\n]/.test(name)) problems.push(`line break in display name ${JSON.stringify(name)}`);
	const names = headerLines(mail).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
	for (const header of ['from', 'to', 'subject']) if (names.filter((name) => name === header).length !== 1) problems.push(`${header} header ×${names.filter((name) => name === header).length}`);
	for (const name of names) if (['bcc', 'cc', 'reply-to', 'x-injected'].includes(name)) problems.push(`header ${name}`);
	if (parsed.headers.has('bcc')) problems.push('parsed Bcc');

	// Subject.
	if (/[\r\n]/.test(subject)) problems.push(`line break in subject ${JSON.stringify(subject)}`);
	if (subject.length > 250) problems.push(`subject of ${subject.length} characters`);
	for (const [part, value] of [['subject', subject], ['text', text], ['html', html]]) {
		if (BIDI_CONTROLS.test(value)) problems.push(`bidi control in ${part}`);
		if (CONTROL_CHARS.test(value)) problems.push(`control character in ${part}`);
	}

	// The checks below look inside these parts: a mail without them must not pass by having none.
	if (!html) problems.push('no HTML part');
	if (!text) problems.push('no text part');

	// HTML as a mail client parses it.
	if (/<script/i.test(html)) problems.push('<script in the HTML source');
	for (const element of htmlElements(mail)) {
		if (!TEMPLATE_ELEMENTS.has(element.name)) problems.push(`element <${element.name}>`);
		for (const [attribute, value] of Object.entries(element.attribs)) {
			if (/^on/i.test(attribute)) problems.push(`attribute ${attribute} on <${element.name}>`);
			if (attribute === 'href' && !/^(tel:|mailto:|https?:)/i.test(value)) problems.push(`href ${JSON.stringify(value)}`);
			if (attribute === 'src') problems.push(`src ${JSON.stringify(value)}`);
			if (attribute === 'href' && /^mailto:/i.test(value) && /[?&](bcc|cc|to|body|subject)=/i.test(value)) problems.push(`mailto with header fields ${JSON.stringify(value)}`);
		}
	}
	for (const number of telephonyLinkNumbers(mail)) if (!/^\+?[0-9*#]+$/.test(number)) problems.push(`telephony link number ${JSON.stringify(number)}`);
	if (/root:.*:0:0:/.test(text + html)) problems.push('file contents in the mail');
	if (text.includes(stack.n8n.userFolder) || html.includes(stack.n8n.userFolder)) problems.push('n8n environment in the mail');

	// vCard: one card, at most one EMAIL, no property smuggled in.
	for (const attachment of parsed.attachments) {
		if (!/vcard/i.test(attachment.contentType)) {
			problems.push(`attachment ${attachment.contentType}`);
			continue;
		}
		const card = attachment.content.toString('utf8');
		if (card.match(/^BEGIN:VCARD/gm)?.length !== 1 || card.match(/^END:VCARD/gm)?.length !== 1) problems.push('not exactly one vCard');
		try {
			const parsedCard = new VCard().parse(card);
			const emails = parsedCard.get('email');
			const emailValues = (Array.isArray(emails) ? emails : emails ? [emails] : []).map((p) => p.valueOf());
			if (emailValues.length > 1) problems.push(`vCard EMAIL ×${emailValues.length}: ${emailValues.join(', ')}`);
			for (const value of emailValues) if (/evil|victim/.test(value)) problems.push(`vCard EMAIL ${value}`);
			const urls = parsedCard.get('url');
			for (const url of Array.isArray(urls) ? urls : urls ? [urls] : []) if (!/^https?:/i.test(url.valueOf())) problems.push(`vCard URL ${url.valueOf()}`);
			for (const property of Object.keys(parsedCard.data)) if (/injected/i.test(property)) problems.push(`vCard property ${property}`);
		} catch (error) {
			problems.push(`vCard does not parse: ${(error as Error).message}`);
		}
	}
	return problems;
}

test('50 hostile caller-ID and contact payloads: refused where the format says so, else one clean mail each', async () => {
	const statuses: Array<{ label: string; status: number; error?: string }> = new Array(PAYLOADS.length);
	await runPool(PAYLOADS, 4, async (payload, index) => {
		const response = await stack.post(workflow, missedCall(callIdOf(index), payload));
		const body = (await response.json()) as { error?: string };
		statuses[index] = { label: payload.label, status: response.status, ...(body.error ? { error: body.error } : {}) };
	});
	expect(statuses.map(({ label, status }) => ({ label, status }))).toEqual(PAYLOADS.map(({ label, status }) => ({ label, status })));
	// Refusals name the field.
	for (const [index, payload] of PAYLOADS.entries()) {
		if (payload.status === 400) expect(statuses[index].error).toMatch(payload.name ? /caller\.name is longer than 512/ : /caller\.number is longer than 256/);
	}

	const accepted = PAYLOADS.filter((payload) => payload.status === 200).length;
	await waitFor(() => stack.smtp.mails.length >= accepted, 60_000).catch(() => undefined);
	await mailsSettled(() => stack.smtp.mails.length, 2000);

	const report = PAYLOADS.map((payload, index) => {
		const id = callIdOf(index);
		const mails = stack.smtp.mails.filter((mail) => String(mail.parsed.headers.get('x-missed-call-id') ?? '').startsWith(id));
		const problems = mails.flatMap(problemsOf);
		if (payload.intact && !mails.every((mail) => mail.parsed.subject?.includes(payload.intact!))) problems.push(`"${payload.intact}" not intact in the subject`);
		// Contact data comes with a vCard, so the vCard checks in problemsOf ran for these payloads.
		const hasVCard = (mail: (typeof mails)[number]) => mail.parsed.attachments.some((a) => /vcard/i.test(a.contentType));
		if (payload.contact && !mails.every(hasVCard)) problems.push('no vCard although the caller has contact data');
		return { label: payload.label, mails: mails.length, problems };
	});
	expect(report).toEqual(PAYLOADS.map((payload) => ({ label: payload.label, mails: payload.status === 200 ? 1 : 0, problems: [] })));
	expect(stack.smtp.mails).toHaveLength(accepted);
	// The link checks ran on something: most payloads keep a callable number (the vCard checks: above).
	const withLink = stack.smtp.mails.filter((mail) => telephonyLinkNumbers(mail).length > 0).length;
	expect(withLink).toBeGreaterThan(accepted / 2);
});
