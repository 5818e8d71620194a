/**
 * Issue "Sending / compose only": the XSL Mail Composer in a real n8n 2.41.1. Missed calls are posted
 * to the production webhooks of several workflows (one n8n start for the file), the mails are taken
 * from a real SMTP server, parsed with mailparser and checked against the scenario and the language
 * files: parts, subject per language, telephony links, From/Sender/Reply-To, vCard, a template sent
 * along as a file. Compose only is chained to n8n's built-in Send Email node. Failures (a broken XSL template, an SMTP server that is
 * not there) are read from the saved executions through n8n's internal REST API.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressObject } from 'mailparser';
import VCard from 'vcf';
import { freePort, PROJECT_ROOT, sleep } from '../../scripts/lib/n8nHost';
import type { ReceivedMail } from '../../scripts/lib/smtpSink';
import {
	DEMO_SMTP_CREDENTIAL_ID,
	loadExampleWorkflow,
	loopbackSmtpCredential,
	variantOf,
	type WorkflowJson,
} from '../../scripts/lib/workflows';
import {
	itemIndexOf,
	outputOf,
	SavedExecutions,
	startStack,
	testCredential,
	waitFor,
	type OutputItem,
	type Stack,
} from './support';

// ---------------------------------------------------------------------------------------------
// The scenario
// ---------------------------------------------------------------------------------------------

const CONFIGURED_FROM = { name: 'Missed calls', address: 'pbx@example.com' };

interface LanguageFile {
	strings: Record<string, string>;
}
const language = (tag: string): LanguageFile =>
	JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'languages', `${tag}.json`), 'utf8'));
const de = language('de');
const en = language('en');

/** The subject a missed call gets in a language, straight from the language file. */
const missedSubject = (file: LanguageFile, caller: string) =>
	file.strings.subjectMissed.replace('{caller}', caller);

interface Caller {
	number: string;
	/** The caller-ID name the PBX sends. */
	name: string;
	/** The contact the Edit Fields node adds, as a CRM lookup would. */
	contact: Record<string, string>;
}

const JUERGEN: Caller = {
	number: '+49 30 1234567',
	name: 'MUELLER JUERGEN',
	contact: {
		name: 'Jürgen Müller',
		company: 'Müller & Söhne GmbH',
		email: 'j.mueller@mueller-soehne.example',
		phone: '+49 30 1234567',
	},
};
const ZOE: Caller = {
	number: '+44 20 7946 0018',
	name: 'ANGSTROM Z',
	contact: {
		name: 'Zoë Ångström',
		company: 'Fjord Ltd',
		email: 'zoe@fjord.example',
		phone: '+44 20 7946 0018',
	},
};
/** A known contact, but without an e-mail address. */
const GRETA: Caller = {
	number: '+49 40 7654321',
	name: 'GRETA',
	contact: { name: 'Greta Groß', company: 'Hafen KG', phone: '+49 40 7654321' },
};

/** What a phone dials: the number with only + and digits. */
const dial = (number: string) => number.replace(/[^+\d]/g, '');

/** Every call of the file, by call id (a call id is mailed once, so each test has its own). */
const CALLS: Record<string, Caller> = {
	'lang-de-1': JUERGEN,
	'lang-en-1': ZOE,
	'from-caller-1': JUERGEN,
	'from-nomail-1': GRETA,
	'replyto-1': JUERGEN,
	'callto-1': JUERGEN,
	'nolink-1': JUERGEN,
	'novcard-1': JUERGEN,
	'compose-1': JUERGEN,
	'xsl-1': JUERGEN,
	'action-1': JUERGEN,
	'xslcont-1': JUERGEN,
	'smtp-1': JUERGEN,
	'smtpcont-1': JUERGEN,
	'binxsl-1': JUERGEN,
	'retry-1': JUERGEN,
	'gone-1': JUERGEN,
	'sender-1': JUERGEN,
	'later-1': JUERGEN,
	'expr-1': JUERGEN,
	'two-1': JUERGEN,
	'crm-1': { ...JUERGEN, contact: {} },
	'cofail-1': JUERGEN,
	'cofail-2': JUERGEN,
};

/** A local time with an explicit offset (+01:00), `secondsAgo` before now. */
function timeAgo(secondsAgo: number): string {
	return new Date(Date.now() - secondsAgo * 1000 + 3_600_000).toISOString().replace('Z', '+01:00');
}

/** A call that rings each line for 20 s (each a second after the one before) and ends unanswered. */
function missedCall(callId: string, ...lines: string[]) {
	const caller = CALLS[callId];
	return [
		{
			type: 'offered',
			callId,
			time: timeAgo(60),
			direction: 'inbound',
			caller: { number: caller.number, name: caller.name },
			called: '+49 89 1234 200',
		},
		...lines.flatMap((line, index) => [
			{ type: 'ringing', callId, time: timeAgo(59 - index), line },
			{ type: 'stopped', callId, time: timeAgo(39 - index), line, reason: 'noAnswer' },
		]),
		{ type: 'ended', callId, time: timeAgo(38 - lines.length) },
	];
}

// ---------------------------------------------------------------------------------------------
// The workflows: Call Event Trigger → Edit Fields (contact) → Missed Call Filter → XSL Mail Composer
// ---------------------------------------------------------------------------------------------

const ANNA_LINE = '201';
const BEN_LINE = '202';
/** Each workflow has its own recipient domain, so a mail at the sink tells which workflow sent it. */
const anna = (tag: string) => `anna@${tag}.example.com`;
const ben = (tag: string) => `ben@${tag}.example.com`;

