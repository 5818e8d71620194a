/**
 * Issue "Missed Call Filter" in a real n8n, production executions: the repeat rules remember across
 * executions (workflow static data), a login re-enables "repeated call while not logged in", and
 * concurrent executions lose no update of the remembered state. The Journal and Suppressed outputs
 * can be wired to further nodes, and a node with the Numbering Plan left as added works.
 */
import { loadExampleWorkflow, variantOf, type WorkflowJson } from '../../scripts/lib/workflows';
import { outputOf, SavedExecutions, startStack, waitFor, type Stack } from './support';

const example = loadExampleWorkflow();

function workflow(id: string, path: string, user: { id: string; email: string; line: string }, exceptions: object): WorkflowJson {
	return variantOf(example, id, {
		callEventTrigger: { path },
		missedCallFilter: {
			directory: JSON.stringify([
				{ id: user.id, name: user.id, email: user.email, timeZone: 'Europe/Berlin', lines: [user.line] },
			]),
			exceptions: { minRingSeconds: 2, ...exceptions },
		},
	});
}

const sameDay = workflow('FilterSameDay001', 'same-day', { id: 'anna', email: 'anna@example.com', line: '401' }, {
	skipRepeatedSameDay: true,
});
const untilLogin = workflow('FilterUntilLogin', 'until-login', { id: 'ulla', email: 'ulla@example.com', line: '402' }, {
	skipRepeatedUntilLogin: true,
});
const load = workflow('FilterLoad000001', 'load', { id: 'lara', email: 'lara@example.com', line: '403' }, {
	skipRepeatedSameDay: true,
});

/**
 * The Journal and Suppressed outputs wired to n8n's No Operation node, with n8n's error output on; the filter's Numbering Plan
 * as a freshly added node has it (the collection empty: the Country's default applies), and every
 * exception removed (the minimum ringing time too).
 */
const outputs = (() => {
	const copy = variantOf(example, 'FilterOutputs001', {
		callEventTrigger: { path: 'outputs' },
		missedCallFilter: {
			directory: JSON.stringify([
				{ id: 'olga', name: 'Olga', email: 'olga@example.com', timeZone: 'Europe/Berlin', lines: ['501'] },
				{ id: 'otto', name: 'Otto', email: 'otto@example.com', timeZone: 'Europe/Berlin', lines: ['502'], notify: false },
			]),
			journalUnanswered: 'all',
			exceptions: {},
		},
	});
	const filter = copy.nodes.find((node) => node.type.endsWith('.missedCallFilter'))!;
	delete filter.parameters.numberingPlan;
	// n8n adds its error output after the node's own outputs; it must not take the Journal's place.
	filter.onError = 'continueErrorOutput';
	for (const [index, name] of [[1, 'Journal'], [2, 'Suppressed']] as const) {
		copy.nodes.push({ id: `noop-${name}`, name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [900, index * 200], parameters: {} });
		(copy.connections as Record<string, { main: object[][] }>)[filter.name].main[index] = [{ node: name, type: 'main', index: 0 }];
	}
	return copy;
})();

/** A setting n8n's number field lets through but the filter refuses. */
const badOption = variantOf(example, 'FilterBadOption1', {
	callEventTrigger: { path: 'bad-option' },
	missedCallFilter: { options: { maxEntries: 150.5 } },
});

const owner = { email: 'admin@example.com', password: 'Test-Passw0rd', firstName: 'Ada', lastName: 'Admin' };
let stack: Stack;
let executions: SavedExecutions;
const mailsTo = (address: string) => stack.mailsTo(address);

beforeAll(async () => {
	stack = await startStack([sameDay, untilLogin, load, outputs, badOption], {
		owner,
		env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all' },
	});
	executions = await SavedExecutions.of(stack, owner);
}, 240_000);

afterAll(async () => {
	await stack?.stop();
});

/** One missed call on `line` from `number`, ringing 10 s from `start` (ISO with offset). */
function missedCall(callId: string, line: string, number: string, start: string): object[] {
	const at = (seconds: number) => new Date(Date.parse(start) + seconds * 1000).toISOString();
	return [
		{ type: 'offered', callId, time: at(0), caller: { number } },
		{ type: 'ringing', callId, line, time: at(0.5) },
		{ type: 'ended', callId, time: at(10.5) },
	];
}

/** Posts a call and waits until its execution has finished, so a mail that is not there will not come. */
async function postAndSettle(target: WorkflowJson, body: object[], address: string, expectedMails: number) {
	const before = await executions.finishedCount(target);
	expect((await stack.post(target, body)).status).toBe(200);
	await waitFor(async () => (await executions.finishedCount(target)) > before);
	await waitFor(() => mailsTo(address).length >= expectedMails);
	expect(mailsTo(address)).toHaveLength(expectedMails);
}

test('a repeated call from the same caller the same day gets no second mail; the next day it does', async () => {
	const caller = '+49 30 2223334';
	await postAndSettle(sameDay, missedCall('same-day-1', '401', caller, '2026-11-26T09:00:00+01:00'), 'anna@example.com', 1);
	await postAndSettle(sameDay, missedCall('same-day-2', '401', caller, '2026-11-26T17:30:00+01:00'), 'anna@example.com', 1);
	// 23:30 UTC is already the next day in Berlin, Anna's time zone.
	await postAndSettle(sameDay, missedCall('same-day-3', '401', caller, '2026-11-26T23:30:00Z'), 'anna@example.com', 2);
});

