/**
 * Issue "Call Event Trigger" in a real n8n: every source ends in the expected mails (generic JSON,
 * sipgate form POSTs, Asterisk AMI through a replay server), webhook authentication refuses wrong
 * secrets, and bad input is answered 4xx without disturbing a call in progress.
 *
 * The AMI captures are real Asterisk traffic from the public repository sweeney/asterisk-mqtt
 * (testdata/fixtures, commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT), read in place from
 * ../shared/fixtures/ami.
 */
import { readFileSync } from 'node:fs';
import type { Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import path from 'node:path';
import { PACKAGE_NAME, PROJECT_ROOT, sleep } from '../../scripts/lib/n8nHost';
import { loadExampleWorkflow, variantOf, type WorkflowJson } from '../../scripts/lib/workflows';
import { queueCallCapture } from '../support/amiQueueCapture';
import { startAmiReplayServer, type AmiReplayServer } from '../support/amiReplayServer';
import { callsAcrossPublishing } from '../unit/ami/amiEvents';
import { outputOf, SavedExecutions, startStack, testCredential, waitFor, type Stack } from './support';

const example = loadExampleWorkflow();
const AMI_CAPTURES = path.resolve(PROJECT_ROOT, '../shared/fixtures/ami');
const HEADER_SECRET = 'pbx-shared-secret-0123456789';

function directory(users: Array<{ id: string; email: string; lines: string[] }>): string {
	return JSON.stringify(users.map((user) => ({ ...user, name: user.id, language: 'en' })));
}

function withTrigger(
	id: string,
	trigger: Record<string, unknown>,
	users: Parameters<typeof directory>[0],
	filter: Record<string, unknown> = {},
): WorkflowJson {
	return variantOf(example, id, {
		callEventTrigger: trigger,
		missedCallFilter: { directory: directory(users), ...filter },
	});
}

const generic = withTrigger('TriggerGeneric01', { path: 'generic' }, [
	{ id: 'gina', email: 'gina@example.com', lines: ['301'] },
]);
const headerAuth = withTrigger(
	'TriggerHeader001',
	{ path: 'header-auth', authentication: 'headerAuth' },
	[{ id: 'hans', email: 'hans@example.com', lines: ['302'] }],
);
headerAuth.nodes[0].credentials = { callEventHeaderAuth: { id: 'HeaderSecret0001', name: 'PBX header' } };
const basicAuth = withTrigger(
	'TriggerBasic0001',
	{ path: 'basic-auth', authentication: 'basicAuth' },
	[{ id: 'bea', email: 'bea@example.com', lines: ['303'] }],
);
basicAuth.nodes[0].credentials = { callEventBasicAuth: { id: 'BasicAuthPbx0001', name: 'PBX basic' } };
const sipgate = withTrigger('TriggerSipgate01', { path: 'sipgate', source: 'sipgate' }, [
	{ id: 'sina', email: 'sina@example.com', lines: ['w0'] },
	{ id: 'sven', email: 'sven@example.com', lines: ['w1'] },
	{ id: 'vera', email: 'vera@example.com', lines: ['w7'] },
]);
// sipgate.io authenticates only by user and password in the URL it posts to.
const sipgateBasic = withTrigger('TriggerSipgateB1', { path: 'sipgate-basic', source: 'sipgate', authentication: 'basicAuth' }, [
	{ id: 'sabine', email: 'sabine@example.com', lines: ['w5'] },
]);
sipgateBasic.nodes[0].credentials = { callEventBasicAuth: { id: 'BasicAuthPbx0001', name: 'PBX basic' } };

const silence = withTrigger('TriggerSilence01', { path: 'silence', options: { silenceMinutes: 1 } }, [
	{ id: 'stella', email: 'stella@example.com', lines: ['304'] },
]);

/** The same two users with and without a reorder window; every ring counts (no minimum ringing time). */
const reorderUsers = (tag: string) => [
	{ id: 'rita', email: `rita@${tag}.example.com`, lines: ['311'] },
	{ id: 'rolf', email: `rolf@${tag}.example.com`, lines: ['312'] },
];
const withReorderWindow = withTrigger(
	'TriggerReorder01',
	{ path: 'reorder', options: { reorderWindowMs: 2000 } },
	reorderUsers('window'),
	{ exceptions: { minRingSeconds: 0 } },
);
const withoutReorderWindow = withTrigger('TriggerNoReord01', { path: 'no-reorder' }, reorderUsers('nowindow'), {
	exceptions: { minRingSeconds: 0 },
});

/** Published with a Silence Timeout of 1 minute; the test saves 4 and publishes again while a call rings. */
const republished = withTrigger('TriggerRepub0001', { path: 'republish', options: { silenceMinutes: 1 } }, [
	{ id: 'rosa', email: 'rosa@example.com', lines: ['316'] },
]);

/** Options an expression set outside their bounds: imported, not published; the test publishes it. */
const badOptions = withTrigger(
	'TriggerBadOpts01',
	{ path: 'bad-options', options: { silenceMinutes: "={{ 'thirty' }}" } },
	[{ id: 'bruno', email: 'bruno@example.com', lines: ['313'] }],
);
/** A header secret too short to protect the webhook: imported, not published. */
const HEADER = 'X-Call-Event-Secret';
const SHORT_SECRET = 'short-secret';
const shortSecret = withTrigger('TriggerShortSec1', { path: 'short-secret', authentication: 'headerAuth' }, [
	{ id: 'sybille', email: 'sybille@example.com', lines: ['314'] },
]);
shortSecret.nodes[0].credentials = { callEventHeaderAuth: { id: 'ShortSecret00001', name: 'PBX short' } };
const owner = { email: 'admin@example.com', password: 'Test-Passw0rd', firstName: 'Ada', lastName: 'Admin' };

/** The example workflow with the Asterisk AMI Trigger in place of the webhook trigger. */
function amiWorkflow(
	id: string,
	credentialId: string,
	users: Parameters<typeof directory>[0],
	filter: Record<string, unknown> = {},
): WorkflowJson {
	// The captures carry no AMI timestamps: events get the time of receipt, milliseconds apart.
	const workflow = withTrigger(id, {}, users, { exceptions: { minRingSeconds: 0 }, ...filter });
	const trigger = workflow.nodes[0];
	trigger.type = `${PACKAGE_NAME}.asteriskAmiTrigger`;
	trigger.parameters = { options: {} };
	delete trigger.webhookId;
	trigger.credentials = { asteriskAmi: { id: credentialId, name: `AMI ${id}` } };
	return workflow;
}
// Ring group 666 rings PJSIP endpoints 11, 12, 21, 41, 42 and 51 (see the capture's README).
const amiHuntGroup = amiWorkflow('TriggerAmiHunt01', 'AmiHuntGroup0001', [
	{ id: 'elf', email: 'elf@example.com', lines: ['11'] },
	{ id: 'zwoelf', email: 'zwoelf@example.com', lines: ['12'] },
	{ id: 'einundzwanzig', email: 'einundzwanzig@example.com', lines: ['21'] },
]);
const amiAnswered = amiWorkflow('TriggerAmiAnsw01', 'AmiAnswered00001', [
	{ id: 'answerer', email: 'answerer@example.com', lines: ['21', '1986'] },
]);

// A queue (plain Asterisk, members PJSIP/201–203) rings its members for 40 minutes before 201 answers.
const amiQueue = amiWorkflow(
	'TriggerAmiQueue1',
	'AmiQueue00000001',
	[
		{ id: 'anna', email: 'anna.queue@example.com', lines: ['201'] },
		{ id: 'ben', email: 'ben.queue@example.com', lines: ['202'] },
		{ id: 'cleo', email: 'cleo.queue@example.com', lines: ['203'] },
	],
	{ alsoWhenAnsweredByThirdParty: true },
);

/**
 * Published with no options; the test saves a Silence Timeout of 45 and publishes again while call B
 * of `callsAcrossPublishing` rings 203. Of the lines of call A, 202 is a user's too: a late event of
 * A starting a call anew would mail her.
 */
const amiRepublished = amiWorkflow('TriggerAmiRepub1', 'AmiRepublish0001', [
	{ id: 'dora', email: 'dora.republish@example.com', lines: ['203'] },
	{ id: 'gerd', email: 'gerd.republish@example.com', lines: ['202'] },
]);
// Two minutes ago on the PBX's clock (timestampevents = yes), which n8n believes (docs/asterisk.md, Time).
const acrossPublishing = callsAcrossPublishing(Math.floor(Date.now() / 1000) - 120);

let stack: Stack;
let executions: SavedExecutions;
let huntGroupServer: AmiReplayServer;
let answeredServer: AmiReplayServer;
let queueServer: AmiReplayServer;
let republishServer: AmiReplayServer;

const mailsTo = (address: string) => stack.mailsTo(address);

beforeAll(async () => {
	const ami = { username: 'n8n', secret: 'ami-secret' };
	huntGroupServer = await startAmiReplayServer({
		...ami,
		capture: readFileSync(path.join(AMI_CAPTURES, 'unanswered-huntgroup.raw')),
		split: { seed: 7, maxChunk: 200 },
	});
	answeredServer = await startAmiReplayServer({
		...ami,
		capture: readFileSync(path.join(AMI_CAPTURES, 'answered-internal.raw')),
	});
	queueServer = await startAmiReplayServer({
		...ami,
		capture: queueCallCapture({
			start: 1770888600,
			callerNumber: '+4930555',
			members: ['201', '202', '203'],
			rounds: 120,
			ringSeconds: 15,
			pauseSeconds: 5,
			answeredBy: '201',
		}),
	});
	// The first connection gets the calls up to the publishing, then falls silent until n8n closes it.
	republishServer = await startAmiReplayServer({
		...ami,
		capture: Buffer.concat([acrossPublishing.beforePublishing, acrossPublishing.afterPublishing('NOANSWER')]),
		holdAfterBytes: acrossPublishing.beforePublishing.length,
	});
	const amiCredential = (id: string, port: number) => ({
		id,
		name: `AMI ${id}`,
		type: 'asteriskAmi',
		data: { host: '127.0.0.1', port, username: ami.username, secret: ami.secret, tls: false },
	});
	stack = await startStack(
		[generic, headerAuth, basicAuth, sipgate, sipgateBasic, amiHuntGroup, amiAnswered, amiQueue, amiRepublished, silence, withReorderWindow, withoutReorderWindow, republished],
		{
			drafts: [badOptions, shortSecret],
			env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all' },
			owner,
			credentials: [
				{
					id: 'HeaderSecret0001',
					name: 'PBX header',
					type: 'callEventHeaderAuth',
					data: { name: 'X-Call-Event-Secret', value: HEADER_SECRET },
				},
				{
					id: 'ShortSecret00001',
					name: 'PBX short',
					type: 'callEventHeaderAuth',
					data: { name: HEADER, value: SHORT_SECRET },
				},
				{
					id: 'BasicAuthPbx0001',
					name: 'PBX basic',
					type: 'callEventBasicAuth',
					data: { user: 'pbx', password: 'pbx-password-42' },
				},
				amiCredential('AmiHuntGroup0001', huntGroupServer.port),
				amiCredential('AmiAnswered00001', answeredServer.port),
				amiCredential('AmiQueue00000001', queueServer.port),
				amiCredential('AmiRepublish0001', republishServer.port),
			],
		},
	);
	executions = await SavedExecutions.of(stack, owner);
	await postSilentCall();
}, 240_000);

afterAll(async () => {
	await stack?.stop();
	await huntGroupServer?.close();
	await answeredServer?.close();
	await queueServer?.close();
	await republishServer?.close();
});

/**
 * A call whose end never comes, posted before the other tests so that its one minute of silence
 * passes while they run; the last test checks its mail.
 */
let silentCallPostedAt = 0;
async function postSilentCall(): Promise<void> {
	silentCallPostedAt = Date.now();
	const at = (seconds: number) => new Date(silentCallPostedAt + seconds * 1000).toISOString();
	const response = await stack.post(silence, [
		{ type: 'offered', callId: 'silent-1', time: at(-2), caller: { number: '+49 30 7654321', name: 'Caller' } },
		{ type: 'ringing', callId: 'silent-1', line: '304', time: at(-1) },
	]);
	expect(response.status).toBe(202);
}

/** The events of one missed call on `line`, rung for 15 seconds. */
function missedCall(callId: string, line: string, number = '+49 30 1234567'): object[] {
	return [
		{ type: 'offered', callId, time: '2026-11-26T10:00:00+01:00', caller: { number, name: 'Caller' } },
		{ type: 'ringing', callId, line, time: '2026-11-26T10:00:01+01:00' },
		{ type: 'ended', callId, time: '2026-11-26T10:00:16+01:00' },
	];
}

describe('generic JSON source', () => {
	test('bad input is answered 4xx naming the problem, and a call in progress still resolves', async () => {
		const [offered, ringing, ended] = missedCall('in-progress-1', '301');
		expect((await stack.post(generic, [offered, ringing])).status).toBe(202);

		const cases: Array<{ body: string; contentType?: string; status: number; says: RegExp }> = [
			{ body: '{"type": "offered",', status: 422, says: /parse/i },
			{ body: JSON.stringify({ type: 'ringin', callId: 'x' }), status: 400, says: /unknown type "ringin"/ },
			{ body: JSON.stringify({ type: 'ringing', line: '301' }), status: 400, says: /callId/ },
			{
				body: JSON.stringify({ type: 'ended', callId: 'x', time: 'yesterday' }),
				status: 400,
				says: /time "yesterday"/,
			},
			{ body: JSON.stringify([offered]), contentType: 'text/plain', status: 415, says: /Content-Type/ },
			{ body: JSON.stringify({ type: 'offered', callId: 'x', pad: 'x'.repeat(1_100_000) }), status: 413, says: /exceeds/ },
			{
				body: JSON.stringify({ type: 'offered', callId: 'x', caller: nested(200) }),
				status: 400,
				says: /caller/,
			},
			{ body: JSON.stringify(Array.from({ length: 1001 }, () => ringing)), status: 413, says: /events/ },
		];
		for (const { body, contentType, status, says } of cases) {
			const response = await stack.post(generic, body, contentType ? { 'content-type': contentType } : {});
			expect({ status: response.status, message: await messageOf(response) }).toEqual({
				status,
				message: expect.stringMatching(says),
			});
		}

		expect((await stack.post(generic, [ended])).status).toBe(200);
		await waitFor(() => mailsTo('gina@example.com').length > 0);
		await sleep(500);
		expect(mailsTo('gina@example.com')).toHaveLength(1);
	});
});

describe('webhook authentication', () => {
	/**
	 * Each refused request carries a call of its own, so one let in by mistake would be a mail and an
	 * execution of its own; the accepted call's execution is the only one.
	 */
	async function onlyTheAcceptedCallRan(workflow: WorkflowJson, address: string): Promise<void> {
		await waitFor(() => mailsTo(address).length >= 1);
		await waitFor(async () => (await executions.finishedCount(workflow)) >= 1);
		expect(await executions.finishedCount(workflow)).toBe(1);
		expect(mailsTo(address)).toHaveLength(1);
	}

	test('a header secret: missing → 401, wrong → 403, right → the call is mailed', async () => {
		expect((await stack.post(headerAuth, missedCall('header-missing', '302'))).status).toBe(401);
		const wrong = { 'x-call-event-secret': `${HEADER_SECRET}x` };
		expect((await stack.post(headerAuth, missedCall('header-wrong', '302'), wrong)).status).toBe(403);
		const right = { 'x-call-event-secret': HEADER_SECRET };
		expect((await stack.post(headerAuth, missedCall('header-1', '302'), right)).status).toBe(200);
		await onlyTheAcceptedCallRan(headerAuth, 'hans@example.com');
	});

	test('basic auth: missing → 401, wrong → 403, right → the call is mailed', async () => {
		const basic = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
		expect((await stack.post(basicAuth, missedCall('basic-missing', '303'))).status).toBe(401);
		expect((await stack.post(basicAuth, missedCall('basic-wrong', '303'), basic('pbx:wrong'))).status).toBe(403);
		expect((await stack.post(basicAuth, missedCall('basic-1', '303'), basic('pbx:pbx-password-42'))).status).toBe(200);
		await onlyTheAcceptedCallRan(basicAuth, 'bea@example.com');
	});
});

describe('sipgate.io form POSTs', () => {
	/**
	 * Posts as sipgate.io does: a form, with the user and password of the URL as Basic
	 * authentication (fetch takes no credentials in a URL).
	 */
	const push = (url: string, fields: Array<[string, string]>) => {
		const target = new URL(url);
		const credentials = target.username ? `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` : null;
		target.username = '';
		target.password = '';
		return fetch(target, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				...(credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {}),
			},
			body: new URLSearchParams(fields).toString(),
		});
	};
	const postForm = (fields: Array<[string, string]>) => push(stack.n8n.webhookUrl('sipgate'), fields);

	/** The URLs the answer to a newCall names for the call's answer and hangup (sipgate's XML response). */
	async function subscribedUrls(newCall: Response): Promise<{ onAnswer: string; onHangup: string }> {
		expect(newCall.status).toBe(200);
		expect(newCall.headers.get('content-type')).toMatch(/^application\/xml/);
		const [response] = parseDocument(await newCall.text(), { xmlMode: true }).children.filter(
			(node): node is Element => node.type === 'tag',
		);
		expect(response.name).toBe('Response');
		return { onAnswer: response.attribs.onAnswer, onHangup: response.attribs.onHangup };
	}

	test('a group call that the caller cancels is mailed to each user it rang', async () => {
		const call: Array<[string, string]> = [
			['callId', 'SIPGATE-E2E-1'],
			['direction', 'in'],
			['from', '4930987654'],
			['to', '4989123400'],
		];
		const newCall = await postForm([
			['event', 'newCall'],
			...call,
			['user[]', 'Sina'],
			['user[]', 'Sven'],
			['userId[]', 'w0'],
			['userId[]', 'w1'],
		]);
		// sipgate.io pushes the hangup only to the URL this answer names.
		const { onAnswer, onHangup } = await subscribedUrls(newCall);
		expect([onAnswer, onHangup]).toEqual([stack.n8n.webhookUrl('sipgate'), stack.n8n.webhookUrl('sipgate')]);
		await sleep(2200); // sipgate sends no times: ringing must last past the 2 s minimum
		const hangup = await push(onHangup, [['event', 'hangup'], ['cause', 'cancel'], ...call]);
		expect(hangup.status).toBe(200);
		await waitFor(() => mailsTo('sina@example.com').length === 1 && mailsTo('sven@example.com').length === 1);
		expect(mailsTo('sina@example.com')[0].parsed.text).toContain('30 987654');
	});

	// The trace in sipgate/sipgate.io issue #134: the phone rings, then sipgate forwards the call to
	// the voicemail box as a new call (user "voicemail") and reports the box's answer; the forwarded
	// call's answer and hangup carry no origCallId here (documented for newCall only).
	test('a call that rings, then goes to the voicemail box, is mailed as missed', async () => {
		const call = [['direction', 'in'], ['from', '4930987656'], ['to', '4989123407']] as Array<[string, string]>;
		const first = await subscribedUrls(
			await postForm([['event', 'newCall'], ['callId', 'VM-A'], ['origCallId', 'VM-A'], ...call, ['user[]', 'Vera'], ['userId[]', 'w7']]),
		);
		await sleep(2200);
		expect((await push(first.onHangup, [['event', 'hangup'], ['cause', 'forwarded'], ['callId', 'VM-A'], ['origCallId', 'VM-A'], ...call])).status).toBe(202);
		const box = await subscribedUrls(
			await postForm([['event', 'newCall'], ['callId', 'VM-B'], ['origCallId', 'VM-A'], ...call, ['user[]', 'voicemail']]),
		);
		expect((await push(box.onAnswer, [['event', 'answer'], ['callId', 'VM-B'], ...call, ['user', 'voicemail']])).status).toBe(202);
		expect((await push(box.onHangup, [['event', 'hangup'], ['cause', 'normalClearing'], ['callId', 'VM-B'], ...call])).status).toBe(200);
		await waitFor(() => mailsTo('vera@example.com').length === 1);
		expect(mailsTo('vera@example.com')[0].parsed.subject).toContain('30 987656');
	});

	test('with Basic Auth the answer names URLs that carry it, and the answer posted there resolves the call', async () => {
		const production = new URL(stack.n8n.webhookUrl('sipgate-basic'));
		const call: Array<[string, string]> = [['callId', 'SIPGATE-E2E-2'], ['direction', 'in'], ['from', '4930987655'], ['to', '4989123405']];
		expect((await push(production.href, [['event', 'newCall'], ...call, ['userId[]', 'w5']])).status).toBe(401);
		production.username = 'pbx';
		production.password = 'pbx-password-42';
		const { onAnswer, onHangup } = await subscribedUrls(await push(production.href, [['event', 'newCall'], ...call, ['userId[]', 'w5']]));
		expect([onAnswer, onHangup]).toEqual([production.href, production.href]);
		expect((await push(onAnswer, [['event', 'answer'], ...call, ['userId', 'w5'], ['user', 'Sabine']])).status).toBe(200);
		expect((await push(onHangup, [['event', 'hangup'], ['cause', 'normalClearing'], ...call])).status).toBe(202);
		const execution = await executions.only(sipgateBasic, 30_000);
		expect(outputOf(execution, 'Call Event Trigger').map((record) => record.json)).toEqual([
			expect.objectContaining({ callId: 'SIPGATE-E2E-2', outcome: 'answered', answeredBy: expect.objectContaining({ line: 'w5' }) }),
		]);
		expect(mailsTo('sabine@example.com')).toHaveLength(0);
	});

	test('a form POST with an unknown hang-up cause is refused naming it', async () => {
		const response = await postForm([['event', 'hangup'], ['cause', 'hungUp'], ['callId', 'X']]);
		expect(response.status).toBe(400);
		expect(await messageOf(response)).toContain('unknown cause "hungUp"');
	});
});

