/**
 * A loopback stand-in for Asterisk's manager port, for tests: banner, `Login` checked against the
 * configured credentials, then a recorded AMI capture replayed byte for byte. It can cut the
 * stream into random pieces with small pauses (seeded, so a failure can be replayed), and drop the
 * connection part-way or fall silent on it; the next connection then carries on with the rest of the
 * capture.
 *
 * Client actions are parsed here with a few lines of its own rather than with the AmiParser under
 * test, so that a parser bug cannot hide itself on both ends.
 */
import * as net from 'net';

export interface AmiReplayServerOptions {
	username: string;
	secret: string;
	/** Bytes replayed after a successful login (a `.raw` capture). */
	capture: Buffer;
	/** Cut everything sent into random pieces of 1…maxChunk bytes (64), 0…maxDelayMs ms apart (2). */
	split?: { seed: number; maxChunk?: number; maxDelayMs?: number };
	/**
	 * Close the first logged-in connection after this many capture bytes (mid-message is fine).
	 * The message cut there is lost, as on a real connection; the next connection replays from
	 * the message after it.
	 */
	dropAfterBytes?: number;
	/**
	 * As `dropAfterBytes`, but the first logged-in connection is not closed: after this many capture
	 * bytes it sends nothing more (pings are still answered) until the client closes it, as a PBX
	 * goes on while a client is replaced by another (a workflow published again). The next
	 * connection replays from the message after the cut. Not together with `dropAfterBytes`.
	 */
	holdAfterBytes?: number;
	/** Whether `Ping` is answered. Default true; false lets a client's keep-alive see a dead peer. */
	answerPings?: boolean;
}

export interface ReplayConnection {
	/** Every action the client sent, keys lower-cased. */
	actions: Array<Record<string, string>>;
	/** Each `Login` action received (time of receipt), with the answer given. */
	logins: Array<{ at: number; accepted: boolean }>;
	/** Whether the client closed the connection (the server had not hung up first). */
	closedByClient: boolean;
}

export interface AmiReplayServer {
	port: number;
	/** Every accepted connection, in order. */
	connections: ReplayConnection[];
	close(): Promise<void>;
}

const CRLF = '\r\n';
const BANNER = 'Asterisk Call Manager/5.0.1';

/** mulberry32: tiny, seedable, good enough to pick chunk sizes. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A response as Asterisk writes it: CRLF lines, blank line at the end. */
function reply(response: string, actionId: string, fields: Record<string, string>): Buffer {
	const lines = Object.entries({ Response: response, ActionID: actionId, ...fields }).map(
		([key, value]) => `${key}: ${value}${CRLF}`,
	);
	return Buffer.from(`${lines.join('')}${CRLF}`, 'utf8');
}

/** Start of the first message beginning at or after `offset` (messages end with a blank line). */
function nextMessageStart(capture: Buffer, offset: number): number {
	const text = capture.toString('latin1');
	if (offset === 0 || /\n\r?\n$/.test(text.slice(0, offset))) return offset;
	const blank = /\n\r?\n/g;
	blank.lastIndex = offset;
	const match = blank.exec(text);
	return match ? match.index + match[0].length : capture.length;
}

