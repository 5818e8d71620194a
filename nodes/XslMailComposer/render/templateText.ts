/**
 * The text of a template file (binary input), read as XML 1.0 §4.3.3 and Appendix F say: a byte
 * order mark, else UTF-16's first bytes, else the declaration's `encoding="…"`, else UTF-8. A file
 * a Windows editor saved as windows-1252 is common; read as UTF-8 its umlauts would reach every
 * mail as "�".
 * Other character sets are iconv-lite's: Node 20's TextDecoder reads windows-1252 as Latin-1
 * (0x80 became U+0080, not "€").
 */
import * as iconv from 'iconv-lite';
import { TemplateError } from './errors';
import { LONE_SURROGATES } from '../../shared/text';

const DECLARED_ENCODING = /^<\?xml\s[^?>]*?\bencoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\1/;

export function templateText(bytes: Uint8Array): string {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (startsWith(buffer, 0xef, 0xbb, 0xbf)) return utf8(buffer.subarray(3), 'its byte order mark');
	// iconv-lite's "utf-16" reads the byte order mark and drops it.
	if (startsWith(buffer, 0xff, 0xfe) || startsWith(buffer, 0xfe, 0xff)) return decoded(buffer, 'utf-16', 'its byte order mark');
	// Appendix F: without a mark, UTF-16's "<?" is 3C 00 3F 00 (little-endian) or 00 3C 00 3F.
	if (startsWith(buffer, 0x3c, 0x00, 0x3f, 0x00)) return decoded(buffer, 'utf-16le', 'its first bytes');
	if (startsWith(buffer, 0x00, 0x3c, 0x00, 0x3f)) return decoded(buffer, 'utf-16be', 'its first bytes');
	const declared = DECLARED_ENCODING.exec(buffer.subarray(0, 200).toString('latin1'))?.[2];
	if (declared === undefined) return utf8(buffer, 'no encoding="…" in an <?xml …?> declaration');
	if (/^utf-?8$/i.test(declared)) return utf8(buffer, `encoding="${declared}"`);
	if (/^(utf-?(16|32)|ucs-?[24])/i.test(declared)) {
		// The declaration was read one byte per letter: the file is not in the character set it names.
		throw new TemplateError(
			`the template declares encoding="${declared}" but is saved with one byte per letter; ` +
				'save it as UTF-16 with a byte order mark, or declare the character set it is saved in',
			1,
		);
	}
	if (!iconv.encodingExists(declared)) {
		throw new TemplateError(`the template declares encoding="${declared}", which is not a known character set`, 1);
	}
	return decoded(buffer, declared, `encoding="${declared}"`);
}

const startsWith = (buffer: Buffer, ...start: number[]) => start.every((byte, index) => buffer[index] === byte);

/** U+FFFD, or half a UTF-16 surrogate pair (which becomes U+FFFD in the mail). */
const UNREADABLE = new RegExp(String.raw`\uFFFD|${LONE_SURROGATES.source}`);

/**
 * The text in a character set other than UTF-8. iconv-lite puts U+FFFD for bytes the set does not
 * define (0x81 in windows-1252, any 8-bit byte in US-ASCII) and keeps half a UTF-16 surrogate pair
 * as it is: refused like UTF-8's.
 */
function decoded(buffer: Buffer, charset: string, because: string): string {
	const text = iconv.decode(buffer, charset);
	const at = text.search(UNREADABLE);
	if (at === -1) return text;
	throw new TemplateError(
		`the template is not valid ${charset} (${because}): a character cannot be read; save the file in the ` +
			'character set it declares, or declare the one it is saved in',
		text.slice(0, at).split('\n').length,
	);
}

function utf8(bytes: Buffer, because: string): string {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		const at = firstUndecodable(bytes);
		const line = bytes.subarray(0, at).filter((byte) => byte === 0x0a).length + 1;
		const byte = bytes[at].toString(16).padStart(2, '0').toUpperCase();
		throw new TemplateError(
			`the template is not valid UTF-8 (${because}): byte 0x${byte} cannot be read; save the file as UTF-8, ` +
				'or name its character set in <?xml version="1.0" encoding="…"?> (for example "windows-1252")',
			line,
		);
	}
}

/**
 * Where the first character that does not decode begins. A longer prefix never decodes when a
 * shorter one failed (streaming leaves an unfinished last character for later), so a binary search
 * finds the byte that broke it; its character began at most three bytes before.
 */
function firstUndecodable(bytes: Buffer): number {
	const decodes = (length: number, stream: boolean) => {
		try {
			new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
			return true;
		} catch {
			return false;
		}
	};
	let low = 0;
	let high = bytes.length;
	while (low < high) {
		const mid = (low + high + 1) >> 1;
		if (decodes(mid, true)) low = mid;
		else high = mid - 1;
	}
	let start = low;
	while (start > 0 && low - start < 3 && !decodes(start, false)) start--;
	return start;
}