describe('Asterisk AMI through a replay server', () => {
	test('the hunt-group capture is one missed call: each directory user it rang gets one mail', async () => {
		await waitFor(() => mailsTo('einundzwanzig@example.com').length > 0, 30_000);
		await sleep(500);
		for (const address of ['elf@example.com', 'zwoelf@example.com', 'einundzwanzig@example.com']) {
			expect(mailsTo(address)).toHaveLength(1);
		}
		// Extension 1986 ("Martin") called.
		expect(mailsTo('elf@example.com')[0].parsed.subject).toContain('Martin');
		expect(huntGroupServer.connections[0].logins).toEqual([expect.objectContaining({ accepted: true })]);
	});

	test('the answered capture is one answered call: the filter suppresses it as answered, nobody is mailed', async () => {
		const execution = await executions.only(amiAnswered, 30_000);
		const records = outputOf(execution, 'Call Event Trigger');
		expect(records.map((record) => record.json)).toEqual([expect.objectContaining({ kind: 'call', outcome: 'answered' })]);
		expect(outputOf(execution, 'Missed Call Filter', 0)).toHaveLength(0);
		expect(outputOf(execution, 'Missed Call Filter', 2).map((item) => item.json)).toContainEqual(
			expect.objectContaining({ reason: 'answered', user: expect.objectContaining({ id: 'answerer' }) }),
		);
		expect(mailsTo('answerer@example.com')).toHaveLength(0);
	});
});

