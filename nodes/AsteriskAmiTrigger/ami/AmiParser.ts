/**
 * Streaming parser of Asterisk Manager Interface text: `Key: Value` lines, one message per block,
 * blocks separated by a blank line, CRLF on the wire (LF accepted too). Chunks may split the stream
 * at any byte, so lines are cut at the LF byte and decoded only when complete: 0x0A never occurs
 * inside a multi-byte UTF-8 character, so a character split across chunks is decoded whole.
 */

/** One AMI message (event or response), keys as sent. */
export type AmiMessage = Record<string, string>;

export interface AmiParserOptions {
	/** A message (or a single line) larger than this is dropped, not buffered. Default 64 KiB. */
	maxMessageBytes?: number;
	/** The `Asterisk Call Manager/x.y` line a server sends first on every connection. */
	onBanner?: (banner: string) => void;
	/** Oversized messages; the parser carries on with the next message. */
	onError?: (error: Error) => void;
}

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANNER = /^Asterisk Call Manager\//;

/** Keys come from the network: without a prototype, `__proto__` is just another key. */
function emptyMessage(): AmiMessage {
	return Object.create(null) as AmiMessage;
}

export class AmiParser {
	private readonly maxMessageBytes: number;
	private readonly onBanner?: (banner: string) => void;
	private readonly onError?: (error: Error) => void;

	/** Pieces of the line not yet terminated by LF. */
	private lineParts: Buffer[] = [];
	private lineBytes = 0;
	private lineFirstByte = -1;
	private fields: AmiMessage = emptyMessage();
	private fieldCount = 0;
	private messageBytes = 0;
	/** Set while skipping the rest of an oversized message, up to its blank line. */
	private discarding = false;
	private lastBanner: string | undefined;

	constructor(options: AmiParserOptions = {}) {
		this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
		this.onBanner = options.onBanner;
		this.onError = options.onError;
	}

	/** The banner of the current connection, once seen. */
	get banner(): string | undefined {
		return this.lastBanner;
	}

	/** Feeds one chunk; returns the messages it completed, in order. */
	push(chunk: Buffer | string): AmiMessage[] {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
		const messages: AmiMessage[] = [];
		let start = 0;
		for (;;) {
			const lf = bytes.indexOf(LF, start);
			if (lf === -1) break;
			this.endLine(bytes, start, lf, messages);
			start = lf + 1;
		}
		this.keepPartial(bytes, start);
		return messages;
	}

	/** Forgets everything buffered: a new connection starts a new stream. */
	reset(): void {
		this.resetLine();
		this.resetMessage();
		this.discarding = false;
		this.lastBanner = undefined;
	}

	/** The unterminated end of a chunk waits for the next chunk. */
	private keepPartial(bytes: Buffer, start: number): void {
		if (start === bytes.length) return;
		if (this.lineBytes === 0) this.lineFirstByte = bytes[start];
		this.lineBytes += bytes.length - start;
		if (this.discarding) return;
		if (this.messageBytes + this.lineBytes > this.maxMessageBytes) {
			this.startDiscarding();
			return;
		}
		// Copied: a subarray would pin the whole (possibly large) socket chunk in memory.
		this.lineParts.push(Buffer.from(bytes.subarray(start)));
	}

	/** The line ending at `bytes[end]` (an LF): what is kept from earlier chunks, then start…end. */
	private endLine(bytes: Buffer, start: number, end: number, messages: AmiMessage[]): void {
		const length = this.lineBytes + end - start;
		const firstByte = this.lineBytes > 0 ? this.lineFirstByte : bytes[start];
		const blank = length === 0 || (length === 1 && firstByte === CR);
		// The LF counts too: the cap is on the message as sent.
		if (!this.discarding && this.messageBytes + length + 1 > this.maxMessageBytes) {
			this.startDiscarding();
		}
		if (this.discarding) {
			this.resetLine();
			if (blank) this.discarding = false;
			return;
		}
		if (blank) {
			this.resetLine();
			// Stray blank lines between messages are no message.
			if (this.fieldCount > 0) messages.push(this.fields);
			this.resetMessage();
			return;
		}
		this.messageBytes += length + 1;
		// Most lines lie within one chunk: decoded in place, without copying.
		let line =
			this.lineParts.length === 0
				? bytes.toString('utf8', start, end)
				: Buffer.concat([...this.lineParts, bytes.subarray(start, end)]).toString('utf8');
		this.resetLine();
		if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
		const colon = line.indexOf(':');
		if (colon === -1) {
			// The only colon-less line we expect is the banner; others (the raw output of the
			// Command action on old Asterisk versions, which this client never sends) carry nothing.
			if (this.fieldCount === 0 && BANNER.test(line)) {
				this.messageBytes = 0;
				this.lastBanner = line;
				this.onBanner?.(line);
			}
			return;
		}
		const key = line.slice(0, colon);
		const value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
		// Some events repeat a key (ChanVariable, Variable): keep every value rather than the last.
		this.fields[key] = key in this.fields ? `${this.fields[key]}\n${value}` : value;
		this.fieldCount++;
	}

	private startDiscarding(): void {
		this.discarding = true;
		this.lineParts = [];
		this.resetMessage();
		this.onError?.(new Error(`AMI message larger than ${this.maxMessageBytes} bytes dropped`));
	}

	private resetLine(): void {
		this.lineParts = [];
		this.lineBytes = 0;
		this.lineFirstByte = -1;
	}

	private resetMessage(): void {
		this.fields = emptyMessage();
		this.fieldCount = 0;
		this.messageBytes = 0;
	}
}
