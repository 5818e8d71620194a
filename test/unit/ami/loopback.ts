/**
 * For the AMI tests that talk to a loopback AMI server (test/support/amiReplayServer.ts): its
 * credentials, closing what a test started, and waiting by polling rather than by fixed sleeps.
 */
import * as net from 'net';
import {
	startAmiReplayServer,
	type AmiReplayServer,
	type AmiReplayServerOptions,
} from '../../support/amiReplayServer';
import { readCapture } from './captures';

export const USER = 'n8n';
export const SECRET = 's3cret';

const cleanups: Array<() => Promise<unknown>> = [];

/** Registers what the current test must close; everything is closed after it, last first. */
export function onCleanup(close: () => Promise<unknown>): void {
	cleanups.push(close);
}

export async function cleanUp(): Promise<void> {
	while (cleanups.length > 0) await cleanups.pop()!();
}

afterEach(cleanUp);

/** A server accepting USER/SECRET that replays unanswered-cancel unless told otherwise. */
export async function server(options: Partial<AmiReplayServerOptions> = {}): Promise<AmiReplayServer> {
	const started = await startAmiReplayServer({
		username: USER,
		secret: SECRET,
		capture: readCapture('unanswered-cancel'),
		...options,
	});
	onCleanup(() => started.close());
	return started;
}

/** Taken before any test fakes the timers: polling must keep working then. */
const realSetTimeout = setTimeout;
export const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await sleep(10);
	}
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as net.AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}