describe('Asterisk AMI: a long queue wait', () => {
	test('40 minutes of rounds, then 201 answers: one answered call; the colleagues hear who answered, nobody of a missed call', async () => {
		const execution = await executions.only(amiQueue, 30_000);
		const records = outputOf(execution, 'Call Event Trigger').map((item) => item.json);
		expect(records).toEqual([
			expect.objectContaining({ kind: 'call', outcome: 'answered', incomplete: false, answeredBy: expect.objectContaining({ line: '201' }) }),
		]);
		await waitFor(() => mailsTo('ben.queue@example.com').length > 0 && mailsTo('cleo.queue@example.com').length > 0, 30_000);
		for (const address of ['ben.queue@example.com', 'cleo.queue@example.com']) {
			expect(mailsTo(address).map((mail) => mail.parsed.subject)).toEqual(['Call from Queue Caller answered by anna']);
		}
		expect(mailsTo('anna.queue@example.com')).toHaveLength(0);
	});
});

/** Our refusals answer `{ error }`; n8n's own (unparsable JSON) answer `{ message }`. */
async function messageOf(response: Response): Promise<string> {
	const body = (await response.json()) as { error?: string; message?: string };
	return body.error ?? body.message ?? '';
}

function nested(depth: number): object {
	let value: object = { number: '1' };
	for (let i = 0; i < depth; i++) value = { inner: value };
	return value;
}