function directory(tag: string): string {
	return JSON.stringify([
		{ id: 'anna', name: 'Anna Berg', email: anna(tag), language: 'de', timeZone: 'Europe/Berlin', lines: [ANNA_LINE] },
		{ id: 'ben', name: 'Ben Kurz', email: ben(tag), language: 'en', timeZone: 'Europe/London', lines: [BEN_LINE] },
	]);
}

const CONTACT_NODE = 'Caller Contact';
const FILTER_NODE = 'Missed Call Filter';
const COMPOSER_NODE = 'XSL Mail Composer';
const SEND_EMAIL_NODE = 'Send Email';

/**
 * n8n's Edit Fields node adds `contact`, looked up by call id. The map is written with line breaks
 * so that no `}}` inside it ends the expression.
 */
function contactNode() {
	const contacts = Object.fromEntries(Object.entries(CALLS).map(([callId, caller]) => [callId, caller.contact]));
	return {
		id: 'c0a1b2c3-0000-4000-8000-000000000001',
		name: CONTACT_NODE,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [130, 0],
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{
						id: 'c0a1b2c3-0000-4000-8000-000000000002',
						name: 'contact',
						type: 'object',
						value: `={{ (${JSON.stringify(contacts, null, 1)})[$json.callId] ?? {} }}`,
					},
				],
			},
			includeOtherFields: true,
			options: {},
		},
	};
}

const SEND_EMAIL_CREDENTIAL = { id: 'SendEmailSink001', name: 'Send Email to the sink' };
const CLOSED_PORT_CREDENTIAL = { id: 'ClosedPortSmtp01', name: 'SMTP on a closed port' };
const closedPortCredential = () =>
	loopbackSmtpCredential(closedPort, { ...CLOSED_PORT_CREDENTIAL, type: 'missedCallSmtp' });

/** n8n's built-in Send Email node (2.1), fed field by field from the composer's compose-only item. */
function sendEmailNode() {
	return {
		id: 'c0a1b2c3-0000-4000-8000-000000000003',
		name: SEND_EMAIL_NODE,
		type: 'n8n-nodes-base.emailSend',
		typeVersion: 2.1,
		position: [780, -100],
		webhookId: 'c0a1b2c3-0000-4000-8000-000000000004',
		parameters: {
			resource: 'email',
			operation: 'send',
			fromEmail: '={{ $json.from }}',
			toEmail: '={{ $json.to }}',
			subject: '={{ $json.subject }}',
			emailFormat: 'both',
			text: '={{ $json.text }}',
			html: '={{ $json.html }}',
			options: {
				appendAttribution: false,
				// "Attachments (File)": regular attachments; "Attachments (Inline)" would embed them by cid.
				fileAttachments: '={{ $json.attachments }}',
			},
		},
		credentials: { smtp: SEND_EMAIL_CREDENTIAL },
	};
}

interface Variant {
	/** Composer parameters over the example workflow's. */
	composer?: Record<string, unknown>;
	/** Node-level settings of the composer, e.g. `onError`. */
	composerSettings?: Record<string, unknown>;
	composerCredential?: { id: string; name: string };
	/** Chain n8n's Send Email node after the composer. */
	sendEmail?: boolean;
	/** Filter parameters over the example workflow's (the directory stays the test's). */
	filter?: Record<string, unknown>;
}

/** The example workflow with a contact lookup, its own id, path, directory and composer settings. */
function workflow(tag: string, variant: Variant = {}): WorkflowJson {
	const id = `Composer${tag}`.padEnd(16, '0').slice(0, 16);
	const copy = variantOf(loadExampleWorkflow(), id, {
		callEventTrigger: { path: `composer-${tag}` },
		missedCallFilter: { ...variant.filter, directory: directory(tag) },
		xslMailComposer: variant.composer ?? {},
	});
	copy.name = `Composer e2e: ${tag}`;
	const composer = copy.nodes.find((node) => node.name === COMPOSER_NODE)!;
	Object.assign(composer, variant.composerSettings);
	if (variant.composerCredential) composer.credentials = { missedCallSmtp: variant.composerCredential };
	if (variant.composer?.action === 'compose') delete composer.credentials;

	copy.nodes.push(contactNode());
	const connections = copy.connections as Record<string, unknown>;
	const to = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	connections['Call Event Trigger'] = to(CONTACT_NODE);
	connections[CONTACT_NODE] = to(FILTER_NODE);
	if (variant.sendEmail) {
		copy.nodes.push(sendEmailNode());
		connections[COMPOSER_NODE] = to(SEND_EMAIL_NODE);
	}
	return copy;
}

/** Not well-formed: line 5 closes a <td> that was never opened (the <p> is still open). */
const BROKEN_XSL = [
	'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
	'\t<xsl:param name="format" select="\'html\'"/>',
	'\t<xsl:template match="/">',
	'\t\t<html><head><title>Missed call</title></head><body>',
	'\t\t<p><xsl:value-of select="/notification/caller/label"/></td>',
	'\t\t</body></html>',
	'\t</xsl:template>',
	'</xsl:stylesheet>',
].join('\n');
const BROKEN_LINE = 5;

const CONTINUE = { onError: 'continueRegularOutput' };
/**
 * n8n's Retry On Fail off: the example workflow retries the composer (5 tries, 5 s apart) when it
 * fails, and with "On Error: Continue" when its first item carries an error, which would hold the
 * outcome back 20 s. The retries have their own test below and in the system suite.
 */
const NO_RETRY = { retryOnFail: false };
const EXAMPLE_MAX_TRIES = loadExampleWorkflow().nodes.find((node) => node.name === COMPOSER_NODE)!.maxTries as number;

