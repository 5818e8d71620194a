/**
 * AmiParser on real AMI traffic: the captures in ../shared/fixtures/ami come from the public
 * repository sweeney/asterisk-mqtt (testdata/fixtures/*.raw, commit
 * 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT licence). Expected counts and values were read
 * from the raw files by hand.
 */
import { AmiParser, type AmiMessage } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import { seededRandom } from '../../support/amiReplayServer';
import { CAPTURES, readCapture, splitRandomly, type CaptureName } from './captures';

function parseAll(chunks: Array<Buffer | string>, parser = new AmiParser()): AmiMessage[] {
	return chunks.flatMap((chunk) => parser.push(chunk));
}

function toCrlf(bytes: Buffer): Buffer {
	return Buffer.from(bytes.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
}

/** Blocks in each capture, counted with `grep -c '^Event:'` and checked against blank lines. */
const MESSAGE_COUNTS: Record<CaptureName, number> = {
	'unanswered-huntgroup': 53,
	'unanswered-cancel': 15,
	'answered-internal': 27,
	'answered-outbound': 23,
};

describe('AmiParser on the captures', () => {
	it.each(CAPTURES)('%s: every block becomes one message with its Event', (name) => {
		const messages = parseAll([readCapture(name)]);
		expect(messages).toHaveLength(MESSAGE_COUNTS[name]);
		for (const message of messages) expect(message.Event).toEqual(expect.any(String));
	});

	it('keeps keys as sent, empty values and values with spaces and ampersands', () => {
		const messages = parseAll([readCapture('unanswered-huntgroup')]);
		expect({ ...messages[0] }).toEqual({
			Event: 'Newchannel',
			Privilege: 'call,all',
			Channel: 'PJSIP/1986-0000001f',
			ChannelState: '4',
			ChannelStateDesc: 'Ring',
			CallerIDNum: '1986',
			CallerIDName: 'Martin',
			ConnectedLineNum: '<unknown>',
			ConnectedLineName: '<unknown>',
			Language: 'en',
			AccountCode: '',
			Context: 'from-internal',
			Exten: '666',
			Priority: '1',
			Uniqueid: '1770888635.49',
			Linkedid: '1770888635.49',
		});
		expect(messages[7].CallerIDName).toBe('Bea & Iris');
		expect(messages[52]).toMatchObject({
			Event: 'Hangup',
			Channel: 'PJSIP/1986-0000001f',
			Cause: '16',
			'Cause-txt': 'Normal Clearing',
		});
	});

	it('keeps a long value with runs of spaces intact', () => {
		const userEvent = parseAll([readCapture('answered-internal')])[25];
		expect(userEvent.Event).toBe('UserEvent');
		expect(userEvent.RTPAUDIOQOSMES).toBe(
			'minrxmes=088.087887;   maxrxmes=088.087887;   avgrxmes=088.087887;   ' +
				'stdevrxmes=000.001040;   mintxmes=087.984495;   maxtxmes=088.087887;   ' +
				'avgtxmes=088.053423;   stdevtxmes=000.048740;',
		);
		expect(userEvent.RTPAUDIOQOSMESBRIDGED).toBe('');
	});

	it.each(CAPTURES)('%s: the same messages whatever the split, LF or CRLF (200 seeds)', (name) => {
		const lf = readCapture(name);
		const crlf = toCrlf(lf);
		const whole = parseAll([lf]);
		expect(parseAll([crlf])).toEqual(whole);
		for (let seed = 1; seed <= 200; seed++) {
			const random = seededRandom(seed);
			const source = seed % 2 === 0 ? crlf : lf;
			const maxChunk = 1 + (seed % 97);
			expect(parseAll(splitRandomly(source, random, maxChunk))).toEqual(whole);
		}
	});

	it('survives one byte at a time', () => {
		const crlf = toCrlf(readCapture('unanswered-cancel'));
		const bytes = [...crlf].map((byte) => Buffer.from([byte]));
		expect(parseAll(bytes)).toEqual(parseAll([crlf]));
	});
});

describe('AmiParser framing', () => {
	it('joins a CRLF split between two chunks', () => {
		const parser = new AmiParser();
		expect(parser.push('Event: FullyBooted\r')).toEqual([]);
		expect(parser.push('\nStatus: Fully Booted\r\n\r')).toEqual([]);
		expect(parseAll(['\n'], parser)).toEqual([{ Event: 'FullyBooted', Status: 'Fully Booted' }]);
	});

	it('decodes a UTF-8 character split between chunks, at every byte position', () => {
		const text = 'Event: Newchannel\r\nCallerIDName: Jörg Müßig 😀\r\n\r\n';
		const bytes = Buffer.from(text, 'utf8');
		for (let cut = 1; cut < bytes.length; cut++) {
			const messages = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
			expect(messages).toEqual([{ Event: 'Newchannel', CallerIDName: 'Jörg Müßig 😀' }]);
		}
	});

	it('reports the banner and does not mistake it for a message', () => {
		const banners: string[] = [];
		const parser = new AmiParser({ onBanner: (banner) => banners.push(banner) });
		const messages = parseAll(
			[
				'Asterisk Call',
				' Manager/5.0.1\r\nResponse: Success\r\nMessage: Authentication accepted\r\n\r\n',
			],
			parser,
		);
		expect(banners).toEqual(['Asterisk Call Manager/5.0.1']);
		expect(parser.banner).toBe('Asterisk Call Manager/5.0.1');
		expect(messages).toEqual([{ Response: 'Success', Message: 'Authentication accepted' }]);
	});

	it('ignores blank lines between messages', () => {
		expect(parseAll(['\r\n\r\nEvent: A\r\n\r\n\r\n\nEvent: B\n\n'])).toEqual([
			{ Event: 'A' },
			{ Event: 'B' },
		]);
	});

	it('keeps every value of a repeated key, and a value that contains colons', () => {
		const text = 'Event: VarSet\r\nChanVariable: A=1\r\nChanVariable: B=2\r\nValue: x:y: z\r\n\r\n';
		expect(parseAll([text])).toEqual([{ Event: 'VarSet', ChanVariable: 'A=1\nB=2', Value: 'x:y: z' }]);
	});

	it('treats a __proto__ key from the wire as a plain key', () => {
		const [message] = parseAll(['Event: X\r\n__proto__: polluted\r\n\r\n']);
		expect(message.__proto__).toBe('polluted');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('reset() forgets a half-received message', () => {
		const parser = new AmiParser();
		parser.push('Event: DialBegin\r\nChannel: PJSIP/2');
		parser.reset();
		expect(parseAll(['Event: Hangup\r\n\r\n'], parser)).toEqual([{ Event: 'Hangup' }]);
	});
});

describe('AmiParser bounds', () => {
	it('drops a message over the cap with one error and parses the next one', () => {
		const errors: Error[] = [];
		const parser = new AmiParser({ maxMessageBytes: 1024, onError: (error) => errors.push(error) });
		const big = `Event: UserEvent\r\n${'Data: 0123456789abcdef\r\n'.repeat(100)}\r\n`;
		const messages = parseAll([big, 'Event: Hangup\r\nCause: 16\r\n\r\n'], parser);
		expect(messages).toEqual([{ Event: 'Hangup', Cause: '16' }]);
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toMatch(/larger than 1024 bytes/);
	});

	it('drops an endless line as it streams in, and recovers at the next blank line', () => {
		const errors: Error[] = [];
		const parser = new AmiParser({ onError: (error) => errors.push(error) });
		const sixteenKiB = 'x'.repeat(16 * 1024);
		for (let i = 0; i < 64; i++) expect(parser.push(sixteenKiB)).toEqual([]);
		const messages = parseAll(['\r\n\r\nEvent: Hangup\r\n\r\n'], parser);
		expect(messages).toEqual([{ Event: 'Hangup' }]);
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toMatch(/larger than 65536 bytes/);
	});

	it('accepts a message exactly at the cap', () => {
		const message = 'Event: A\r\nB: 12\r\n\r\n';
		const bytes = Buffer.byteLength(message);
		const errors: Error[] = [];
		const atCap = new AmiParser({ maxMessageBytes: bytes, onError: (e) => errors.push(e) });
		expect(parseAll([message], atCap)).toEqual([{ Event: 'A', B: '12' }]);
		const belowCap = new AmiParser({ maxMessageBytes: bytes - 1, onError: (e) => errors.push(e) });
		expect(parseAll([message], belowCap)).toEqual([]);
		expect(errors).toHaveLength(1);
	});
});
