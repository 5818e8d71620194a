/**
 * AmiClient against a real loopback TCP server (test/support/amiReplayServer.ts) replaying the
 * captures in ../shared/fixtures/ami, which come from the public repository sweeney/asterisk-mqtt
 * (testdata/fixtures/*.raw, commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT licence).
 * Back-off delays are shortened to milliseconds. Tests wait for what they expect by polling, never
 * by a fixed sleep; only "no tight loop" needs a fixed time to watch.
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
import type { AmiMessage } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import type { CallRecord, TriggerRecord } from '../../../nodes/shared/callModel';
import { readCapture } from './captures';
import { SECRET, USER, cleanUp, onCleanup, server, sleep, waitFor } from './loopback';

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
	onCleanup(() => started.close());
	started.start();
	return { client: started, ...recorded };
}

/** Sockets and servers still open in this process. */
function openSockets(): string[] {
	return process
		.getActiveResourcesInfo()
		.filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPServerWrap')
		.sort();
}

const states = (statuses: AmiClientStatus[]) => statuses.map((s) => s.state);

/**
 * A capture's messages read without AmiParser, straight from the file's layout: blocks between
 * blank lines (the files use LF), each line `Key: Value`, split at its first `: `.
 */
function blocksOf(capture: Buffer): Array<Record<string, string>> {
	return capture
		.toString('utf8')
		.split(/\r?\n\r?\n/)
		.filter((block) => block.trim() !== '')
		.map((block) =>
			Object.fromEntries(
				block.split(/\r?\n/).map((line) => {
					const separator = line.indexOf(': ');
					return [line.slice(0, separator), line.slice(separator + 2)];
				}),
			),
		);
}

/** The events of unanswered-cancel in order, read from the raw file (`grep '^Event:'`). */
const CANCEL_EVENTS = [
	'Newchannel',
	'NewConnectedLine',
	'NewConnectedLine',
	'Newchannel',
	'NewConnectedLine',
	'DialBegin',
	'NewConnectedLine',
	'Newstate',
	'DialState',
	'HangupRequest',
	'DialEnd',
	'SoftHangupRequest',
	'Hangup',
	'UserEvent',
	'Hangup',
];