test('while the user is not logged in a repeated call is not mailed; after a login it is', async () => {
	const caller = '+49 40 7654321';
	await postAndSettle(untilLogin, missedCall('login-1', '402', caller, '2026-11-20T09:00:00+01:00'), 'ulla@example.com', 1);
	await postAndSettle(untilLogin, missedCall('login-2', '402', caller, '2026-11-24T09:00:00+01:00'), 'ulla@example.com', 1);
	// A login produces no execution output of its own (presence only updates the state).
	const login = await stack.post(untilLogin, [{ type: 'login', line: '402', time: '2026-11-25T08:00:00+01:00' }]);
	expect(login.status).toBe(200);
	// Its execution has recorded it before the next call is posted: n8n runs executions side by side,
	// and one started a moment later can reach the filter first.
	const executionsSoFar = 3;
	await waitFor(async () => (await executions.finished(untilLogin)).length >= executionsSoFar);
	await postAndSettle(untilLogin, missedCall('login-3', '402', caller, '2026-11-25T09:00:00+01:00'), 'ulla@example.com', 2);
});

test('200 callers posted 16 at a time, then the same 200 again, give exactly 200 mails', async () => {
	const callers = Array.from({ length: 200 }, (_, index) => `+49 30 555${String(index).padStart(4, '0')}`);
	const round = async (name: string, start: string) => {
		const queue = callers.map((number, index) => missedCall(`${name}-${index}`, '403', number, start));
		const worker = async () => {
			for (let call = queue.shift(); call; call = queue.shift()) {
				const response = await stack.post(load, call);
				expect(response.status).toBe(200);
			}
		};
		await Promise.all(Array.from({ length: 16 }, worker));
	};
	await round('first', '2026-11-26T11:00:00+01:00');
	await waitFor(() => mailsTo('lara@example.com').length >= 200, 120_000);
	await round('again', '2026-11-26T12:00:00+01:00');
	// Every execution of both rounds has finished: a second mail would have been sent by now.
	await waitFor(async () => (await executions.finishedCount(load)) >= 400, 120_000);
	const mails = mailsTo('lara@example.com');
	expect(mails).toHaveLength(200);
	// One mail per caller: the 200 distinct numbers, each once.
	const numbers = new Set(mails.map((mail) => /555\s?\d{4}/.exec(mail.parsed.text ?? '')?.[0].replace(/\s/g, '')));
	expect(numbers.size).toBe(200);
}, 240_000);

test('Journal and Suppressed reach the nodes wired to them; a new node numbers as DE and has no minimum ring', async () => {
	// Olga's phone rings for one second: under the minimum ringing time a new node starts with (2 s),
	// but that exception is removed here.
	const call = [
		{ type: 'offered', callId: 'outputs-1', time: '2026-11-26T10:00:00+01:00', caller: { number: '030 2223334' } },
		{ type: 'ringing', callId: 'outputs-1', line: '501', time: '2026-11-26T10:00:00.500+01:00' },
		{ type: 'ringing', callId: 'outputs-1', line: '502', time: '2026-11-26T10:00:00.500+01:00' },
		{ type: 'ended', callId: 'outputs-1', time: '2026-11-26T10:00:01.500+01:00' },
	];
	await postAndSettle(outputs, call, 'olga@example.com', 1);
	expect(mailsTo('otto@example.com')).toHaveLength(0);

	const execution = await executions.only(outputs);
	const [notification, ...moreNotifications] = outputOf(execution, 'Missed Call Filter', 0);
	expect(moreNotifications).toHaveLength(0);
	expect(notification.json).toMatchObject({ recipient: { id: 'olga' }, caller: { e164: '+49302223334' } });
	const journal = outputOf(execution, 'Journal');
	expect(journal.map((item) => (item.json.user as { id: string }).id).sort()).toEqual(['olga', 'otto']);
	const suppressed = outputOf(execution, 'Suppressed');
	expect(suppressed.map((item) => item.json)).toEqual([
		expect.objectContaining({ reason: 'optedOut', user: expect.objectContaining({ id: 'otto' }) }),
	]);
});

test('a setting the filter refuses fails the execution with the setting named', async () => {
	expect((await stack.post(badOption, missedCall('bad-option-1', '201', '030 2223335', '2026-11-26T10:00:00+01:00'))).status).toBe(200);
	const execution = await executions.only(badOption);
	expect(execution.status).toBe('error');
	expect(execution.data.resultData.lastNodeExecuted).toBe('Missed Call Filter');
	expect(execution.data.resultData.error).toMatchObject({
		message: expect.stringMatching(/^Options → Max Remembered Entries is 150\.5/),
	});
});

/** What the editor asks n8n for when the Country or Time Zone list is opened. */
async function editorList(path: string, methodName: string): Promise<Array<{ name: string; value: string }>> {
	const response = await fetch(`${stack.n8n.baseUrl}/rest/dynamic-node-parameters/options`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: executions.cookie },
		body: JSON.stringify({
			path,
			methodName,
			nodeTypeAndVersion: { name: 'n8n-nodes-missed-calls.missedCallFilter', version: 1 },
			currentNodeParameters: {},
		}),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { data: Array<{ name: string; value: string }> }).data;
}

test("the editor's Country and Time Zone lists come from n8n", async () => {
	expect(await editorList('parameters.numberingPlan.country', 'getCountries')).toContainEqual({ name: 'Germany (DE)', value: 'DE' });
	const zones = await editorList('parameters.options.timeZone', 'getTimeZones');
	expect(zones.slice(0, 2)).toEqual([
		{ name: "The Workflow's Time Zone", value: '' },
		{ name: 'UTC', value: 'UTC' },
	]);
	expect(zones).toContainEqual({ name: 'Europe/Berlin', value: 'Europe/Berlin' });
	expect(zones.map((zone) => zone.value)).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Europe/Kyiv']));
});