export async function startAmiReplayServer(
	options: AmiReplayServerOptions,
): Promise<AmiReplayServer> {
	if (options.dropAfterBytes !== undefined && options.holdAfterBytes !== undefined) {
		throw new Error('dropAfterBytes and holdAfterBytes cannot be combined');
	}
	const random = options.split ? seededRandom(options.split.seed) : undefined;
	const maxChunk = options.split?.maxChunk ?? 64;
	const maxDelayMs = options.split?.maxDelayMs ?? 2;
	const connections: ReplayConnection[] = [];
	const sockets = new Set<net.Socket>();
	const pumps = new Set<Promise<void>>();
	let replayOffset = 0;
	/** Sockets the server ended or destroyed itself. */
	const hungUp = new WeakSet<net.Socket>();
	const hold = options.holdAfterBytes !== undefined;
	const cutAfterBytes = options.dropAfterBytes ?? options.holdAfterBytes;
	let cutPending = cutAfterBytes !== undefined;

	const server = net.createServer((socket) => {
		sockets.add(socket);
		// Each piece goes out on its own, not coalesced by Nagle (and not held for a delayed ACK).
		socket.setNoDelay(true);
		const connection: ReplayConnection = { actions: [], logins: [], closedByClient: false };
		connections.push(connection);
		let outbox = Buffer.alloc(0);
		let endWhenSent = false;
		let pumping = false;
		let inbox = '';

		socket.on('close', () => {
			sockets.delete(socket);
			connection.closedByClient = !hungUp.has(socket);
		});
		socket.on('error', () => {
			// The client going away mid-write is part of what these tests do.
		});

		const pump = async (): Promise<void> => {
			while (outbox.length > 0 && !socket.destroyed) {
				const size = random ? 1 + Math.floor(random() * maxChunk) : outbox.length;
				const chunk = outbox.subarray(0, size);
				outbox = outbox.subarray(size);
				await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
				if (random && maxDelayMs > 0) {
					const pause = Math.floor(random() * (maxDelayMs + 1));
					await new Promise((resolve) => setTimeout(resolve, pause));
				}
			}
			// Same tick as the check in endAfterSending(): one of the two ends the socket.
			pumping = false;
			if (endWhenSent) hangUp();
		};
		const send = (bytes: Buffer): void => {
			if (endWhenSent) return;
			outbox = Buffer.concat([outbox, bytes]);
			if (pumping) return;
			pumping = true;
			const running = pump().finally(() => pumps.delete(running));
			pumps.add(running);
		};
		const hangUp = (): void => {
			hungUp.add(socket);
			socket.end();
		};
		const endAfterSending = (): void => {
			endWhenSent = true;
			if (!pumping) hangUp();
		};

		const replay = (): void => {
			if (cutPending && cutAfterBytes !== undefined) {
				cutPending = false;
				const cut = Math.min(options.capture.length, replayOffset + cutAfterBytes);
				send(options.capture.subarray(replayOffset, cut));
				// Held: the connection stays open, silent but for answers, till the client closes it.
				if (!hold) endAfterSending();
				replayOffset = nextMessageStart(options.capture, cut);
				return;
			}
			send(options.capture.subarray(replayOffset));
			replayOffset = options.capture.length;
		};

		const onAction = (action: Record<string, string>): void => {
			connection.actions.push(action);
			const actionId = action.actionid ?? '';
			switch (action.action?.toLowerCase()) {
				case 'login': {
					const accepted =
						action.username === options.username && action.secret === options.secret;
					connection.logins.push({ at: Date.now(), accepted });
					if (!accepted) {
						send(reply('Error', actionId, { Message: 'Authentication failed' }));
						// Asterisk hangs up on a failed login.
						endAfterSending();
						return;
					}
					send(reply('Success', actionId, { Message: 'Authentication accepted' }));
					replay();
					return;
				}
				case 'ping':
					if (options.answerPings !== false) {
						send(reply('Success', actionId, { Ping: 'Pong', Timestamp: `${Date.now() / 1000}` }));
					}
					return;
				default:
					send(reply('Error', actionId, { Message: 'Invalid/unknown command' }));
			}
		};

		socket.on('data', (chunk: Buffer) => {
			inbox += chunk.toString('utf8');
			let end: number;
			while ((end = inbox.indexOf(`${CRLF}${CRLF}`)) !== -1) {
				const block = inbox.slice(0, end);
				inbox = inbox.slice(end + 4);
				const action: Record<string, string> = {};
				for (const line of block.split(CRLF)) {
					const colon = line.indexOf(':');
					if (colon > 0) {
						action[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
					}
				}
				onAction(action);
			}
		});

		send(Buffer.from(`${BANNER}${CRLF}`, 'utf8'));
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address() as net.AddressInfo;

	return {
		port: address.port,
		connections,
		async close() {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) {
				hungUp.add(socket);
				socket.destroy();
			}
			await Promise.all([...pumps]);
			await closed;
		},
	};
}
