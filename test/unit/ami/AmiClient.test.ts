/**
 * AmiClient against a real loopback TCP server (test/support/amiReplayServer.ts) replaying the
 * captures in ../shared/fixtures/ami, which come from the public repository sweeney/asterisk-mqtt
 * (testdata/fixtures/*.raw, commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT licence).
 * Back-off delays are shortened to milliseconds; nothing here waits on a fixed sleep for success.
 */
import * as net from 'net';
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import { AmiCallMapper } from '../../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import {
	AmiClient,
	AmiLoginError,
	type AmiClientOptions,
	type AmiClientStatus,
} from '../../../nodes/AsteriskAmiTrigger/ami/AmiClient';
import { AmiParser, type AmiMessage } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import type { CallRecord, TriggerRecord } from '../../../nodes/shared/callModel';
import {
	startAmiReplayServer,
	type AmiReplayServer,
	type AmiReplayServerOptions,
} from '../../support/amiReplayServer';
import { readCapture } from './captures';

const USER = 'n8n';
const SECRET = 's3cret';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

async function server(options: Partial<AmiReplayServerOptions> = {}): Promise<AmiReplayServer> {
	const started = await startAmiReplayServer({
		username: USER,
		secret: SECRET,
		capture: readCapture('unanswered-cancel'),
		...options,
	});
	cleanups.push(() => started.close());
	return started;
}

interface Recorded {
	client: AmiClient;
	events: AmiMessage[];
	statuses: AmiClientStatus[];
	errors: Error[];
}