/** A template of its own, to be sent along as a file: both parts and the subject say where they came from. */
/** Saved as windows-1252, as a Windows editor does, and declared so. */
const BINARY_XSL = [
	'<?xml version="1.0" encoding="windows-1252"?>',
	'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
	'\t<xsl:param name="format" select="\'html\'"/>',
	'\t<xsl:template match="/">',
	'\t\t<xsl:choose>',
	'\t\t\t<xsl:when test="$format = \'text\'">Template from a file – „Grüße“: <xsl:value-of select="/notification/caller/label"/></xsl:when>',
	'\t\t\t<xsl:otherwise><html><head><title>File template: <xsl:value-of select="/notification/caller/label"/></title></head>',
	'\t\t\t<body><p>Template from a file – 5 €</p></body></html></xsl:otherwise>',
	'\t\t</xsl:choose>',
	'\t</xsl:template>',
	'</xsl:stylesheet>',
].join('\n');

/**
 * The template as binary input (SPEC §5): beside the notification, n8n's Edit Fields and Convert to
 * File make the template text a file, and n8n's Merge puts it onto the notification's item.
 */
function withTemplateFile(workflow: WorkflowJson): WorkflowJson {
	const node = (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>) => ({
		id: `b1a2c3d4-0000-4000-8000-${String(workflow.nodes.length).padStart(12, '0')}`,
		name,
		type: `n8n-nodes-base.${type}`,
		typeVersion,
		position: [600, 300],
		parameters,
	});
	workflow.nodes.push(
		node('Template Text', 'set', 3.4, {
			mode: 'manual',
			assignments: { assignments: [{ id: 'b1a2c3d4-0000-4000-8000-100000000001', name: 'xslText', type: 'string', value: BINARY_XSL }] },
			includeOtherFields: false,
			options: {},
		}),
	);
	workflow.nodes.push(
		node('Template File', 'convertToFile', 1.1, {
			operation: 'toText',
			sourceProperty: 'xslText',
			binaryPropertyName: 'xsl',
			options: { encoding: 'windows1252' },
		}),
	);
	workflow.nodes.push(node('Notification With Template', 'merge', 3.2, { mode: 'combine', combineBy: 'combineByPosition', options: {} }));
	const to = (name: string, index = 0) => [{ node: name, type: 'main', index }];
	const connections = workflow.connections as Record<string, { main: object[][] }>;
	connections[FILTER_NODE] = { main: [[...to('Notification With Template'), ...to('Template Text')]] };
	connections['Template Text'] = { main: [to('Template File')] };
	connections['Template File'] = { main: [to('Notification With Template', 1)] };
	connections['Notification With Template'] = { main: [to(COMPOSER_NODE)] };
	return workflow;
}

/** A second composer on the filter's Notify output beside the first, as a customer adds one to send a copy another way. */
const SECOND_COMPOSER_NODE = 'Second XSL Mail Composer';
function withSecondComposer(workflow: WorkflowJson): WorkflowJson {
	const first = workflow.nodes.find((node) => node.name === COMPOSER_NODE)!;
	const second = structuredClone(first);
	const [x, y] = first.position as [number, number];
	Object.assign(second, { id: 'b1a2c3d4-0000-4000-8000-200000000001', name: SECOND_COMPOSER_NODE, position: [x, y + 200] });
	second.parameters = { ...second.parameters, senderMode: 'callerAsReplyTo' };
	workflow.nodes.push(second);
	const connections = workflow.connections as Record<string, { main: object[][] }>;
	connections[FILTER_NODE].main[0].push({ node: SECOND_COMPOSER_NODE, type: 'main', index: 0 });
	return workflow;
}

/**
 * The contact lookup docs/filter.md describes ("Contact data"): a CRM node answers with its own row,
 * which replaces the item (an Edit Fields node stands in for it here, with n8n's paired items as a CRM
 * node has them), and an Edit Fields node in JSON mode puts the call record back from the trigger,
 * with the row as `contact`.
 */
function withCrmLookup(workflow: WorkflowJson): WorkflowJson {
	workflow.nodes = workflow.nodes.filter((node) => node.name !== CONTACT_NODE);
	const json = (name: string, jsonOutput: string, index: number) => ({
		id: `c0a1b2c3-0000-4000-8000-30000000000${index}`,
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [130 + index * 150, 0],
		parameters: { mode: 'raw', jsonOutput, includeOtherFields: false, options: {} },
	});
	const row = { Name: JUERGEN.contact.name, Company: JUERGEN.contact.company, Email: JUERGEN.contact.email };
	workflow.nodes.push(
		json('CRM Lookup', `={{ ${JSON.stringify(row)} }}`, 1),
		json('Contact', "={{ { ...$('Call Event Trigger').item.json, contact: { name: $json.Name, company: $json.Company, email: $json.Email } } }}", 2),
	);
	const to = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	delete (workflow.connections as Record<string, unknown>)[CONTACT_NODE];
	Object.assign(workflow.connections as Record<string, unknown>, {
		'Call Event Trigger': to('CRM Lookup'),
		'CRM Lookup': to('Contact'),
		Contact: to(FILTER_NODE),
	});
	return workflow;
}

