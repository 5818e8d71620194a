/**
 * A long-lived AMI connection: connect (TCP or TLS), wait for the banner, log in, deliver events,
 * keep the connection checked with `Ping`, and reconnect with exponential back-off whenever it
 * breaks — including after a refused login, so a wrong secret never turns into a tight loop.
 */
import * as net from 'net';
import * as tls from 'tls';
import { AmiParser, type AmiMessage } from './AmiParser';

export interface AmiClientOptions {
	host: string;
	/** Default 5038 (5039 with TLS). */
	port?: number;
	username: string;
	secret: string;
	/** TLS on (`true`) or with Node's TLS options (CA, client certificate, server name …). */
	tls?: boolean | tls.ConnectionOptions;
	/** Event classes of the `Login` action. Default `call,agent,system`. */
	events?: string;
	/** From connecting to an accepted login. Default 10 s. */
	handshakeTimeoutMs?: number;
	/** `Ping` interval; a ping still unanswered at the next drops the connection. 0 = off. Default 30 s. */
	pingIntervalMs?: number;
	/** First reconnect delay, doubled per failed attempt. Default 1 s. */
	reconnectDelayMs?: number;
	/** Default 30 s. */
	maxReconnectDelayMs?: number;
	/** Up to this fraction is taken off each delay at random, so clients spread out. Default 0.2. */
	reconnectJitter?: number;
	maxMessageBytes?: number;
	/** Every AMI event after a successful login, with its time of receipt (epoch ms). */
	onEvent: (event: AmiMessage, receivedAt: number) => void;
	onStatus?: (status: AmiClientStatus) => void;
	/** Refused logins (`AmiLoginError`), oversized messages, exceptions thrown by the callbacks. */
	onError?: (error: Error) => void;
}

export type AmiClientStatus =
	| { state: 'connecting'; attempt: number }
	| { state: 'connected'; banner: string }
	/** `retryInMs` null: closed by `close()`, no retry. */
	| { state: 'disconnected'; reason: string; retryInMs: number | null };

/** The server answered the `Login` action with an error (usually "Authentication failed"). */
export class AmiLoginError extends Error {
	constructor(
		readonly username: string,
		/** The server's `Message`, e.g. "Authentication failed". */
		readonly reason: string,
	) {
		super(`AMI login as "${username}" failed: ${reason}`);
		this.name = 'AmiLoginError';
	}
}

const DEFAULTS = {
	events: 'call,agent,system',
	handshakeTimeoutMs: 10_000,
	pingIntervalMs: 30_000,
	reconnectDelayMs: 1_000,
	maxReconnectDelayMs: 30_000,
	reconnectJitter: 0.2,
};

type Phase = 'idle' | 'handshake' | 'ready' | 'closed';

export class AmiClient {
	private readonly options: AmiClientOptions;
	private readonly parser: AmiParser;
	private socket: net.Socket | undefined;
	private phase: Phase = 'idle';
	/** Connection attempts since the last accepted login: drives the back-off. */
	private failures = 0;
	private actionCounter = 0;
	private loginActionId: string | undefined;
	private pendingPingId: string | undefined;
	/** Why the current connection ended, reported with the `disconnected` status. */
	private dropReason = '';
	private handshakeTimer: NodeJS.Timeout | undefined;
	private pingTimer: NodeJS.Timeout | undefined;
	private reconnectTimer: NodeJS.Timeout | undefined;

	constructor(options: AmiClientOptions) {
		for (const [name, value] of Object.entries({
			username: options.username,
			secret: options.secret,
			events: options.events,
		})) {
			// A line break would end the Login action early and inject another header.
			if (value !== undefined && /[\r\n]/.test(value)) {
				throw new Error(`AMI ${name} must not contain line breaks`);
			}
		}
		this.options = options;
		this.parser = new AmiParser({
			maxMessageBytes: options.maxMessageBytes,
			onBanner: () => this.login(),
			onError: (error) => this.reportError(error),
		});
	}

	/** Whether logged in and receiving events. */
	get connected(): boolean {
		return this.phase === 'ready';
	}

	/** Connects; from here on the client keeps reconnecting until `close()`. */
	start(): void {
		if (this.phase !== 'idle') return;
		this.connect();
	}

	/** Stops for good: no socket, no timer left behind. */
	async close(): Promise<void> {
		if (this.phase === 'closed') return;
		this.phase = 'closed';
		clearTimeout(this.reconnectTimer);
		// The connection's own timers go with its 'close' event (onClose); the socket stays set
		// until then, so wait for that event even when it is already being destroyed.
		const socket = this.socket;
		if (!socket) return;
		await new Promise<void>((resolve) => {
			socket.once('close', () => resolve());
			socket.destroy();
		});
	}

