/**
 * Starts a real n8n (pinned 2.41.1 on Node 24, from the cache that scripts/ensure-n8n.sh fills;
 * with MISSED_CALLS_N8N_LINE=1 the n8n 1.x of the compatibility test) on
 * loopback with SQLite in a fresh user folder and our built package installed the way a community
 * install puts it, so node types are `n8n-nodes-missed-calls.<node>` exactly as in a user's n8n.
 * Used by the end-to-end tests and by `npm run demo`. Facts behind the choices: ../shared/N8N-HOST.md.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** execFile, but a failure says what the command printed last (n8n's CLI names the problem there). */
async function run(...args: Parameters<typeof execFileAsync>): Promise<{ stdout: string; stderr: string }> {
	try {
		const { stdout, stderr } = await execFileAsync(...args);
		return { stdout: String(stdout), stderr: String(stderr) };
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		const tail = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() && !/^\s+at /.test(line)).slice(-8).join('\n');
		throw new Error(`${(error as Error).message.split('\n')[0]}\n${tail}`, { cause: error });
	}
}
export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const PACKAGE_NAME: string = require(path.join(PROJECT_ROOT, 'package.json')).name;

export interface N8nRuntime {
	nodeBin: string;
	n8nBin: string;
	/** The installed n8n's version (`2.41.1`). */
	n8nVersion: string;
	/** Its major version: 1.x names its disabled modules and publishes workflows differently. */
	n8nMajor: number;
}

let runtime: Promise<N8nRuntime> | undefined;

/**
 * Installs Node 24 and n8n into the cache on first use (minutes), then answers at once. The n8n is
 * 2.41.1, or 1.x with MISSED_CALLS_N8N_LINE=1 (scripts/n8n-runtime-v1).
 */