const WF = {
	lang: workflow('lang'),
	callerAsFrom: workflow('from', { composer: { senderMode: 'callerAsFrom' } }),
	callerAsReplyTo: workflow('replyto', { composer: { senderMode: 'callerAsReplyTo' } }),
	callto: workflow('callto', { composer: { linkPrefix: 'callto' } }),
	linksOff: workflow('nolink', { composer: { linkPrefix: 'off' } }),
	// An expression gives n8n's switches text: "false" must switch the vCard off.
	vCardOffByExpression: workflow('novcard', { composer: { attachVCard: "={{ 'false' }}" } }),
	compose: workflow('compose', { composer: { action: 'compose' }, sendEmail: true }),
	brokenXsl: workflow('xsl', {
		composer: { templateSource: 'parameter', templateXsl: BROKEN_XSL },
		composerSettings: NO_RETRY,
	}),
	brokenXslContinue: workflow('xslcont', {
		composer: { templateSource: 'parameter', templateXsl: BROKEN_XSL },
		composerSettings: { ...CONTINUE, ...NO_RETRY },
	}),
	smtpDown: workflow('smtp', { composerCredential: CLOSED_PORT_CREDENTIAL, composerSettings: NO_RETRY }),
	retry: workflow('retry'),
	recipientGone: workflow('gone'),
	senderRefused: workflow('sender', { composerSettings: NO_RETRY }),
	// Ben's Language names no language file, so his mail cannot be composed.
	composeFailsAfterRefusal: workflow('later', {
		composer: { language: "={{ $json.recipient.id === 'ben' ? 'xx' : 'de' }}" },
		composerSettings: NO_RETRY,
	}),
	// Ben's Language reads a field his notification does not have: n8n's expression error.
	expressionFailsAfterRefusal: workflow('expr', {
		composer: { language: "={{ $json.recipient.id === 'ben' ? $json.recipient.unknownField.language : 'de' }}" },
		composerSettings: NO_RETRY,
	}),
	// Composing only, Ben's mail cannot be composed (no language file "xx"); the repeat rule is on.
	composeOnlyFails: workflow('cofail', {
		composer: { action: 'compose', language: "={{ $json.recipient.id === 'ben' ? 'xx' : 'de' }}" },
		composerSettings: NO_RETRY,
		sendEmail: true,
		filter: { exceptions: { minRingSeconds: 2, skipRepeatedSameDay: true } },
	}),
	twoComposers: withSecondComposer(workflow('two')),
	crmLookup: withCrmLookup(workflow('crm', { composer: { senderMode: 'callerAsReplyTo' } })),
	smtpDownContinue: workflow('smtpcont', {
		composerCredential: CLOSED_PORT_CREDENTIAL,
		composerSettings: { ...CONTINUE, ...NO_RETRY },
	}),
	// As a hand-edited or generated workflow file can have it (the editor offers only the two).
	actionTypo: workflow('action', { composer: { action: 'Send' }, composerSettings: NO_RETRY }),
	binaryXsl: withTemplateFile(
		workflow('binxsl', { composer: { templateSource: 'binary', templateBinaryProperty: 'xsl' } }),
	),
};

// ---------------------------------------------------------------------------------------------
// The stack, and reading what happened
// ---------------------------------------------------------------------------------------------

const owner = { email: 'admin@example.com', password: 'Test-Passw0rd', firstName: 'Ada', lastName: 'Admin' };
let stack: Stack;
let executions: SavedExecutions;
let closedPort: number;

beforeAll(async () => {
	closedPort = await freePort(); // nothing listens there
	stack = await startStack(Object.values(WF), {
		owner,
		env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all', EXECUTIONS_DATA_SAVE_ON_ERROR: 'all' },
		credentials: [closedPortCredential()],
		sinkCredentials: (port) => [loopbackSmtpCredential(port, { ...SEND_EMAIL_CREDENTIAL, type: 'smtp' })],
	});
	executions = await SavedExecutions.of(stack, owner);
}, 240_000);

afterAll(async () => {
	await stack?.stop();
});

async function post(workflow: WorkflowJson, events: unknown[]): Promise<void> {
	const response = await stack.post(workflow, events);
	expect(response.status).toBe(200);
}

/** The first mail to `address`, as it arrived at the SMTP server. */
async function mailTo(address: string): Promise<ReceivedMail> {
	await waitFor(() => stack.mailsTo(address).length > 0);
	return stack.mailsTo(address)[0];
}

// ---------------------------------------------------------------------------------------------
// Checks on a received mail
// ---------------------------------------------------------------------------------------------

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
	(Array.isArray(value) ? value : value ? [value] : []).flatMap((object) => object.value);

/** multipart/alternative with a text/plain and a text/html part (inside multipart/mixed with the vCard). */
function expectTextAndHtmlParts(mail: ReceivedMail): void {
	const raw = mail.raw.toString('utf8');
	expect(raw).toMatch(/^Content-Type: multipart\/alternative;/im);
	expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/im);
	expect(raw).toMatch(/^Content-Type: text\/html; charset=utf-8/im);
	expect(mail.parsed.text?.trim()).toBeTruthy();
	expect(mail.parsed.html).toMatch(/<html[\s>]/);
}

/**
 * The one vCard attached, parsed by the independent `vcf` package. n8n's Send Email node passes
 * only a file name and the content to nodemailer, which types a `.vcf` as the older `text/x-vcard`.
 */
function vCardOf(mail: ReceivedMail, contentTypes = ['text/vcard']): VCard {
	const cards = mail.parsed.attachments.filter((attachment) => contentTypes.includes(attachment.contentType));
	expect(cards).toHaveLength(1);
	expect(cards[0].contentDisposition).toBe('attachment');
	expect(cards[0].filename).toMatch(/\.vcf$/);
	return new VCard().parse(cards[0].content.toString('utf8'));
}

function expectVCardOf(mail: ReceivedMail, caller: Caller, contentTypes?: string[]): void {
	const card = vCardOf(mail, contentTypes);
	expect(card.get('fn')?.valueOf()).toBe(caller.contact.name);
	const [given, family] = caller.contact.name.split(' ');
	expect(card.get('n')?.valueOf()).toMatch(new RegExp(`^${family};${given}(;|$)`));
	expect(String(card.get('email')?.valueOf())).toBe(caller.contact.email);
	expect(String(card.get('org')?.valueOf()).replace(/\\;/g, ';')).toBe(caller.contact.company);
	expect(dial(String(card.get('tel')?.valueOf()))).toBe(dial(caller.contact.phone));
}