describe("the Asterisk AMI credential's Test in the editor", () => {
	test('an accepted login: OK; a wrong secret: the PBX\'s reason; one connection each, no retry', async () => {
		const ami = { username: 'n8n', secret: 'ami-secret' };
		const pbx = await startAmiReplayServer({ ...ami, capture: Buffer.alloc(0) });
		try {
			const { cookie } = executions;
			const credential = (secret: string) => ({
				id: 'AmiAnswered00001',
				name: 'AMI AmiAnswered00001',
				type: 'asteriskAmi',
				data: { host: '127.0.0.1', port: pbx.port, username: ami.username, secret, tls: false },
			});
			const address = `127.0.0.1:${pbx.port}`;
			expect(await testCredential(stack, cookie, credential(ami.secret))).toEqual({
				status: 'OK',
				message: `Logged in to Asterisk AMI at ${address} (Asterisk Call Manager/5.0.1)`,
			});
			expect(await testCredential(stack, cookie, credential('wrong'))).toEqual({
				status: 'Error',
				message: expect.stringContaining(`Asterisk AMI at ${address} refused the login as "n8n": Authentication failed.`),
			});
			await sleep(1500);
			expect(pbx.connections.map((connection) => connection.logins.map((login) => login.accepted))).toEqual([
				[true],
				[false],
			]);
		} finally {
			await pbx.close();
		}
	});
});

