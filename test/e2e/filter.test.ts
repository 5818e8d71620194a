/**
 * Issue "Missed Call Filter" in a real n8n, production executions: the repeat rules remember across
 * executions (workflow static data), a login re-enables "repeated call while not logged in", and
 * concurrent executions lose no update of the remembered state.
 */
import { sleep } from '../../scripts/lib/n8nHost';
import { loadExampleWorkflow, variantOf, type WorkflowJson } from '../../scripts/lib/workflows';
import { startStack, waitFor, type Stack } from './support';

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

let stack: Stack;
const mailsTo = (address: string) => stack.mailsTo(address);

beforeAll(async () => {
	stack = await startStack([sameDay, untilLogin, load]);
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

async function postAndSettle(target: WorkflowJson, body: object[], address: string, expectedMails: number) {
	expect((await stack.post(target, body)).status).toBe(200);
	await waitFor(() => mailsTo(address).length >= expectedMails);
	await sleep(800); // a mail that should not come has had time to arrive
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
	await sleep(3000);
	const mails = mailsTo('lara@example.com');
	expect(mails).toHaveLength(200);
	// One mail per caller: the 200 distinct numbers, each once.
	const numbers = new Set(mails.map((mail) => /555\s?\d{4}/.exec(mail.parsed.text ?? '')?.[0].replace(/\s/g, '')));
	expect(numbers.size).toBe(200);
}, 240_000);