const TELEPHONY_HREF = /href="(?:tel|callto|phone):/;

// ---------------------------------------------------------------------------------------------
// Sending over SMTP with the package's own credential
// ---------------------------------------------------------------------------------------------

describe('send: one mail per notification, in the recipient\'s language', () => {
	let german: ReceivedMail;
	let english: ReceivedMail;

	beforeAll(async () => {
		// Both calls in one request: one execution, two notifications, two mails.
		await post(WF.lang, [...missedCall('lang-de-1', ANNA_LINE), ...missedCall('lang-en-1', BEN_LINE)]);
		german = await mailTo(anna('lang'));
		english = await mailTo(ben('lang'));
	});

	test('the German user gets the subject of de.json, the English user that of en.json', () => {
		expect(german.parsed.subject).toBe(missedSubject(de, 'Jürgen Müller'));
		expect(english.parsed.subject).toBe(missedSubject(en, 'Zoë Ångström'));
		expect(german.parsed.text).toContain(de.strings.introMissed.replace('{caller}', 'Jürgen Müller'));
		expect(english.parsed.text).toContain(en.strings.introMissed.replace('{caller}', 'Zoë Ångström'));
	});

	test('the two mails of the one execution went over one SMTP connection', () => {
		expect(german.connection).toBe(english.connection);
	});

	test('each mail has a text/plain and a text/html part', () => {
		expectTextAndHtmlParts(german);
		expectTextAndHtmlParts(english);
	});

	test('the HTML calls the caller back with a tel: link of + and digits only', () => {
		expect(german.parsed.html).toContain(`href="tel:${dial(JUERGEN.number)}"`);
		expect(english.parsed.html).toContain(`href="tel:${dial(ZOE.number)}"`);
	});

	test('From is the configured address, To the recipient', () => {
		for (const [mail, to] of [[german, anna('lang')], [english, ben('lang')]] as const) {
			expect(addresses(mail.parsed.from)).toEqual([CONFIGURED_FROM]);
			expect(addresses(mail.parsed.to).map((address) => address.address)).toEqual([to]);
			expect(mail.parsed.headers.has('sender')).toBe(false);
			expect(mail.parsed.replyTo).toBeUndefined();
		}
	});

	test('the caller\'s vCard is attached, non-ASCII names intact', () => {
		expectVCardOf(german, JUERGEN);
		expectVCardOf(english, ZOE);
	});

	test('the composer outputs the server\'s answer per mail, paired with its notification', async () => {
		const execution = await executions.only(WF.lang);
		expect(execution.status).toBe('success');
		const notifications = outputOf(execution, FILTER_NODE);
		const answers = outputOf(execution, COMPOSER_NODE);
		expect(answers).toHaveLength(2);
		for (const answer of answers) {
			const mail = answer.json.to === anna('lang') ? german : english;
			expect(answer.json).toMatchObject({
				messageId: mail.parsed.messageId,
				accepted: [mail.envelope.to[0]],
				rejected: [],
			});
			const notification = notifications[itemIndexOf(answer)!];
			expect((notification.json.recipient as { email: string }).email).toBe(answer.json.to);
		}
	});
});

