/**
 * Section `n8n` (issue "System proof"): the whole chain in a real n8n against n8n's own floor.
 *
 * (a) Per call, wall time and n8n CPU (main process + task runner, from /proc) of our chain (Call
 *     Event Trigger → Missed Call Filter → XSL Mail Composer → SMTP) against a bare workflow (n8n's
 *     Webhook → n8n's Send Email with a fixed body), against the same with a No Operation node
 *     between them (three nodes, like the chain: what n8n charges for a node), and against the same
 *     two nodes sending our sample mail (what n8n charges for a mail of our size). Calls go one at a
 *     time, each timed until its mail is at the SMTP server, in blocks per workflow, ten rounds.
 *     n8n's CPU is read when it has gone quiet after a block (it saves an execution after the mail
 *     left), less what n8n uses idle over the same time; medians over the rounds, as n8n's idle
 *     CPU comes in bursts. The ratio to the bare workflow is the headline.
 * (b) Sustained: calls posted 8 at a time; resolved calls per second, p50/p99 latency from the
 *     POST of a call's last event to its mail at the SMTP server, 0 lost / 0 duplicate checked.
 * (c) n8n's RSS before and after BENCH_N8N_CALLS calls (default 5,000, about 3 minutes here; the
 *     issue's figure is 100,000: BENCH_N8N_CALLS=100000, about an hour), on a copy of the chain whose
 *     filter state is capped small, so that it is full at once and the run is about memory only.
 * (d) The sustained run of (b) on a copy of the chain whose filter state is at its cap (100,000
 *     processed call ids, as after weeks of calls): n8n loads and saves the whole static data with
 *     every call, so this shows what the state's size costs.
 *
 * The SMTP sink only records arrivals (no parsing) so the bench process takes little CPU from n8n.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_STATE_OPTIONS, openFilterState } from '../../nodes/MissedCallFilter/state';
import { TEMPLATES_DIR } from '../../nodes/XslMailComposer/render/xslTemplate';
import { N8nHost, sleep, type WorkflowCredential } from '../lib/n8nHost';
import { SmtpSink } from '../lib/smtpSink';
import {
	demoSmtpCredential,
	loadExampleWorkflow,
	loopbackSmtpCredential,
	variantOf,
	webhookPathOf,
	type WorkflowJson,
} from '../lib/workflows';
import { Checks, count, duration, megabytes, printTable, times } from './measure';

const SUSTAINED_CALLS = 1_000;
const CONCURRENCY = 8;
const SMTP_CREDENTIAL_ID = 'BenchBareSmtp001';
/** The filter's cap in the long run of (c): a missed call adds a call id and a notification. */
const LONG_RUN_MAX_ENTRIES = 2_000;
/** (a) times calls in blocks of this many, so that the wait for n8n to go quiet is paid per block. */
const BLOCK_CALLS = 20;
const ROUNDS = 10;
/** n8n counts as quiet when its CPU time (10 ms ticks) stands still for this many readings. */
const QUIET_READINGS = 3;
const QUIET_INTERVAL_MS = 20;
const QUIET_MAX_MS = 2_000;
/** How long (a) watches n8n doing nothing, once per round, to take its idle CPU out of the figures. */
const IDLE_MS = 2_000;

/** CPU seconds and resident memory of every process in n8n's process group. */
function processGroup(pgid: number): { cpuSeconds: number; rssBytes: number } {
	const ticksPerSecond = 100; // USER_HZ on Linux
	let ticks = 0;
	let pages = 0;
	for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		let stat: string;
		try {
			stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue; // ended meanwhile
		}
		// Fields after the command name, which may contain spaces: state is field 3.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(fields[2]) !== pgid) continue;
		ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
		pages += Number(fields[21]); // rss
	}
	return { cpuSeconds: ticks / ticksPerSecond, rssBytes: pages * 4096 };
}