function client(port: number, options: Partial<AmiClientOptions> = {}): Recorded {
	const recorded: Omit<Recorded, 'client'> = { events: [], statuses: [], errors: [] };
	const started = new AmiClient({
		host: '127.0.0.1',
		port,
		username: USER,
		secret: SECRET,
		reconnectDelayMs: 20,
		maxReconnectDelayMs: 200,
		onEvent: (message) => recorded.events.push(message),
		onStatus: (status) => recorded.statuses.push(status),
		onError: (error) => recorded.errors.push(error),
		...options,
	});
	cleanups.push(() => started.close());
	started.start();
	return { client: started, ...recorded };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Handles that would keep the process alive: sockets, servers, timers. */
function openHandles(): string[] {
	return process
		.getActiveResourcesInfo()
		.filter((kind) => ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'].includes(kind))
		.sort();
}

const states = (statuses: AmiClientStatus[]) => statuses.map((s) => s.state);

describe('AmiClient', () => {
	it('logs in, receives every event of the capture, and reports its status', async () => {
		const ami = await server();
		const { client: ami_client, events, statuses, errors } = client(ami.port);
		await waitFor(() => events.length === 15, 'the 15 events of unanswered-cancel');
		expect(events).toEqual(new AmiParser().push(readCapture('unanswered-cancel')));
		expect(ami_client.connected).toBe(true);
		expect(statuses).toEqual([
			{ state: 'connecting', attempt: 1 },
			{ state: 'connected', banner: 'Asterisk Call Manager/5.0.1' },
		]);
		expect(ami.connections).toHaveLength(1);
		expect(ami.connections[0].actions[0]).toMatchObject({
			action: 'Login',
			username: USER,
			secret: SECRET,
			events: 'call,agent,system',
		});
		await ami_client.close();
		expect(statuses.at(-1)).toEqual({ state: 'disconnected', reason: 'closed', retryInMs: null });
		expect(errors).toEqual([]);
	});

	it('a refused login is reported, retried with growing delays, never in a tight loop', async () => {
		const ami = await server();
		const { events, statuses, errors } = client(ami.port, {
			secret: 'wrong',
			reconnectDelayMs: 40,
			maxReconnectDelayMs: 160,
			reconnectJitter: 0,
		});
		await waitFor(() => ami.connections.length >= 4, 'four login attempts');
		const watchedFrom = Date.now();
		const attemptsBefore = ami.connections.length;
		await new Promise((resolve) => setTimeout(resolve, 500));
		// At the 160 ms ceiling, half a second holds at most four more attempts.
		expect(ami.connections.length - attemptsBefore).toBeLessThanOrEqual(4);
		expect(Date.now() - watchedFrom).toBeGreaterThanOrEqual(500);

		expect(errors[0]).toBeInstanceOf(AmiLoginError);
		expect(errors[0].message).toBe('AMI login as "n8n" failed: Authentication failed');
		const retries = statuses.flatMap((s) => (s.state === 'disconnected' ? [s] : []));
		expect(retries.slice(0, 4)).toEqual(
			[40, 80, 160, 160].map((retryInMs) => ({
				state: 'disconnected',
				reason: 'login failed: Authentication failed',
				retryInMs,
			})),
		);
		const loginGaps = ami.connections
			.slice(1, 4)
			.map((c, i) => c.logins[0].at - ami.connections[i].logins[0].at);
		expect(loginGaps[0]).toBeGreaterThanOrEqual(35);
		expect(loginGaps[1]).toBeGreaterThanOrEqual(75);
		expect(loginGaps[2]).toBeGreaterThanOrEqual(150);
		expect(events).toEqual([]);
		expect(ami.connections.every((c) => c.logins.every((login) => !login.accepted))).toBe(true);
	});

	it.each([7, 99])(
		'delivers the same events when the server cuts its bytes at random (seed %i)',
		async (seed) => {
			const capture = readCapture('unanswered-huntgroup');
			const ami = await server({ capture, split: { seed, maxChunk: 48, maxDelayMs: 1 } });
			const { events } = client(ami.port);
			await waitFor(() => events.length === 53, 'the 53 events of unanswered-huntgroup');
			expect(events).toEqual(new AmiParser().push(capture));
		},
	);

	it('reconnects after the server drops mid-message, and the hunt-group call still completes', async () => {
		const capture = readCapture('unanswered-huntgroup');
		// 40 bytes into message 39, the first DialEnd (phone 11): that message is lost.
		const cut = capture.indexOf('Event: DialEnd') + 40;
		const ami = await server({ capture, dropAfterBytes: cut, split: { seed: 5, maxChunk: 200, maxDelayMs: 0 } });
		const mapper = new AmiCallMapper();
		const assembler = new CallAssembler();
		const records: TriggerRecord[] = [];
		const { events, statuses } = client(ami.port, {
			onEvent: (message, receivedAt) => {
				events.push(message);
				for (const e of mapper.map(message, receivedAt)) records.push(...assembler.push(e));
			},
		});
		await waitFor(() => records.length === 1, 'the call record');
		expect(states(statuses)).toEqual([
			'connecting',
			'connected',
			'disconnected',
			'connecting',
			'connected',
		]);
		expect(ami.connections).toHaveLength(2);
		// 39 messages before the cut, 13 after it (40–52): 52 of 53.
		expect(events).toHaveLength(52);
		const record = records[0] as CallRecord;
		expect(record).toMatchObject({
			callId: '1770888635.49',
			outcome: 'missed',
			incomplete: false,
			caller: { number: '1986', name: 'Martin', restricted: false },
		});
		expect(record.legs.map((leg) => [leg.line, leg.result])).toEqual(
			['11', '12', '21', '41', '42', '51'].map((line) => [line, 'notAnswered']),
		);
		// Phone 11's DialEnd was lost: its leg runs until the caller's hangup ended the call.
		expect(record.legs[0].ringingUntil).toBe(record.resolvedAt);
	});

	it('drops a connection whose pings go unanswered, and reconnects', async () => {
		const ami = await server({ answerPings: false });
		const { statuses } = client(ami.port, { pingIntervalMs: 50 });
		await waitFor(() => ami.connections.length >= 2, 'a second connection');
		expect(statuses[2]).toEqual({
			state: 'disconnected',
			reason: 'no answer to Ping within 50 ms',
			retryInMs: expect.any(Number),
		});
	});

	it('keeps a connection whose pings are answered', async () => {
		const ami = await server();
		const { statuses } = client(ami.port, { pingIntervalMs: 30 });
		await waitFor(() => ami.connections[0]?.actions.filter((a) => a.action === 'Ping').length >= 5, 'five pings');
		expect(states(statuses)).toEqual(['connecting', 'connected']);
	});

	it('gives up on a server that never sends a banner, and retries', async () => {
		const silent = net.createServer(() => undefined);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const sockets: net.Socket[] = [];
		silent.on('connection', (socket) => sockets.push(socket));
		cleanups.push(
			() =>
				new Promise<void>((resolve) => {
					for (const socket of sockets) socket.destroy();
					silent.close(() => resolve());
				}),
		);
		const { statuses } = client((silent.address() as net.AddressInfo).port, {
			handshakeTimeoutMs: 100,
		});
		await waitFor(() => statuses.length >= 2, 'a disconnect');
		expect(statuses[1]).toEqual({
			state: 'disconnected',
			reason: 'no accepted login within 100 ms',
			retryInMs: expect.any(Number),
		});
	});

	it('reports a refused connection and keeps trying', async () => {
		const ami = await server();
		const port = ami.port;
		await ami.close();
		const { statuses } = client(port, { reconnectDelayMs: 10 });
		await waitFor(() => states(statuses).filter((s) => s === 'connecting').length >= 3, 'three attempts');
		expect(statuses[1]).toMatchObject({ state: 'disconnected', reason: expect.stringContaining('ECONNREFUSED') });
	});

	it('an exception in onEvent is reported, and delivery goes on', async () => {
		const ami = await server();
		let calls = 0;
		const { errors } = client(ami.port, {
			onEvent: () => {
				calls++;
				throw new Error(`handler failed ${calls}`);
			},
		});
		await waitFor(() => calls === 15, 'all 15 events');
		expect(errors.map((e) => e.message)).toEqual(
			Array.from({ length: 15 }, (_, i) => `handler failed ${i + 1}`),
		);
	});

	it('refuses credentials with line breaks (they would inject AMI headers)', () => {
		expect(
			() =>
				new AmiClient({ host: 'x', username: USER, secret: 'a\r\nAction: Originate', onEvent: () => undefined }),
		).toThrow('AMI secret must not contain line breaks');
	});

	describe('close() leaves nothing running', () => {
		/**
		 * The handle list once it stops changing: a closed server's handle, for one, is released a
		 * tick after its close callback. Measured inside the test, so jest's own timers match.
		 */
		async function settledHandles(): Promise<string[]> {
			let previous = '';
			for (let round = 0; round < 50; round++) {
				await new Promise((resolve) => setTimeout(resolve, 5));
				const now = JSON.stringify(openHandles());
				if (now === previous) break;
				previous = now;
			}
			return JSON.parse(previous) as string[];
		}

		/** Closes the test servers too, then expects exactly the handles open before the test. */
		async function expectAllReleased(baseline: string[]): Promise<void> {
			while (cleanups.length > 0) await cleanups.pop()!();
			expect(await settledHandles()).toEqual(baseline);
		}

		it('while connected', async () => {
			const baseline = await settledHandles();
			const ami = await server({ split: { seed: 1, maxChunk: 16, maxDelayMs: 2 } });
			// A ping timer runs too; the replay is still trickling in when close() comes.
			const { client: ami_client, events } = client(ami.port, { pingIntervalMs: 1000 });
			await waitFor(() => events.length > 0, 'the first event');
			await ami_client.close();
			await expectAllReleased(baseline);
		});

		it('while waiting to reconnect after a refused login', async () => {
			const baseline = await settledHandles();
			const ami = await server();
			const { client: ami_client, statuses } = client(ami.port, {
				secret: 'wrong',
				reconnectDelayMs: 60_000,
			});
			await waitFor(() => statuses.some((s) => s.state === 'disconnected'), 'the refusal');
			await ami_client.close();
			await expectAllReleased(baseline);
			expect(ami.connections).toHaveLength(1);
		});

		it('while still waiting for the banner', async () => {
			const baseline = await settledHandles();
			const silent = net.createServer(() => undefined);
			await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
			const { client: ami_client, statuses } = client((silent.address() as net.AddressInfo).port);
			await waitFor(() => statuses.length === 1, 'the connection attempt');
			await ami_client.close();
			await new Promise<void>((resolve) => silent.close(() => resolve()));
			await expectAllReleased(baseline);
		});
	});
});