	private connect(): void {
		const { host, tls: tlsOption } = this.options;
		const port = this.options.port ?? (tlsOption ? 5039 : 5038);
		this.parser.reset();
		this.dropReason = 'connection closed by the server';
		this.pendingPingId = undefined;
		this.phase = 'handshake';
		this.emitStatus({ state: 'connecting', attempt: this.failures + 1 });
		const socket = tlsOption
			? tls.connect({ ...(tlsOption === true ? {} : tlsOption), host, port })
			: net.connect({ host, port });
		this.socket = socket;
		socket.on('data', (chunk: Buffer) => {
			const receivedAt = Date.now();
			for (const message of this.parser.push(chunk)) this.handle(message, receivedAt);
		});
		socket.on('error', (error) => {
			this.dropReason = error.message;
		});
		socket.on('close', () => this.onClose());
		const timeout = this.options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs;
		this.handshakeTimer = setTimeout(() => this.drop(this.handshakeFailure(timeout, `${host}:${port}`)), timeout);
	}

	/** Why the handshake timed out, in words that point at the likely mistake (most often the port). */
	private handshakeFailure(timeout: number, address: string): string {
		// The parser keeps only a banner of Asterisk's form: anything else on the port is no greeting.
		return this.parser.banner === undefined
			? `no Asterisk Manager Interface greeting within ${timeout} ms: is ${address} the AMI port (5038, with TLS 5039)?`
			: `no answer to the login within ${timeout} ms`;
	}

	private login(): void {
		if (this.phase !== 'handshake') return;
		this.loginActionId = this.nextActionId('login');
		this.send({
			Action: 'Login',
			ActionID: this.loginActionId,
			Username: this.options.username,
			Secret: this.options.secret,
			Events: this.options.events ?? DEFAULTS.events,
		});
	}

	private handle(message: AmiMessage, receivedAt: number): void {
		// close() from a callback: the rest of the chunk must not log in or deliver again.
		if (this.phase === 'closed') return;
		const actionId = message.ActionID;
		if (actionId !== undefined && actionId === this.loginActionId) {
			this.onLoginResponse(message);
		} else if (actionId !== undefined && actionId === this.pendingPingId) {
			this.pendingPingId = undefined;
		} else if (message.Event !== undefined && this.phase === 'ready') {
			try {
				this.options.onEvent(message, receivedAt);
			} catch (error) {
				this.reportError(error);
			}
		}
	}

	private onLoginResponse(message: AmiMessage): void {
		this.loginActionId = undefined;
		if (message.Response !== 'Success') {
			const reason = message.Message || 'login refused';
			this.reportError(new AmiLoginError(this.options.username, reason));
			this.drop(`login failed: ${reason}`);
			return;
		}
		clearTimeout(this.handshakeTimer);
		this.phase = 'ready';
		this.failures = 0;
		this.emitStatus({ state: 'connected', banner: this.parser.banner ?? '' });
		const interval = this.options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
		if (interval > 0) this.pingTimer = setInterval(() => this.ping(interval), interval);
	}

	private ping(interval: number): void {
		if (this.pendingPingId !== undefined) {
			this.drop(`no answer to Ping within ${interval} ms`);
			return;
		}
		this.pendingPingId = this.nextActionId('ping');
		this.send({ Action: 'Ping', ActionID: this.pendingPingId });
	}

	private onClose(): void {
		this.socket = undefined;
		this.clearConnectionTimers();
		if (this.phase === 'closed') {
			this.emitStatus({ state: 'disconnected', reason: 'closed', retryInMs: null });
			return;
		}
		this.phase = 'idle';
		const delay = this.nextDelay();
		this.emitStatus({ state: 'disconnected', reason: this.dropReason, retryInMs: delay });
		this.reconnectTimer = setTimeout(() => {
			if (this.phase === 'idle') this.connect();
		}, delay);
	}

	private nextDelay(): number {
		const initial = this.options.reconnectDelayMs ?? DEFAULTS.reconnectDelayMs;
		const max = this.options.maxReconnectDelayMs ?? DEFAULTS.maxReconnectDelayMs;
		const jitter = this.options.reconnectJitter ?? DEFAULTS.reconnectJitter;
		const base = Math.min(max, initial * 2 ** Math.min(this.failures, 30));
		this.failures++;
		return Math.round(base * (1 - jitter * Math.random()));
	}

	private drop(reason: string): void {
		this.dropReason = reason;
		this.socket?.destroy();
	}

	private send(fields: Record<string, string>): void {
		const text = Object.entries(fields)
			.map(([key, value]) => `${key}: ${value}\r\n`)
			.join('');
		this.socket?.write(`${text}\r\n`);
	}

	private nextActionId(kind: string): string {
		this.actionCounter++;
		return `n8n-${kind}-${this.actionCounter}`;
	}

	private clearConnectionTimers(): void {
		clearTimeout(this.handshakeTimer);
		clearInterval(this.pingTimer);
		this.handshakeTimer = undefined;
		this.pingTimer = undefined;
	}

	private emitStatus(status: AmiClientStatus): void {
		try {
			this.options.onStatus?.(status);
		} catch (error) {
			this.reportError(error);
		}
	}

	private reportError(error: unknown): void {
		// A throwing error callback must not take the socket's event loop down with it.
		try {
			this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
		} catch {
			// Nothing left to report to.
		}
	}
}