describe('send: sender modes', () => {
	test('callerAsFrom: From is the caller, Sender the configured address', async () => {
		await post(WF.callerAsFrom, missedCall('from-caller-1', ANNA_LINE));
		const mail = await mailTo(anna('from'));
		expect(addresses(mail.parsed.from)).toEqual([{ name: JUERGEN.contact.name, address: JUERGEN.contact.email }]);
		expect(addresses(mail.parsed.headers.get('sender') as AddressObject)).toEqual([CONFIGURED_FROM]);
		// Bounces go to the project, not to the caller.
		expect(mail.envelope.from).toBe(CONFIGURED_FROM.address);
		// Out-of-office replies are meant to reach the caller: RFC 3834 responders skip auto-generated mail.
		expect(mail.parsed.headers.has('auto-submitted')).toBe(false);
		expect(mail.parsed.headers.has('x-auto-response-suppress')).toBe(false);
	});

	test('callerAsFrom, caller without e-mail: the configured From, no Sender', async () => {
		await post(WF.callerAsFrom, missedCall('from-nomail-1', BEN_LINE));
		const mail = await mailTo(ben('from'));
		// Sent by the configured address: no out-of-office reply should go back to it (RFC 3834, Exchange).
		expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
		expect(mail.parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
		expect(mail.parsed.subject).toBe(missedSubject(en, GRETA.contact.name));
		expect(addresses(mail.parsed.from)).toEqual([CONFIGURED_FROM]);
		expect(mail.parsed.headers.has('sender')).toBe(false);
	});

	test('callerAsReplyTo: From is the configured address, Reply-To the caller', async () => {
		await post(WF.callerAsReplyTo, missedCall('replyto-1', ANNA_LINE));
		const mail = await mailTo(anna('replyto'));
		expect(addresses(mail.parsed.from)).toEqual([CONFIGURED_FROM]);
		expect(addresses(mail.parsed.replyTo)).toEqual([{ name: JUERGEN.contact.name, address: JUERGEN.contact.email }]);
		expect(mail.parsed.headers.has('sender')).toBe(false);
	});
});

describe('send: telephony links', () => {
	test('callto: the number is a callto: link, no tel: link', async () => {
		await post(WF.callto, missedCall('callto-1', ANNA_LINE));
		const { parsed } = await mailTo(anna('callto'));
		expect(parsed.html).toContain(`href="callto:${dial(JUERGEN.number)}"`);
		expect(parsed.html).not.toContain('href="tel:');
	});

	test('off: the number is plain text, no link of any telephony scheme', async () => {
		await post(WF.linksOff, missedCall('nolink-1', ANNA_LINE));
		const { parsed } = await mailTo(anna('nolink'));
		expect(parsed.html).not.toMatch(TELEPHONY_HREF);
		// Shown in the national form of the PBX's country (docs/filter.md), just not linked.
		expect(parsed.html).toContain('030 1234567');
		expect(parsed.text).toContain('030 1234567');
	});
});

describe('send: a switch set by an expression', () => {
	test('Attach Caller vCard given "false" by an expression: no vCard', async () => {
		await post(WF.vCardOffByExpression, missedCall('novcard-1', ANNA_LINE));
		const { parsed } = await mailTo(anna('novcard'));
		expect(parsed.subject).toBe(missedSubject(de, 'Jürgen Müller'));
		expect(parsed.attachments.map((attachment) => attachment.contentType)).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------
// Compose only → n8n's Send Email node
// ---------------------------------------------------------------------------------------------

describe('compose only, sent by n8n\'s built-in Send Email node', () => {
	let mail: ReceivedMail;

	beforeAll(async () => {
		await post(WF.compose, missedCall('compose-1', ANNA_LINE));
		mail = await mailTo(anna('compose'));
	});

	test('the mail has the composer\'s subject, both parts and the tel: link', () => {
		expect(mail.parsed.subject).toBe(missedSubject(de, 'Jürgen Müller'));
		expectTextAndHtmlParts(mail);
		expect(mail.parsed.text).toContain(de.strings.introMissed.replace('{caller}', 'Jürgen Müller'));
		expect(mail.parsed.html).toContain(`href="tel:${dial(JUERGEN.number)}"`);
		// Send Email was told not to add its own attribution: the body is the composer's alone.
		expect(mail.parsed.html).not.toContain('sent automatically with');
	});

	test('From and To are the composer\'s, the vCard went along as a file attachment', () => {
		expect(addresses(mail.parsed.from)).toEqual([CONFIGURED_FROM]);
		expect(addresses(mail.parsed.to)).toEqual([{ name: 'Anna Berg', address: anna('compose') }]);
		expectVCardOf(mail, JUERGEN, ['text/vcard', 'text/x-vcard']);
	});

	test('the composer sent nothing itself and outputs the mail as fields plus binary', async () => {
		const execution = await executions.only(WF.compose);
		expect(execution.status).toBe('success');
		// The execution is over: the one mail is Send Email's, the composer sent none of its own.
		expect(stack.mailsTo(anna('compose'))).toHaveLength(1);
		const [item, ...more] = outputOf(execution, COMPOSER_NODE) as Array<OutputItem & { binary?: Record<string, { mimeType: string }> }>;
		expect(more).toHaveLength(0);
		expect(itemIndexOf(item)).toBe(0);
		expect(Object.keys(item.json)).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'html', 'text', 'headers', 'attachments']));
		const names = String(item.json.attachments).split(',');
		expect(names).toHaveLength(1);
		expect(item.binary?.[names[0]].mimeType).toMatch(/^text\/vcard/);
	});

	/**
	 * Ben's mail cannot be composed, so the run fails and Send Email never gets Anna's either. The
	 * filter had remembered Anna's for "Repeated Call the Same Day": a mail that left no node must not
	 * count, or the caller's next call that day would not reach her at all.
	 */
	test('a run that fails counts none of its mails for the repeat rules: the next call the same day is mailed', async () => {
		await post(WF.composeOnlyFails, missedCall('cofail-1', ANNA_LINE, BEN_LINE));
		const failed = await executions.only(WF.composeOnlyFails, 30_000);
		expect(failed.status).toBe('error');
		expect(failed.data.resultData.error?.message).toMatch(/Language file "xx\.json" not found/);
		expect(outputOf(failed, FILTER_NODE).map((item) => (item.json.recipient as { id: string }).id)).toEqual(['anna', 'ben']);

		await post(WF.composeOnlyFails, missedCall('cofail-2', ANNA_LINE));
		const mail = await mailTo(anna('cofail'));
		expect(mail.parsed.subject).toBe(missedSubject(de, 'Jürgen Müller'));
		let finished = await executions.finished(WF.composeOnlyFails);
		for (const deadline = Date.now() + 20_000; finished.length < 2 && Date.now() < deadline; ) {
			await sleep(100);
			finished = await executions.finished(WF.composeOnlyFails);
		}
		expect(finished).toHaveLength(2);
		const second = finished.find((execution) => execution.id !== failed.id)!;
		const suppressed = outputOf(await executions.withRunData(second.id), FILTER_NODE, 2);
		expect(suppressed.map((item) => item.json.reason)).not.toContain('repeatedSameDay');
		expect(stack.mailsTo(ben('cofail'))).toHaveLength(0);
	});
});

// ---------------------------------------------------------------------------------------------
// Failures: a broken template, an SMTP server that is not there
// ---------------------------------------------------------------------------------------------

describe('a custom XSL template that is not well-formed', () => {
	test('fails the execution with a message naming the line; nothing is sent', async () => {
		await post(WF.brokenXsl, missedCall('xsl-1', ANNA_LINE));
		const execution = await executions.only(WF.brokenXsl);
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.lastNodeExecuted).toBe(COMPOSER_NODE);
		expect(execution.data.resultData.error?.message).toMatch(new RegExp(`\\bline ${BROKEN_LINE}\\b`));
		expect(stack.mailsTo(anna('xsl'))).toHaveLength(0);
	});

	test('with "On Error: Continue" the items carry the error instead, paired with their notification', async () => {
		await post(WF.brokenXslContinue, missedCall('xslcont-1', ANNA_LINE));
		const execution = await executions.only(WF.brokenXslContinue);
		expect(stack.mailsTo(anna('xslcont'))).toHaveLength(0);
		const items = outputOf(execution, COMPOSER_NODE);
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({ error: expect.stringMatching(new RegExp(`\\bline ${BROKEN_LINE}\\b`)) });
		expect(itemIndexOf(items[0])).toBe(0);
		expect(execution.status).toBe('success');
	});
});

describe('an Action that is neither Send nor Compose Only', () => {
	test('fails the execution naming it, rather than quietly composing without sending', async () => {
		await post(WF.actionTypo, missedCall('action-1', ANNA_LINE));
		const execution = await executions.only(WF.actionTypo);
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.lastNodeExecuted).toBe(COMPOSER_NODE);
		expect(execution.data.resultData.error?.message).toBe('Action is "Send"; it must be one of compose, send');
		expect(stack.mailsTo(anna('action'))).toHaveLength(0);
	});
});

