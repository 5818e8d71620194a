/**
 * The text of a template file (binary input), read as XML 1.0 §4.3.3 and Appendix F say: a byte
 * order mark, else the declaration's `encoding="…"`, else UTF-8. A file a Windows editor saved as
 * windows-1252 is common; read as UTF-8 its umlauts would reach every mail as "�".
 * Other character sets are iconv-lite's: Node 20's TextDecoder reads windows-1252 as Latin-1
 * (0x80 became U+0080, not "€").
 */
import * as iconv from 'iconv-lite';
import { TemplateError } from './errors';

const DECLARED_ENCODING = /^<\?xml\s[^?>]*?\bencoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\1/;

export function templateText(bytes: Uint8Array): string {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return utf8(buffer.subarray(3), 'its byte order mark');
	// iconv-lite's "utf-16" reads the byte order mark and drops it.
	if ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)) return iconv.decode(buffer, 'utf-16');
	const declared = DECLARED_ENCODING.exec(buffer.subarray(0, 200).toString('latin1'))?.[2];
	if (declared === undefined) return utf8(buffer, 'no encoding="…" in an <?xml …?> declaration');
	if (/^utf-?8$/i.test(declared)) return utf8(buffer, `encoding="${declared}"`);
	if (!iconv.encodingExists(declared)) {
		throw new TemplateError(`the template declares encoding="${declared}", which is not a known character set`, 1);
	}
	return iconv.decode(buffer, declared);
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
