/**
 * Where n8n's CPU goes per call (docs/benchmarks.md, "Where the chain's time goes"): runs one
 * workflow alone in a real n8n under V8's CPU profiler, posts calls one at a time, each until its
 * mail arrived, and prints per call the busy time of each of n8n's threads by package. Run it for
 * the chain and for the bare workflow and compare; a profiled n8n runs slower than the bench's, so
 * compare the two profiles with each other, not with the bench's figures.
 *
 *   npm run build && npx tsx scripts/profile.ts chain
 *   npx tsx scripts/profile.ts bare
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { benchSmtpCredential, floorPath, floorWorkflow, missedCall, post } from './bench/n8n';
import { N8nHost } from './lib/n8nHost';
import { SmtpSink } from './lib/smtpSink';
import { demoSmtpCredential, loadExampleWorkflow, webhookPathOf } from './lib/workflows';

const CALLS = 300;
/** The first third of the calls warms n8n up (code loading, compilation) and is not counted. */
const WARM_UP_SHARE = 1 / 3;
const TOP = 16;

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
}

/** A sample: when it was taken (µs), how long it stands for (µs), and its stack, innermost first. */
interface Sample {
	at: number;
	micros: number;
	stack: ProfileNode['callFrame'][];
}

function samplesOf(profile: CpuProfile): Sample[] {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const stacks = new Map<number, ProfileNode['callFrame'][]>();
	const stackOf = (id: number) => {
		let stack = stacks.get(id);
		if (!stack) {
			stack = [];
			for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
			stacks.set(id, stack);
		}
		return stack;
	};
	let at = profile.startTime;
	return profile.samples.map((id, index) => {
		at += profile.timeDeltas[index];
		return { at, micros: profile.timeDeltas[index + 1] ?? 0, stack: stackOf(id) };
	});
}

/** The package a frame's code belongs to (the innermost node_modules folder), or what V8 calls it. */
function packageOf(frame: ProfileNode['callFrame']): string {
	if (!frame.url) {
		// V8 names a regular expression's code by its source, which can be kilobytes long.
		return frame.functionName.startsWith('(') ? frame.functionName : `native ${frame.functionName.slice(0, 40)}`;
	}
	if (frame.url.startsWith('node:')) return 'Node.js';
	const packages = [...frame.url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
	return packages.length ? packages[packages.length - 1][1] : 'other';
}

/** What a package costs with everything it calls, counting each sample once. */
const INCLUSIVE = ['n8n-nodes-missed-calls', '@n8n/typeorm', 'nodemailer', 'luxon'];

function report(thread: string, samples: Sample[], from: number, to: number, calls: number): void {
	const own = new Map<string, number>();
	const inclusive = new Map<string, number>();
	let busy = 0;
	for (const sample of samples) {
		if (sample.at < from || sample.at > to) continue;
		const name = packageOf(sample.stack[0]);
		if (name === '(idle)') continue;
		busy += sample.micros;
		own.set(name, (own.get(name) ?? 0) + sample.micros);
		const packages = new Set(sample.stack.map(packageOf));
		for (const pkg of INCLUSIVE) if (packages.has(pkg)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + sample.micros);
	}
	const ms = (micros: number) => `${(micros / 1000 / calls).toFixed(2)} ms`.padStart(10);
	console.log(`\n${thread}: busy ${ms(busy).trim()} per call`);
	for (const [name, micros] of [...own].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${ms(micros)}  ${name}`);
	for (const [name, micros] of inclusive) console.log(`${ms(micros)}  ${name}, with what it calls`);
}

async function main(): Promise<void> {
	const which = process.argv[2];
	if (which !== 'chain' && which !== 'bare') throw new Error('usage: npx tsx scripts/profile.ts chain|bare');
	const profileDir = mkdtempSync(path.join(tmpdir(), 'missed-calls-profile-'));
	const smtp = await SmtpSink.start({ record: 'arrivals' });
	const chain = loadExampleWorkflow();
	const n8n = await N8nHost.start({
		workflows: [which === 'chain' ? chain : floorWorkflow('bare')],
		credentials: [demoSmtpCredential(smtp.port), benchSmtpCredential(smtp.port)],
		env: {
			NODE_OPTIONS: `--max-old-space-size=1024 --cpu-prof --cpu-prof-dir=${profileDir}`,
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
		},
	});
	const pid = n8n.pid;
	try {
		const webhookPath = which === 'chain' ? webhookPathOf(chain) : floorPath('bare');
		await n8n.waitForWebhook(webhookPath);
		for (let i = 0; i < CALLS; i++) {
			await post(n8n.webhookUrl(webhookPath), which === 'chain' ? missedCall().body : '{}');
			await smtp.waitForMails(i + 1);
		}
	} finally {
		await n8n.stop(); // the profiles are written as n8n exits
		await smtp.close();
	}

	// Files are CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; thread 0 is the main thread.
	const files = readdirSync(profileDir).filter((file) => file.split('.')[3] === String(pid));
	const threads = files
		.map((file) => ({
			thread: Number(file.split('.')[4]),
			samples: samplesOf(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8'))),
		}))
		.sort((a, b) => a.thread - b.thread);
	const main = threads.find(({ thread }) => thread === 0);
	if (!main) throw new Error(`no profile of n8n's main thread in ${profileDir}`);
	// The calls: from the first to the last sample that handles a webhook (one clock for all threads).
	const handling = main.samples.filter(({ stack }) => stack.some((frame) => frame.functionName === 'executeWebhook'));
	if (handling.length === 0) throw new Error('the profile shows no webhook being handled');
	const first = handling[0].at;
	const last = handling[handling.length - 1].at;
	const from = first + (last - first) * WARM_UP_SHARE;
	const counted = Math.round(CALLS * (1 - WARM_UP_SHARE));
	console.log(`${which}: ${CALLS} calls one at a time, the last ${counted} counted, per call:`);
	for (const { thread, samples } of threads) {
		report(thread === 0 ? "n8n's main thread" : `n8n's thread ${thread}`, samples, from, last, counted);
	}
	rmSync(profileDir, { recursive: true, force: true });
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