describe('contact data from a CRM lookup', () => {
	test('the recipe in docs/filter.md: the call record from the trigger, the CRM row as contact', async () => {
		await post(WF.crmLookup, missedCall('crm-1', ANNA_LINE));
		const mail = await mailTo(anna('crm'));
		expect(mail.parsed.subject).toBe(`Verpasster Anruf von ${JUERGEN.contact.name}`);
		expect(addresses(mail.parsed.replyTo)).toEqual([{ name: JUERGEN.contact.name, address: JUERGEN.contact.email }]);
		expect(mail.parsed.text).toContain(`Firma: ${JUERGEN.contact.company}`);
	});
});

describe('a custom XSL template from binary input', () => {
	test('renders the mail from the file on the item, read in the character set it declares', async () => {
		await post(WF.binaryXsl, missedCall('binxsl-1', ANNA_LINE));
		const mail = await mailTo(anna('binxsl'));
		expect(mail.parsed.subject).toBe(`File template: ${JUERGEN.contact.name}`);
		expect(mail.parsed.text?.trim()).toBe(`Template from a file – „Grüße“: ${JUERGEN.contact.name}`);
		expect(mail.parsed.html).toContain('<p>Template from a file – 5 €</p>');
	});
});

describe('the SMTP server cannot be reached', () => {
	test('fails the execution with a NodeApiError naming the recipient', async () => {
		await post(WF.smtpDown, missedCall('smtp-1', ANNA_LINE));
		const execution = await executions.only(WF.smtpDown);
		expect(execution.status).toBe('error');
		const { error, lastNodeExecuted } = execution.data.resultData;
		expect(lastNodeExecuted).toBe(COMPOSER_NODE);
		expect(error?.name).toBe('NodeApiError');
		// What n8n shows of the error: its message and description.
		const shown = `${error?.message}\n${error?.description ?? ''}`;
		expect(shown).toMatch(/ECONNREFUSED/);
		expect(shown).toContain(anna('smtp'));
		expect(stack.mailsTo(anna('smtp'))).toHaveLength(0);
	});

	test('with "On Error: Continue" the item carries the error, paired with its notification', async () => {
		await post(WF.smtpDownContinue, missedCall('smtpcont-1', ANNA_LINE));
		const execution = await executions.only(WF.smtpDownContinue);
		expect(execution.status).toBe('success');
		const items = outputOf(execution, COMPOSER_NODE);
		expect(items).toHaveLength(1);
		// In the credential's words, with nodemailer's text, and whose mail it was.
		expect(items[0].json.error).toBe(
			`Could not connect to 127.0.0.1:${closedPort} (connection refused). Check Host, Port and SSL/TLS (465) or STARTTLS (587/25). ` +
				`Details: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
		);
		expect(items[0].json.to).toBe(anna('smtpcont'));
		expect(itemIndexOf(items[0])).toBe(0);
	});
});

describe("the SMTP credential's Test in the editor", () => {
	test('the SMTP server answers: OK; nothing listening: an error naming the address', async () => {
		const { cookie } = executions;
		const reachable = loopbackSmtpCredential(stack.smtp.port, {
			id: DEMO_SMTP_CREDENTIAL_ID,
			name: 'Demo SMTP sink',
			type: 'missedCallSmtp',
		});
		// The sink wants no login, and the credential has no user: the Test says it did not log in.
		expect(await testCredential(stack, cookie, reachable)).toEqual({ status: 'OK', message: 'Connected; no login tried, as User is empty' });
		expect(await testCredential(stack, cookie, closedPortCredential())).toEqual({
			status: 'Error',
			message: expect.stringContaining(`127.0.0.1:${closedPort}`),
		});
	});
});

describe("the example workflow's Retry On Fail", () => {
	/** What keeps a retry from sending a mail twice must not stop another composer of the same run. */
	test('two composers in one execution each send their own mail', async () => {
		await post(WF.twoComposers, missedCall('two-1', ANNA_LINE));
		const execution = await executions.only(WF.twoComposers);
		expect(execution.status).toBe('success');
		const mails = stack.mailsTo(anna('two'));
		// One from each: the first composer's without Reply-To, the second's with the caller as Reply-To.
		expect(mails.map((mail) => addresses(mail.parsed.replyTo).map((address) => address.address))).toEqual(
			expect.arrayContaining([[], [JUERGEN.contact.email]]),
		);
		expect(mails).toHaveLength(2);
		for (const node of [COMPOSER_NODE, SECOND_COMPOSER_NODE]) {
			expect(outputOf(execution, node).map((item) => item.json.to)).toEqual([anna('two')]);
		}
	});

	/**
	 * Anna's mail goes out, Ben's is refused once (451, as a busy or greylisting server answers), so
	 * the composer fails and n8n runs it again 5 s later with both items. Ben's mail is sent then;
	 * Anna's, sent on the first try, is not sent a second time.
	 */
	test('a mail refused for a moment is sent on the retry, and the one already sent is not sent twice', async () => {
		stack.smtp.refuseRecipient(ben('retry'), 1);
		await post(WF.retry, missedCall('retry-1', ANNA_LINE, BEN_LINE));
		const execution = await executions.only(WF.retry, 30_000);
		expect(stack.smtp.refused).toEqual([ben('retry')]);
		expect(execution.status).toBe('success');
		expect(stack.mailsTo(anna('retry'))).toHaveLength(1);
		expect(stack.mailsTo(ben('retry'))).toHaveLength(1);
		const items = outputOf(execution, COMPOSER_NODE);
		expect(items.map((item) => [item.json.to, itemIndexOf(item)])).toEqual([
			[anna('retry'), 0],
			[ben('retry'), 1],
		]);
	});

	/**
	 * Anna has left: her mailbox is refused for good (550). Each try still sends the mails after hers
	 * (Ben's once: the retries do not send it again), and the execution fails naming her.
	 */
	test('a recipient refused for good does not keep the other mails back; the execution fails naming it', async () => {
		stack.smtp.refuseRecipient(anna('gone'), 100, 'unknown');
		await post(WF.recipientGone, missedCall('gone-1', ANNA_LINE, BEN_LINE));
		const execution = await executions.only(WF.recipientGone, 60_000);
		expect(execution.status).toBe('error');
		expect(stack.mailsTo(ben('gone'))).toHaveLength(1);
		expect(stack.mailsTo(anna('gone'))).toHaveLength(0);
		// The example workflow's Retry On Fail tried every time: a 5xx is retried like any failure.
		expect(stack.smtp.refused.filter((address) => address === anna('gone'))).toHaveLength(EXAMPLE_MAX_TRIES);
		const { error } = execution.data.resultData;
		expect(error?.message).toBe(`Sending the missed-call mail to ${anna('gone')} failed`);
		expect(error?.description).toMatch(
			new RegExp(`^${anna('gone')}: 127\\.0\\.0\\.1:\\d+ refused the recipient for good \\(550\\)\\. Check the user's e-mail address in the directory\\. Details: .*550 User unknown`),
		);
	});

	/**
	 * Anna's mailbox is refused for good, then Ben's mail cannot be composed: the compose error ends the
	 * execution, and says that Anna's mail was not sent either.
	 */
	test('a mail that cannot be composed after a refused recipient: the error names both', async () => {
		stack.smtp.refuseRecipient(anna('later'), 1, 'unknown');
		await post(WF.composeFailsAfterRefusal, missedCall('later-1', ANNA_LINE, BEN_LINE));
		const execution = await executions.only(WF.composeFailsAfterRefusal, 30_000);
		expect(execution.status).toBe('error');
		expect(stack.smtp.refused).toContain(anna('later'));
		expect(stack.mailsTo(ben('later'))).toHaveLength(0);
		const { error } = execution.data.resultData;
		expect(error?.message).toMatch(/Language file "xx\.json" not found/);
		expect(error?.description).toMatch(
			new RegExp(`^Not sent before it either: Sending the missed-call mail to ${anna('later')} failed\\.\n${anna('later')}: 127\\.0\\.0\\.1:\\d+ refused the recipient for good \\(550\\)`),
		);
	});

	test("the same after n8n's own expression error, which keeps its message", async () => {
		stack.smtp.refuseRecipient(anna('expr'), 1, 'unknown');
		await post(WF.expressionFailsAfterRefusal, missedCall('expr-1', ANNA_LINE, BEN_LINE));
		const execution = await executions.only(WF.expressionFailsAfterRefusal, 30_000);
		expect(execution.status).toBe('error');
		const { error } = execution.data.resultData;
		expect(error?.message).toMatch(/unknownField|undefined/);
		expect(error?.description).toMatch(new RegExp(`Not sent before it either: Sending the missed-call mail to ${anna('expr')} failed\\.\n`));
	});

	/**
	 * Postfix refuses our From at RCPT TO (`553 5.7.1 … Sender address rejected`), as it would for every
	 * mail: sending stops at the first, instead of trying each recipient and blaming their addresses.
	 */
	test('a refused sender address stops sending at the first mail and says to check From', async () => {
		stack.smtp.refuseRecipient(anna('sender'), 1, 'senderNotOwned');
		stack.smtp.refuseRecipient(ben('sender'), 1, 'senderNotOwned');
		await post(WF.senderRefused, missedCall('sender-1', ANNA_LINE, BEN_LINE));
		const execution = await executions.only(WF.senderRefused, 30_000);
		expect(execution.status).toBe('error');
		const refused = stack.smtp.refused.filter((address) => [anna('sender'), ben('sender')].includes(address));
		expect(refused).toHaveLength(1);
		expect(stack.mailsTo(anna('sender')).length + stack.mailsTo(ben('sender')).length).toBe(0);
		const { error } = execution.data.resultData;
		expect(error?.message).toBe(`Sending the missed-call mail to ${refused[0]} failed`);
		expect(error?.description).toMatch(
			/: 127\.0\.0\.1:\d+ refused the sender address for good \(553 5\.7\.1\)\. Check From: the server may take only its account's own address\. Details: .*Sender address rejected/,
		);
	});
});