/**
 * n8n's CPU seconds once it has gone quiet: an execution goes on after its mail left (n8n saves it),
 * and that work belongs to the call, not to whatever is measured next.
 */
async function cpuWhenQuiet(pgid: number): Promise<number> {
	let last = processGroup(pgid).cpuSeconds;
	for (let quiet = 0, waited = 0; quiet < QUIET_READINGS && waited < QUIET_MAX_MS; waited += QUIET_INTERVAL_MS) {
		await sleep(QUIET_INTERVAL_MS);
		const now = processGroup(pgid).cpuSeconds;
		quiet = now === last ? quiet + 1 : 0;
		last = now;
	}
	return last;
}

/** Wall seconds from the first POST to the last mail, and n8n's CPU seconds until it went quiet. */
interface Spent {
	wall: number;
	cpu: number;
	/** Wall seconds the CPU reading spans (calls and the waits for quiet), for the idle correction. */
	span: number;
}

/** Work that n8n does over `work` until it is quiet again, with the wall time `work` took. */
async function measured(pgid: number, work: () => Promise<void>): Promise<Spent> {
	const cpuBefore = await cpuWhenQuiet(pgid);
	const started = process.hrtime.bigint();
	await work();
	const wall = Number(process.hrtime.bigint() - started) / 1e9;
	const cpu = (await cpuWhenQuiet(pgid)) - cpuBefore;
	return { wall, cpu, span: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The SMTP credential of the floors' Send Email node. */
export function benchSmtpCredential(port: number): WorkflowCredential {
	return loopbackSmtpCredential(port, { id: SMTP_CREDENTIAL_ID, name: 'Bench SMTP', type: 'smtp' });
}

/**
 * n8n's floors, all its own Webhook → Send Email with a fixed body:
 * `bare` the headline's baseline, a one-line text mail;
 * `threeNodes` the same with a No Operation node between them, our chain's three nodes, so the
 *   bench shows what n8n itself charges for one more node;
 * `mailSize` the same two nodes sending the shipped sample mail (its HTML and text part, as our
 *   template made them), so the bench shows what n8n charges for a mail of our size.
 */
export type Floor = 'bare' | 'threeNodes' | 'mailSize';
/** `bare` first: the ratios are against it. */
const FLOOR_KINDS: Floor[] = ['bare', 'threeNodes', 'mailSize'];

const FLOORS: Record<Floor, { id: string; name: string; path: string }> = {
	bare: { id: 'BenchBareFloor01', name: 'bare: Webhook → Send Email', path: 'bare' },
	threeNodes: { id: 'BenchBareFloor03', name: 'bare + No Operation (three nodes)', path: 'bare-three-nodes' },
	mailSize: { id: 'BenchBareFloor04', name: 'bare, sending our sample mail (HTML + text)', path: 'bare-mail-size' },
};

/** The path of a floor's webhook. */
export function floorPath(floor: Floor): string {
	return FLOORS[floor].path;
}

export function floorWorkflow(floor: Floor): { id: string; [key: string]: unknown } {
	const noOp = {
		id: randomUUID(),
		name: 'No Operation',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [120, 0],
		parameters: {},
	};
	const body =
		floor === 'mailSize'
			? {
					emailFormat: 'both',
					text: readFileSync(path.join(TEMPLATES_DIR, 'sample-mail.txt'), 'utf8'),
					html: readFileSync(path.join(TEMPLATES_DIR, 'sample-mail.html'), 'utf8'),
				}
			: { emailFormat: 'text', text: 'You missed a call from +49 30 1234567.' };
	const main = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	return {
		id: FLOORS[floor].id,
		name: `Floor, ${FLOORS[floor].name}`,
		nodes: [
			...(floor === 'threeNodes' ? [noOp] : []),
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: floorPath(floor), responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Send Email',
				type: 'n8n-nodes-base.emailSend',
				typeVersion: 2.1,
				position: [240, 0],
				parameters: {
					fromEmail: 'pbx@example.com',
					toEmail: 'floor@example.com',
					subject: 'Missed call',
					...body,
					options: { appendAttribution: false },
				},
				credentials: { smtp: { id: SMTP_CREDENTIAL_ID, name: 'Bench SMTP' } },
			},
		],
		connections:
			floor === 'threeNodes'
				? { Webhook: main(noOp.name), [noOp.name]: main('Send Email') }
				: { Webhook: main('Send Email') },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * A copy of the chain whose filter remembers as many processed calls as its cap allows, spread
 * over the duplicate window, as the filter itself committed them (Asterisk-style call ids).
 */
function chainWithFullState(chain: WorkflowJson): { workflow: WorkflowJson; bytes: number } {
	const workflow = variantOf(chain, 'BenchFullState01', { callEventTrigger: { path: 'call-events-full-state' } });
	const filter = workflow.nodes.find((node) => node.type.endsWith('.missedCallFilter'))!;
	const now = Date.now();
	let clock = now;
	const earlier = openFilterState('bench/full-state', {}, { shared: false, now: () => clock });
	// Within the duplicate window, so none expires during the run.
	const spacing = ((DEFAULT_STATE_OPTIONS.duplicateWindowHours - 1) * 3_600_000) / DEFAULT_STATE_OPTIONS.maxEntries;
	for (let index = DEFAULT_STATE_OPTIONS.maxEntries; index > 0; index--) {
		clock = now - index * spacing;
		earlier.claimCall(`${Math.floor(clock / 1000)}.${index}`);
	}
	const nodeStaticData: Record<string, unknown> = {};
	clock = now;
	earlier.commit(nodeStaticData);
	const json = JSON.stringify(nodeStaticData);
	// n8n keeps a node's static data under `node:<node name>`.
	(workflow as WorkflowJson & { staticData: unknown }).staticData = { [`node:${filter.name}`]: JSON.parse(json) };
	return { workflow, bytes: json.length };
}

/**
 * A copy of the chain for the long run of (c), whose filter keeps at most LONG_RUN_MAX_ENTRIES
 * entries: its state is full after a few hundred calls and stays the same size, so the run shows
 * what n8n's memory does over many calls, not what a growing state costs (that is (d)).
 */
function chainForLongRun(chain: WorkflowJson): WorkflowJson {
	const filter = chain.nodes.find((node) => node.type.endsWith('.missedCallFilter'))!;
	const options = { ...(filter.parameters.options as object), maxEntries: LONG_RUN_MAX_ENTRIES };
	return variantOf(chain, 'BenchLongRun0001', {
		callEventTrigger: { path: 'call-events-long-run' },
		missedCallFilter: { options },
	});
}

let callNumber = 0;

/** A complete missed call in one POST (distinct caller, so no repeat rule can interfere). */
export function missedCall(): { callId: string; body: string } {
	const n = callNumber++;
	const callId = `bench-${n}`;
	const start = Date.parse('2026-11-26T09:00:00+01:00') + n * 1000;
	const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
	const caller = { number: `+49 30 ${String(1_000_000 + n)}` };
	return {
		callId,
		body: JSON.stringify([
			{ type: 'offered', callId, time: at(0), caller },
			{ type: 'ringing', callId, line: '201', time: at(0.2) },
			{ type: 'ended', callId, time: at(12) },
		]),
	};
}

export async function post(url: string, body: string): Promise<void> {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
	await response.arrayBuffer();
	if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
}

async function untilMails(smtp: SmtpSink, total: number, timeoutMs = 120_000): Promise<void> {
	await smtp.waitForMails(total, timeoutMs);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchN8n(checks: Checks): Promise<void> {
	const rssCalls = Number(process.env.BENCH_N8N_CALLS ?? 5_000);
	const smtp = await SmtpSink.start({ record: 'arrivals' });
	const chain = loadExampleWorkflow();
	const full = chainWithFullState(chain);
	const longRun = chainForLongRun(chain);
	const n8n = await N8nHost.start({
		workflows: [chain, full.workflow, longRun, ...FLOOR_KINDS.map(floorWorkflow)],
		credentials: [demoSmtpCredential(smtp.port), benchSmtpCredential(smtp.port)],
	});
	try {
		const chainUrl = n8n.webhookUrl(webhookPathOf(chain));
		const fullUrl = n8n.webhookUrl(webhookPathOf(full.workflow));
		const longRunUrl = n8n.webhookUrl(webhookPathOf(longRun));
		await n8n.waitForWebhook(webhookPathOf(chain));
		await n8n.waitForWebhook(webhookPathOf(full.workflow));
		await n8n.waitForWebhook(webhookPathOf(longRun));
		for (const floor of FLOOR_KINDS) await n8n.waitForWebhook(floorPath(floor));
		const floorUrl = (floor: Floor) => n8n.webhookUrl(floorPath(floor));
		const engine = process.env.N8N_EXPRESSION_ENGINE ?? 'default (vm)';
		const lazy = process.env.N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE ?? 'default (false)';
		console.log(`\nn8n 2.41.1, expression engine: ${engine}, lazy isolate acquire: ${lazy}, SQLite, one main process`);

		// Warm-up: the first executions load code and compile the template.
		for (let i = 0; i < 10; i++) {
			await post(chainUrl, missedCall().body);
			for (const floor of FLOOR_KINDS) await post(floorUrl(floor), '{}');
		}
		await untilMails(smtp, 10 * (1 + FLOOR_KINDS.length));

		// (a) one call at a time, each until its mail arrived, in blocks per workflow, the order turning
		// each round. n8n's own idle CPU (timers, upkeep) over the same time is taken out; it comes in
		// bursts, so the figures are medians over the rounds, not sums.
		const workflows = [
			...FLOOR_KINDS.map((floor) => ({ name: FLOORS[floor].name, url: floorUrl(floor), body: () => '{}' })),
			{ name: 'our chain: trigger → filter → composer', url: chainUrl, body: () => missedCall().body },
		];
		const chainIndex = workflows.length - 1;
		const mailSizeIndex = FLOOR_KINDS.indexOf('mailSize');
		const mailBytes: number[][] = workflows.map(() => []);
		const blocks: Spent[][] = [];
		const idleRates: number[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			const results: Spent[] = [];
			for (let turn = 0; turn < workflows.length; turn++) {
				const index = (round + turn) % workflows.length;
				const { url, body } = workflows[index];
				results[index] = await measured(n8n.pid, async () => {
					for (let i = 0; i < BLOCK_CALLS; i++) {
						const expected = smtp.arrivals.length + 1;
						await post(url, body());
						await untilMails(smtp, expected);
						mailBytes[index].push(smtp.arrivals[expected - 1].bytes);
					}
				});
			}
			blocks.push(results);
			const idle = await measured(n8n.pid, () => sleep(IDLE_MS));
			idleRates.push(idle.cpu / idle.span);
		}
		const idleRate = median(idleRates);
		const wallPerCall = (block: Spent) => block.wall / BLOCK_CALLS;
		const cpuPerCall = (block: Spent) => (block.cpu - idleRate * block.span) / BLOCK_CALLS;
		const vs = (index: number, baseline: number, of: (block: Spent) => number) =>
			blocks.map((round) => of(round[index]) / of(round[baseline])).sort((x, y) => x - y);
		const vsBare = (index: number, of: (block: Spent) => number) => vs(index, 0, of);
		console.log(
			`(a) n8n idle: ${(idleRate * 100).toFixed(2)} % of a core (median of ${ROUNDS} readings of ${IDLE_MS / 1000} s, ` +
				`${(Math.min(...idleRates) * 100).toFixed(2)}–${(Math.max(...idleRates) * 100).toFixed(2)} %), taken out of the CPU figures`,
		);
		printTable(
			`(a) per call, one at a time (${count(ROUNDS * BLOCK_CALLS)} each, ${ROUNDS} rounds of ${BLOCK_CALLS}); medians over the rounds`,
			['workflow', 'mail size', 'wall per call', 'n8n CPU per call', 'wall vs bare', 'CPU vs bare', 'CPU vs bare, rounds'],
			workflows.map(({ name }, index) => {
				const cpuRatios = vsBare(index, cpuPerCall);
				return [
					name,
					`${(median(mailBytes[index]) / 1024).toFixed(1)} KiB`,
					duration(median(blocks.map((round) => wallPerCall(round[index])))),
					duration(median(blocks.map((round) => cpuPerCall(round[index])))),
					`${median(vsBare(index, wallPerCall)).toFixed(2)}×`,
					`${median(cpuRatios).toFixed(2)}×`,
					`${cpuRatios[0].toFixed(2)}–${cpuRatios[cpuRatios.length - 1].toFixed(2)}×`,
				];
			}),
		);
		const chainVsMailSize = vs(chainIndex, mailSizeIndex, cpuPerCall);
		const [lowest, highest] = [chainVsMailSize[0], chainVsMailSize[ROUNDS - 1]];
		console.log(
			`(a) our chain's CPU per call against the floor sending a mail of our size: ` +
				`${median(chainVsMailSize).toFixed(2)}× (rounds ${lowest.toFixed(2)}–${highest.toFixed(2)}×)`,
		);

		// (b) sustained, 8 at a time; the bare workflow's rate is n8n's floor on this machine
		const floors = [];
		for (const floor of FLOOR_KINDS) {
			const run = await postConcurrently(floorUrl(floor), SUSTAINED_CALLS, smtp, () => ({ body: '{}' }));
			checks.verify(run.lost === 0, `${FLOORS[floor].name}, sustained: ${run.lost} mail(s) missing`);
			floors.push({ name: FLOORS[floor].name, run });
		}
		const bare = floors[0].run;
		const sustained = await postConcurrently(chainUrl, SUSTAINED_CALLS, smtp, missedCall);
		checks.verify(sustained.lost === 0, `sustained run: ${sustained.lost} call(s) got no mail`);
		checks.verify(sustained.duplicates === 0, `sustained run: ${sustained.duplicates} duplicate mail(s)`);
		const rate = (run: { seconds: number }) => SUSTAINED_CALLS / run.seconds;
		printTable(
			`(b) sustained, ${CONCURRENCY} at a time, ${count(SUSTAINED_CALLS)} calls each`,
			['workflow', 'calls/s', 'vs bare', 'p50 last event → mail', 'p99 last event → mail', 'lost', 'duplicate'],
			[
				...floors.map(({ name, run }) => [
					name,
					`${rate(run).toFixed(1)}/s`,
					times(rate(run), rate(bare)),
					'—',
					'—',
					String(run.lost),
					'—',
				]),
				[
					'our chain',
					`${rate(sustained).toFixed(1)}/s`,
					times(rate(sustained), rate(bare)),
					duration(sustained.p50),
					duration(sustained.p99),
					String(sustained.lost),
					String(sustained.duplicates),
				],
			],
		);

		// (c) memory over many calls (before (d), whose large state would raise it), sampled after
		// every tenth: the heap grows at first, so flat means flat over the second half.
		const samples = [processGroup(n8n.pid).rssBytes];
		let longSeconds = 0;
		for (let tenth = 1; tenth <= 10; tenth++) {
			const calls = Math.round((rssCalls * tenth) / 10) - Math.round((rssCalls * (tenth - 1)) / 10);
			const long = await postConcurrently(longRunUrl, calls, smtp, missedCall);
			checks.verify(long.lost === 0 && long.duplicates === 0, `long run: ${long.lost} lost, ${long.duplicates} duplicate`);
			longSeconds += long.seconds;
			samples.push(processGroup(n8n.pid).rssBytes);
			// A long run takes hours: show each tenth as it is measured, not only in the final table.
			console.log(
				`(c) after ${count(Math.round((rssCalls * tenth) / 10))} calls: RSS ${megabytes(samples[tenth])}, ` +
					`${(calls / long.seconds).toFixed(1)} calls/s in this tenth`,
			);
		}
		printTable(
			`(c) n8n RSS (main + task runner) over ${count(rssCalls)} calls (${(rssCalls / longSeconds).toFixed(1)} calls/s), ` +
				`after each tenth; the filter's state capped at ${count(LONG_RUN_MAX_ENTRIES)} entries`,
			['before', ...samples.slice(1).map((_, index) => `${(index + 1) * 10} %`), 'end vs before', 'end vs 50 %'],
			[[...samples.map(megabytes), times(samples[10], samples[0]), times(samples[10], samples[5])]],
		);

		// (d) the same with the filter's state at its cap; its first call merges the stored state
		const merged = smtp.arrivals.length + 1;
		await post(fullUrl, missedCall().body);
		await untilMails(smtp, merged);
		const atCap = await postConcurrently(fullUrl, SUSTAINED_CALLS, smtp, missedCall);
		checks.verify(atCap.lost === 0, `sustained run at the cap: ${atCap.lost} call(s) got no mail`);
		checks.verify(atCap.duplicates === 0, `sustained run at the cap: ${atCap.duplicates} duplicate mail(s)`);
		printTable(
			`(d) sustained as in (b), the filter's state at its cap: ${count(DEFAULT_STATE_OPTIONS.maxEntries)} ` +
				`processed call ids, ${megabytes(full.bytes)} of static data`,
			['workflow', 'calls/s', 'vs bare', 'vs empty state (b)', 'p50 last event → mail', 'p99 last event → mail', 'lost', 'duplicate'],
			[
				[
					'our chain, state at the cap',
					`${rate(atCap).toFixed(1)}/s`,
					times(rate(atCap), rate(bare)),
					times(rate(atCap), rate(sustained)),
					duration(atCap.p50),
					duration(atCap.p99),
					String(atCap.lost),
					String(atCap.duplicates),
				],
			],
		);
	} finally {
		await n8n.stop();
		await smtp.close();
	}
}

/**
 * Posts `total` calls, `CONCURRENCY` at a time, and waits for their mails. Calls without a call id
 * (the bare workflow's fixed mail) are only counted: their mails cannot be told apart.
 */
async function postConcurrently(
	url: string,
	total: number,
	smtp: SmtpSink,
	nextCall: () => { callId?: string; body: string },
) {
	const sentAt = new Map<string, number>();
	const firstArrival = smtp.arrivals.length;
	let left = total;
	const started = Date.now();
	const worker = async () => {
		while (left > 0) {
			left--;
			const call = nextCall();
			if (call.callId) sentAt.set(call.callId, Date.now());
			await post(url, call.body);
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	await untilMails(smtp, firstArrival + total, 600_000);
	await sleep(1000); // room for a duplicate to show
	const arrivals = smtp.arrivals.slice(firstArrival);
	const seconds = (arrivals[total - 1].at - started) / 1000;
	if (sentAt.size === 0) return { seconds, lost: total - arrivals.length, duplicates: 0, p50: NaN, p99: NaN };
	const latencies: number[] = [];
	const seen = new Set<string>();
	let duplicates = 0;
	for (const arrival of arrivals) {
		if (!arrival.callId || !sentAt.has(arrival.callId)) continue;
		if (seen.has(arrival.callId)) duplicates++;
		seen.add(arrival.callId);
		latencies.push((arrival.at - sentAt.get(arrival.callId)!) / 1000);
	}
	latencies.sort((a, b) => a - b);
	return {
		seconds,
		lost: total - seen.size,
		duplicates,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
	};
}