/** The editor's Publish button for a draft workflow, and the publication status n8n then shows. */
async function publish(workflow: WorkflowJson): Promise<{ status: string; triggers: Array<{ status: string; errorMessage: string | null }> }> {
	const { cookie } = executions;
	const rest = (route: string, body?: unknown) =>
		fetch(`${stack.n8n.baseUrl}/rest/workflows/${workflow.id}${route}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	const { versionId } = ((await (await rest('')).json()) as { data: { versionId: string } }).data;
	// n8n 2.x activates in the background; the editor reads the publication status.
	expect((await rest('/activate', { versionId })).status).toBe(200);
	let publication: Awaited<ReturnType<typeof publish>>;
	await waitFor(async () => {
		publication = ((await (await rest('/publication-status')).json()) as { data: typeof publication }).data;
		return publication.status !== 'in_progress' && publication.status !== 'not_published';
	});
	return publication!;
}

/** The editor's Save: a new version of the workflow with the trigger's options replaced by `options`. */
async function saveWithTriggerOptions(workflow: WorkflowJson, options: Record<string, unknown>): Promise<void> {
	const { cookie } = executions;
	const route = `${stack.n8n.baseUrl}/rest/workflows/${workflow.id}`;
	const saved = ((await (await fetch(route, { headers: { cookie } })).json()) as { data: WorkflowJson & { versionId: string } }).data;
	saved.nodes[0].parameters = { ...saved.nodes[0].parameters, options };
	const update = await fetch(route, {
		method: 'PATCH',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ name: saved.name, nodes: saved.nodes, connections: saved.connections, settings: saved.settings, versionId: saved.versionId }),
	});
	expect(update.status).toBe(200);
}

describe('options or a credential that cannot work', () => {
	test.each([
		{
			what: 'an option an expression set out of bounds',
			workflow: badOptions,
			headers: {} as Record<string, string>,
			line: '313',
			recipient: 'bruno@example.com',
			published: 'Options → Silence Timeout (Minutes) is "thirty"; it must be a number of minutes, 1 or more',
			// 500, so that a PBX sends its events again once the option is mended.
			answered: 'The trigger\'s options cannot work: Options → Silence Timeout (Minutes) is "thirty"; it must be a number of minutes, 1 or more',
		},
		{
			what: 'a header secret shorter than 16 characters (even the right secret is refused)',
			workflow: shortSecret,
			headers: { [HEADER]: SHORT_SECRET },
			line: '314',
			recipient: 'sybille@example.com',
			published: 'the Secret has 12 characters; at least 16 are needed',
			// The caller learns that the credential is at fault, not how (its length stays in n8n).
			answered: "The trigger's credential cannot protect this webhook; n8n's log says why",
			// Only the administrator uses the test URL: its answer names the problem.
			answeredOnTestUrl:
				"The trigger's credential cannot protect this webhook: the Secret has 12 characters; at least 16 are needed, so that it cannot be guessed",
		},
	])('$what: publishing fails naming it; production and test URL answer 500', async (row) => {
		const publication = await publish(row.workflow);
		expect(publication.status).toBe('failed');
		expect(publication.triggers).toEqual([
			expect.objectContaining({ status: 'failed', errorMessage: expect.stringContaining(row.published) }),
		]);
		// n8n keeps the failed trigger's webhook: our webhook refuses its requests, and nothing runs.
		const { cookie } = executions;
		const answers = [
			{ answer: await stack.post(row.workflow, missedCall(`${row.workflow.id}-1`, row.line), row.headers), error: row.answered },
			{
				answer: await stack.postToTestUrl(row.workflow, cookie, missedCall(`${row.workflow.id}-2`, row.line), row.headers),
				error: row.answeredOnTestUrl ?? row.answered,
			},
		];
		for (const { answer, error } of answers) {
			expect(answer.status).toBe(500);
			expect(await answer.json()).toEqual({ error });
		}
		await sleep(1500);
		expect(mailsTo(row.recipient)).toHaveLength(0);
	});
});

describe('reorder window', () => {
	/**
	 * Rolf's phone starts ringing 0.3 s before the caller hangs up, but that event reaches n8n after
	 * the end, in a request of its own. With a window of 2 s the call is held and Rolf's ringing
	 * counts; without one the call resolved at the end and the late ringing is ignored.
	 */
	test("an event overtaken by the call's end still counts within the window", async () => {
		const start = Date.now() - 21_000;
		const at = (seconds: number) => start + seconds * 1000;
		const events = (callId: string) => ({
			early: [
				{ type: 'offered', callId, time: at(0), caller: { number: '+49 30 5550111', name: 'Caller' } },
				{ type: 'ringing', callId, line: '311', time: at(0.5) },
			],
			ended: [{ type: 'ended', callId, time: at(20.5) }],
			lateRinging: [{ type: 'ringing', callId, line: '312', time: at(20.2) }],
		});
		const post = async (workflow: WorkflowJson, body: object[]) => {
			const response = await stack.post(workflow, body);
			return { status: response.status, body: await response.json() };
		};
		const held = events('reorder-1');
		expect(await post(withReorderWindow, held.early)).toEqual({ status: 202, body: { accepted: 2, resolved: 0 } });
		expect(await post(withReorderWindow, held.ended)).toEqual({ status: 202, body: { accepted: 1, resolved: 0 } });
		expect(await post(withReorderWindow, held.lateRinging)).toEqual({ status: 202, body: { accepted: 1, resolved: 0 } });
		const direct = events('no-reorder-1');
		expect(await post(withoutReorderWindow, direct.early)).toEqual({ status: 202, body: { accepted: 2, resolved: 0 } });
		expect(await post(withoutReorderWindow, direct.ended)).toEqual({ status: 200, body: { accepted: 1, resolved: 1 } });
		expect(await post(withoutReorderWindow, direct.lateRinging)).toEqual({ status: 202, body: { accepted: 1, resolved: 0, ignored: { afterResolution: 1 } } });

		// The held call is emitted by the trigger's 10-second check once its window has passed.
		await waitFor(() => mailsTo('rolf@window.example.com').length > 0, 30_000);
		await sleep(1000);
		expect(mailsTo('rita@window.example.com')).toHaveLength(1);
		expect(mailsTo('rolf@window.example.com')).toHaveLength(1);
		expect(mailsTo('rita@nowindow.example.com')).toHaveLength(1);
		expect(mailsTo('rolf@nowindow.example.com')).toHaveLength(0);
	});
});

describe('a trigger published again while a call rings', () => {
	test('the call ends as it ends: answered, not mailed as missed; a resend is still recognised', async () => {
		const start = Date.now() - 5_000;
		const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
		const ringing = [
			{ type: 'offered', callId: 'republish-1', eventId: 'rp-1', time: at(0), caller: { number: '+49 30 5550316', name: 'Caller' } },
			{ type: 'ringing', callId: 'republish-1', eventId: 'rp-2', line: '316', time: at(1) },
		];
		expect((await stack.post(republished, ringing)).status).toBe(202);

		// The editor's Save (a new version with Silence Timeout 4) and Publish.
		await saveWithTriggerOptions(republished, { silenceMinutes: 4 });
		expect((await publish(republished)).status).toBe('published');

		// n8n registers the webhook again a moment after publishing: until then it answers 404.
		const answered = [{ type: 'answered', callId: 'republish-1', eventId: 'rp-3', line: '316', time: at(6) }];
		let response = await stack.post(republished, answered);
		for (let tries = 0; response.status === 404 && tries < 50; tries++) {
			await sleep(200);
			response = await stack.post(republished, answered);
		}
		expect([response.status, await response.json()]).toEqual([200, { accepted: 1, resolved: 1 }]);
		const execution = await executions.only(republished);
		expect(outputOf(execution, 'Call Event Trigger').map(({ json }) => [json.callId, json.outcome, json.incomplete])).toEqual([
			['republish-1', 'answered', false],
		]);
		const resent = await stack.post(republished, [...ringing, ...answered]);
		expect([resent.status, await resent.json()]).toEqual([202, { accepted: 3, resolved: 0, ignored: { duplicates: 3 } }]);
		await sleep(1000);
		expect(mailsTo('rosa@example.com')).toHaveLength(0);
	});
});

describe('an Asterisk AMI trigger published again while a call rings', () => {
	test('the call ends in one record with its caller, number and ringing start, and one mail; a late event of a call resolved before starts nothing', async () => {
		const { callIdA, missedB } = acrossPublishing;
		// The first connection: call A answered by 201 (its execution; B's ringing came before its end), B ringing 203.
		const before = await executions.only(amiRepublished, 30_000);
		expect(outputOf(before, 'Call Event Trigger').map(({ json }) => [json.callId, json.outcome])).toEqual([[callIdA, 'answered']]);
		expect(republishServer.connections).toHaveLength(1);

		// The editor's Save (a new version with Silence Timeout 45) and Publish: n8n stops the trigger,
		// closing its connection, and starts it anew; the new connection gets A's late events and B's end.
		await saveWithTriggerOptions(amiRepublished, { silenceMinutes: 45 });
		expect((await publish(amiRepublished)).status).toBe('published');
		await waitFor(() => mailsTo('dora.republish@example.com').length > 0, 30_000);
		await waitFor(async () => (await executions.finishedCount(amiRepublished)) >= 2);
		// Time for a second record of B, or a call started by A's late events, to run too.
		await sleep(1500);

		const others = (await executions.finished(amiRepublished)).filter(({ id }) => id !== before.id).reverse();
		const after = await Promise.all(others.map(({ id }) => executions.withRunData(id)));
		expect(after.flatMap((execution) => outputOf(execution, 'Call Event Trigger').map(({ json }) => json))).toEqual([missedB]);
		expect(mailsTo('dora.republish@example.com')).toHaveLength(1);
		expect(mailsTo('gerd.republish@example.com')).toHaveLength(0);
		expect(republishServer.connections.map(({ logins, closedByClient }) => ({ logins: logins.length, closedByClient }))).toEqual([
			{ logins: 1, closedByClient: true },
			{ logins: 1, closedByClient: false },
		]);
	}, 90_000);
});

describe('silence timeout', () => {
	test('a call whose end never comes is mailed after the silence timeout, with no further request', async () => {
		await waitFor(() => mailsTo('stella@example.com').length > 0, silentCallPostedAt + 100_000 - Date.now());
		const arrivedAfter = Date.now() - silentCallPostedAt;
		await sleep(1000);
		expect(mailsTo('stella@example.com')).toHaveLength(1);
		// Silence of one minute, checked every 10 s: not before the minute, and not at some later request.
		expect(arrivedAfter).toBeGreaterThanOrEqual(60_000);
		expect(arrivedAfter).toBeLessThan(60_000 + 10_000 + 15_000);
	}, 120_000);
});