export function ensureN8n(): Promise<N8nRuntime> {
	runtime ??= run('bash', [path.join(PROJECT_ROOT, 'scripts/ensure-n8n.sh')], {
		maxBuffer: 1 << 20,
	}).then(({ stdout }) => {
		const value = (key: string) => {
			const match = new RegExp(`^${key}=(.*)$`, 'm').exec(stdout);
			if (!match) throw new Error(`ensure-n8n.sh printed no ${key}`);
			return match[1].trim();
		};
		const n8nVersion = value('N8N_VERSION');
		return { nodeBin: value('NODE24_BIN'), n8nBin: value('N8N_BIN'), n8nVersion, n8nMajor: parseInt(n8nVersion, 10) };
	});
	return runtime;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/**
 * The test suite's global setup packs once for all its test processes and names the tarball here:
 * an exit handler registered inside a Jest test never runs, so they could not remove their own.
 */
export const PACKED_TARBALL_ENV = 'MISSED_CALLS_PACKAGE_TARBALL';

/** Whether the package is built (`dist/`): installing it into n8n needs that. */
export function isBuilt(): boolean {
	return existsSync(path.join(PROJECT_ROOT, 'dist/index.js'));
}

/** `npm pack` of the built package (dist must be current) into a new temporary folder; the tarball's path. */
export async function packIntoTempFolder(): Promise<string> {
	if (!isBuilt()) throw new Error('dist/ is missing: run `npm run build` first');
	const folder = mkdtempSync(path.join(tmpdir(), 'missed-calls-pack-'));
	try {
		const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', folder], { cwd: PROJECT_ROOT });
		return path.join(folder, stdout.trim().split('\n').pop()!);
	} catch (error) {
		rmSync(folder, { recursive: true, force: true });
		throw error;
	}
}

let packedTarball: Promise<string> | undefined;

/** The tarball to install: the test run's, or packed once per process and removed at its exit. */
function packPackage(): Promise<string> {
	packedTarball ??= (async () => {
		const shared = process.env[PACKED_TARBALL_ENV];
		if (shared && existsSync(shared)) return shared;
		const tarball = await packIntoTempFolder();
		process.once('exit', () => rmSync(path.dirname(tarball), { recursive: true, force: true }));
		return tarball;
	})();
	return packedTarball;
}

export interface WorkflowCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface N8nHostOptions {
	/** Workflow JSON objects (with 16-character ids) to import and publish before start. */
	workflows: Array<{ id: string; [key: string]: unknown }>;
	/** Workflows to import but not publish (a test publishes them through the REST API, as the editor does). */
	drafts?: Array<{ id: string; [key: string]: unknown }>;
	credentials?: WorkflowCredential[];
	port?: number;
	/** Extra environment for n8n (e.g. N8N_EXPRESSION_ENGINE). */
	env?: Record<string, string>;
	/** Keep the user folder (demo); default: a temp folder removed on stop. */
	userFolder?: string;
	/** Where n8n's stdout/stderr go; default: a file in the user folder. */
	logFile?: string;
	/** Create an owner account for the editor (demo). */
	owner?: { email: string; password: string; firstName: string; lastName: string };
}

const QUIET_ENV = {
	DB_TYPE: 'sqlite',
	DB_SQLITE_POOL_SIZE: '4',
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_SECURE_COOKIE: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	N8N_LOG_LEVEL: 'warn',
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
	EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false',
	N8N_RUNNERS_TASK_TIMEOUT: '300',
};

/**
 * Stops n8n from calling its cloud API at start. n8n 1.x refuses to start on a module it does not
 * know ("Unknown module mcp-registry").
 */
const DISABLED_MODULES: Record<number, string> = {
	1: 'insights,chat-hub',
	2: 'insights,mcp-registry,instance-ai,chat-hub,workflow-builder,agents',
};

const running = new Set<N8nHost>();
// A test that fails or a Ctrl-C must not leave an n8n behind.
process.once('exit', () => running.forEach((host) => host.kill()));

export class N8nHost {
	private constructor(
		readonly baseUrl: string,
		readonly userFolder: string,
		readonly logFile: string,
		private n8n: SpawnedN8n,
		private readonly removeFolder: boolean,
		private readonly env: NodeJS.ProcessEnv,
		private readonly runtime: N8nRuntime,
	) {
		running.add(this);
	}

	static async start(options: N8nHostOptions): Promise<N8nHost> {
		const rt = await ensureN8n();
		const userFolder =
			options.userFolder ?? mkdtempSync(path.join(tmpdir(), 'missed-calls-n8n-'));
		mkdirSync(userFolder, { recursive: true });
		const port = options.port ?? (await freePort());
		const env: NodeJS.ProcessEnv = {
			...inheritedEnv(),
			...QUIET_ENV,
			N8N_DISABLED_MODULES: DISABLED_MODULES[rt.n8nMajor] ?? DISABLED_MODULES[2],
			PATH: `${rt.nodeBin}:${process.env.PATH}`,
			N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			// n8n 1.x reads only this name; webhook URLs its nodes compute would say localhost otherwise.
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			...options.env,
		};
		try {
			await installPackage(userFolder, env);
			await importAndPublish(rt, userFolder, env, options);
		} catch (error) {
			// No host yet whose stop() would remove it.
			if (options.userFolder === undefined) rmSync(userFolder, { recursive: true, force: true });
			throw error;
		}

		const logFile = options.logFile ?? path.join(userFolder, 'n8n.log');
		const host = new N8nHost(
			`http://127.0.0.1:${port}`,
			userFolder,
			logFile,
			spawnN8n(rt, env, logFile),
			options.userFolder === undefined,
			env,
			rt,
		);
		try {
			await host.waitUntilReady();
			if (options.owner) await host.createOwner(options.owner);
		} catch (error) {
			const log = logTail(logFile);
			await host.stop();
			throw new Error(`${(error as Error).message}\n--- n8n log (end) ---\n${log}`);
		}
		return host;
	}

	private get child(): ChildProcess {
		return this.n8n.child;
	}

	/** n8n's process id, also its process group (the task runner belongs to it). */
	get pid(): number {
		return this.child.pid!;
	}

	/** The n8n this host runs: 1.123.50 in the compatibility test, else 2.41.1. */
	get n8nVersion(): string {
		return this.runtime.n8nVersion;
	}

	get n8nMajor(): number {
		return this.runtime.n8nMajor;
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath}`;
	}

	/** Readiness, then until every published webhook answers (they register shortly after). */
	private async waitUntilReady(timeoutMs = 90_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.child.exitCode !== null) {
				// Its last words (why it exited) are still on their way to the log file.
				await Promise.race([this.n8n.logged, sleep(2000)]);
				throw new Error(`n8n exited with code ${this.child.exitCode}; see ${this.logFile}`);
			}
			try {
				const response = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (response.ok) return;
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		throw new Error(`n8n was not ready after ${timeoutMs} ms; see ${this.logFile}`);
	}

	/** Polls GET on a production webhook path until n8n has registered it (POST-only webhook). */
	async waitForWebhook(webhookPath: string, timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			const response = await fetch(this.webhookUrl(webhookPath));
			last = await response.text();
			if (/Did you mean to make a POST request/i.test(last)) return;
			await sleep(100);
		}
		throw new Error(`webhook ${webhookPath} not registered: ${last}`);
	}

	private async createOwner(owner: NonNullable<N8nHostOptions['owner']>): Promise<void> {
		const setup = () =>
			fetch(`${this.baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(owner),
			});
		// n8n 1.x reports ready a moment before it mounts its REST API (404 until then).
		let response = await setup();
		for (const deadline = Date.now() + 15_000; response.status === 404 && Date.now() < deadline; ) {
			await sleep(250);
			response = await setup();
		}
		if (!response.ok) {
			throw new Error(`owner setup failed: ${response.status} ${await response.text()}`);
		}
	}

	/** Logs in as the owner and returns the session cookie for the internal REST API. */
	async login(email: string, password: string): Promise<string> {
		const response = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
		});
		if (!response.ok) throw new Error(`login failed: ${response.status}`);
		return (response.headers.get('set-cookie') ?? '').split(';')[0];
	}

	/** Runs an n8n CLI command against this instance's database (e.g. export:workflow). */
	cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
		return run(this.runtime.n8nBin, args, { env: this.env, maxBuffer: 64 << 20 });
	}

	/**
	 * Stops n8n and starts it again on the same database and port (what survives a restart:
	 * workflows, credentials, static data; what does not: process memory).
	 */
	async restart(): Promise<void> {
		await this.terminate();
		this.n8n = spawnN8n(this.runtime, this.env, this.logFile);
		running.add(this);
		await this.waitUntilReady();
	}

	kill(): void {
		if (this.child.exitCode === null && this.child.pid) {
			try {
				process.kill(-this.child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	}

	async stop(): Promise<void> {
		await this.terminate();
		if (this.removeFolder) rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** SIGTERM to n8n's process group; SIGKILL if it has not exited after 10 s. */
	private async terminate(): Promise<void> {
		running.delete(this);
		if (this.child.exitCode === null && this.child.pid) {
			const exited = new Promise((resolve) => this.child.once('exit', resolve));
			try {
				process.kill(-this.child.pid, 'SIGTERM');
			} catch {
				// already gone
			}
			const timer = setTimeout(() => this.kill(), 10_000);
			await exited;
			clearTimeout(timer);
		}
	}
}

interface SpawnedN8n {
	child: ChildProcess;
	/** Settles when n8n's output is all in the log file. */
	logged: Promise<void>;
}

function spawnN8n(rt: N8nRuntime, env: NodeJS.ProcessEnv, logFile: string): SpawnedN8n {
	const log = createWriteStream(logFile, { flags: 'a' });
	const child = spawn(rt.n8nBin, ['start'], {
		env,
		detached: true, // own process group: stop() ends n8n and its task-runner child together
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	// Closed once both streams are drained: with `end: true` the first stream to end would close
	// the log and the other's last lines (an error at exit goes to stderr) would be lost.
	child.stdout!.pipe(log, { end: false });
	child.stderr!.pipe(log, { end: false });
	const logged = new Promise<void>((resolve) => child.once('close', () => log.end(resolve)));
	return { child, logged };
}

/** Installs the packed package into `<user folder>/.n8n/nodes` as n8n's community installer does. */
async function installPackage(userFolder: string, env: NodeJS.ProcessEnv): Promise<void> {
	const tarball = await packPackage();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true }),
	);
	await run(
		'npm',
		['install', tarball, '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'],
		{ cwd: nodesDir, env },
	);
}

async function importAndPublish(
	rt: N8nRuntime,
	userFolder: string,
	env: NodeJS.ProcessEnv,
	options: N8nHostOptions,
): Promise<void> {
	const importDir = path.join(userFolder, 'import');
	mkdirSync(path.join(importDir, 'workflows'), { recursive: true });
	if (options.credentials?.length) {
		const file = path.join(importDir, 'credentials.json');
		writeFileSync(file, JSON.stringify(options.credentials));
		await run(rt.n8nBin, ['import:credentials', `--input=${file}`], { env });
	}
	[...options.workflows, ...(options.drafts ?? [])].forEach((workflow, index) =>
		writeFileSync(
			path.join(importDir, 'workflows', `${index}.json`),
			JSON.stringify({ active: false, ...workflow }),
		),
	);
	await run(
		rt.n8nBin,
		['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`],
		{ env },
	);
	// Publishing writes to the database; a running server would ignore it, so it happens before start.
	// n8n 1.x has no publish:workflow; activating is its publishing.
	for (const workflow of options.workflows) {
		const publish = rt.n8nMajor === 1 ? ['update:workflow', `--id=${workflow.id}`, '--active=true'] : ['publish:workflow', `--id=${workflow.id}`];
		await run(rt.n8nBin, publish, { env });
	}
}

/**
 * The caller's environment without what belongs to the caller: jest sets NODE_ENV=test, which
 * makes n8n behave as in its own test suite (and fail to start).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
	for (const key of Object.keys(env)) if (key.startsWith('JEST_')) delete env[key];
	return env;
}

function logTail(file: string, chars = 4000): string {
	try {
		return readFileSync(file, 'utf8').slice(-chars);
	} catch {
		return '(no log)';
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