describe('AmiClient', () => {
	it('logs in, receives every event of the capture, and reports its status', async () => {
		const ami = await server();
		const { client: amiClient, events, statuses, errors } = client(ami.port);
		await waitFor(() => events.length === 15, 'the 15 events of unanswered-cancel');
		expect(events.map((event) => event.Event)).toEqual(CANCEL_EVENTS);
		expect(events.map((event) => ({ ...event }))).toEqual(blocksOf(readCapture('unanswered-cancel')));
		// Read from the raw file by hand: the caller's channel first, its hangup last.
		expect({ ...events[0] }).toMatchObject({
			Event: 'Newchannel',
			Channel: 'PJSIP/1986-0000001d',
			CallerIDName: 'Martin',
			AccountCode: '',
			Exten: '21',
			Uniqueid: '1770888559.46',
		});
		expect({ ...events[14] }).toMatchObject({
			Event: 'Hangup',
			ConnectedLineName: 'Kitchen',
			Context: 'macro-hangupcall',
			Cause: '127',
			'Cause-txt': 'Interworking, unspecified',
			TechCause: '487',
		});
		expect(amiClient.connected).toBe(true);
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
		await amiClient.close();
		expect(statuses.at(-1)).toEqual({ state: 'disconnected', reason: 'closed', retryInMs: null });
		expect(errors).toEqual([]);
	});

	it('a refused login is reported and retried with growing delays, never in a tight loop', async () => {
		const ami = await server();
		const { events, statuses, errors } = client(ami.port, {
			secret: 'wrong',
			reconnectDelayMs: 40,
			maxReconnectDelayMs: 160,
			reconnectJitter: 0,
		});
		await waitFor(() => ami.connections.length >= 4, 'four login attempts');
		const attemptsBefore = ami.connections.length;
		// Watching for what must not happen takes a while: at the 160 ms ceiling, half a second
		// holds at most four more attempts (a tight loop would make hundreds).
		await sleep(500);
		expect(ami.connections.length - attemptsBefore).toBeLessThanOrEqual(4);

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
			// 53 blocks, as `grep -c '^Event:'` counts in the raw file.
			const blocks = blocksOf(capture);
			expect(blocks).toHaveLength(53);
			expect(events.map((event) => ({ ...event }))).toEqual(blocks);
			// Read from the raw file by hand: first and last message, and a name with an ampersand.
			expect(events[0]).toMatchObject({ Event: 'Newchannel', Channel: 'PJSIP/1986-0000001f', Uniqueid: '1770888635.49' });
			expect(events[7].CallerIDName).toBe('Bea & Iris');
			expect(events[52]).toMatchObject({ Event: 'Hangup', Cause: '16', 'Cause-txt': 'Normal Clearing' });
		},
	);

	it('reconnects after a drop mid-message, and the hunt-group call still completes', async () => {
		const capture = readCapture('unanswered-huntgroup');
		// 40 bytes into message 39, the first DialEnd (phone 11): that message is lost.
		const cut = capture.indexOf('Event: DialEnd') + 40;
		const ami = await server({
			capture,
			dropAfterBytes: cut,
			split: { seed: 5, maxChunk: 200, maxDelayMs: 0 },
		});
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
		const pings = () => ami.connections[0]?.actions.filter((a) => a.action === 'Ping').length ?? 0;
		await waitFor(() => pings() >= 5, 'five pings');
		expect(states(statuses)).toEqual(['connecting', 'connected']);
	});

	it.each([
		['never sends a banner', () => undefined, 'greeting'],
		['is not an AMI (an HTTP server on the port)', (socket: net.Socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'), 'greeting'],
		['greets as Asterisk but never answers the login', (socket: net.Socket) => socket.write('Asterisk Call Manager/5.0.1\r\n'), 'login'],
	])('gives up on a server that %s, saying what is missing, and retries', async (_what, greet, missing) => {
		const silent = net.createServer(greet);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const sockets: net.Socket[] = [];
		silent.on('connection', (socket) => sockets.push(socket));
		onCleanup(
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
		const port = (silent.address() as net.AddressInfo).port;
		expect(statuses[1]).toEqual({
			state: 'disconnected',
			reason:
				missing === 'greeting'
					? `no Asterisk Manager Interface greeting within 100 ms: is 127.0.0.1:${port} the AMI port (5038, with TLS 5039)?`
					: 'no answer to the login within 100 ms',
			retryInMs: expect.any(Number),
		});
	});

	it('reports a refused connection and keeps trying', async () => {
		const ami = await server();
		const port = ami.port;
		await ami.close();
		const { statuses } = client(port, { reconnectDelayMs: 10 });
		const attempts = () => states(statuses).filter((s) => s === 'connecting').length;
		await waitFor(() => attempts() >= 3, 'three attempts');
		expect(statuses[1]).toMatchObject({
			state: 'disconnected',
			reason: expect.stringContaining('ECONNREFUSED'),
		});
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
		const options = { host: 'x', username: USER, onEvent: () => undefined };
		expect(() => new AmiClient({ ...options, secret: 'a\r\nAction: Originate' })).toThrow(
			'AMI secret must not contain line breaks',
		);
	});

	describe('close() leaves nothing running', () => {
		// The client's timers become fake ones that jest counts; its sockets stay real.
		beforeEach(() => {
			jest.useFakeTimers({
				doNotFake: ['Date', 'nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'],
			});
		});
		afterEach(() => {
			jest.useRealTimers();
		});

		/** The socket list once it stops changing (a closed server is released a tick later). */
		async function settledSockets(): Promise<string[]> {
			let previous = '';
			for (let round = 0; round < 50; round++) {
				await sleep(5);
				const now = JSON.stringify(openSockets());
				if (now === previous) break;
				previous = now;
			}
			return JSON.parse(previous) as string[];
		}

		/** Closes the test servers too, then expects no timer and only the sockets of before. */
		async function expectAllReleased(baseline: string[]): Promise<void> {
			await cleanUp();
			expect(jest.getTimerCount()).toBe(0);
			expect(await settledSockets()).toEqual(baseline);
		}

		it('while connected, with the ping timer running', async () => {
			const baseline = await settledSockets();
			const ami = await server();
			const { client: amiClient, events } = client(ami.port, { pingIntervalMs: 1000 });
			await waitFor(() => events.length > 0, 'the first event');
			expect(jest.getTimerCount()).toBe(1);
			await amiClient.close();
			await expectAllReleased(baseline);
		});

		it('while waiting to reconnect after a refused login', async () => {
			const baseline = await settledSockets();
			const ami = await server();
			const { client: amiClient, statuses } = client(ami.port, { secret: 'wrong' });
			await waitFor(() => statuses.some((s) => s.state === 'disconnected'), 'the refusal');
			expect(jest.getTimerCount()).toBe(1);
			await amiClient.close();
			await expectAllReleased(baseline);
			expect(ami.connections).toHaveLength(1);
		});

		it('while still waiting for the banner', async () => {
			const baseline = await settledSockets();
			const silent = net.createServer(() => undefined);
			const sockets: net.Socket[] = [];
			silent.on('connection', (socket) => sockets.push(socket));
			await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
			const { client: amiClient, statuses } = client((silent.address() as net.AddressInfo).port);
			// Connected, and so waiting for the banner: the server has accepted the socket.
			await waitFor(() => sockets.length === 1, 'the accepted connection');
			expect(states(statuses)).toEqual(['connecting']);
			expect(jest.getTimerCount()).toBe(1);
			await amiClient.close();
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => silent.close(() => resolve()));
			await expectAllReleased(baseline);
		});
	});
});
