import { TemplateError } from '../../../nodes/XslMailComposer/render/errors';
import { templateText } from '../../../nodes/XslMailComposer/render/templateText';

/** Written byte by byte from the code charts, not by a decoder under test. */
const GRUESSE_WINDOWS_1252 = [0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0x96, 0x20, 0x84, 0x80, 0x93]; // Grüße – „€“
const GRUESSE = 'Grüße – „€“';
const bytes = (...parts: (string | number[])[]) =>
	Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'ascii') : Buffer.from(part))));

function failure(file: Buffer): TemplateError {
	try {
		templateText(file);
	} catch (error) {
		expect(error).toBeInstanceOf(TemplateError);
		return error as TemplateError;
	}
	throw new Error('the file was read');
}

describe('the text of a template file', () => {
	it.each([
		['windows-1252', 'windows-1252'],
		['a label in other letters', 'Windows-1252'],
		['in single quotes, after standalone', "windows-1252' standalone='yes"],
	])('reads a file in the character set its declaration names (%s)', (_, label) => {
		const declaration = label.includes("'") ? `<?xml version='1.0' encoding='${label}'?>` : `<?xml version="1.0" encoding="${label}"?>`;
		expect(templateText(bytes(declaration, '\n<p>', GRUESSE_WINDOWS_1252, '</p>'))).toBe(`${declaration}\n<p>${GRUESSE}</p>`);
	});

	it('reads ISO-8859-15, where 0xA4 is the euro sign', () => {
		expect(templateText(bytes('<?xml version="1.0" encoding="ISO-8859-15"?><p>', [0x31, 0x20, 0xa4], '</p>'))).toBe(
			'<?xml version="1.0" encoding="ISO-8859-15"?><p>1 €</p>',
		);
	});

	it.each([
		['UTF-8 with a byte order mark', [0xef, 0xbb, 0xbf], Buffer.from(`<p>${GRUESSE}</p>`, 'utf8')],
		['UTF-16 little-endian with a byte order mark', [0xff, 0xfe], Buffer.from(`<p>${GRUESSE}</p>`, 'utf16le')],
		['UTF-16 big-endian with a byte order mark', [0xfe, 0xff], Buffer.from(`<p>${GRUESSE}</p>`, 'utf16le').swap16()],
		['UTF-8 without a declaration', [], Buffer.from(`<p>${GRUESSE}</p>`, 'utf8')],
	])('reads %s, without the mark', (_, mark, body) => {
		expect(templateText(Buffer.concat([Buffer.from(mark), body]))).toBe(`<p>${GRUESSE}</p>`);
	});

	it('refuses a file that is not the UTF-8 it claims, naming the line and the byte', () => {
		const error = failure(bytes('<?xml version="1.0" encoding="UTF-8"?>\n<xsl:stylesheet>\n<p>', GRUESSE_WINDOWS_1252, '</p>'));
		expect(error.line).toBe(3);
		expect(error.message).toBe(
			'XSL template, line 3: the template is not valid UTF-8 (encoding="UTF-8"): byte 0xFC cannot be read; save the file as UTF-8, ' +
				'or name its character set in <?xml version="1.0" encoding="…"?> (for example "windows-1252")',
		);
	});

	it('refuses a file without a declaration that is not UTF-8, at the first character that breaks it', () => {
		// "ä" then a newline: the newline is where UTF-8 finds out, the "ä" where it went wrong.
		const error = failure(bytes('<p>\n', [0x61, 0xe4], '\n</p>'));
		expect(error.line).toBe(2);
		expect(error.problem).toMatch(/^the template is not valid UTF-8 \(no encoding="…" in an <\?xml …\?> declaration\): byte 0xE4 cannot be read/);
	});

	it.each([
		['UTF-16 little-endian', (text: string) => Buffer.from(text, 'utf16le')],
		['UTF-16 big-endian', (text: string) => Buffer.from(text, 'utf16le').swap16()],
	])('reads %s without a byte order mark, by its first bytes', (_, encode) => {
		const text = `<?xml version="1.0" encoding="UTF-16"?>\n<p>${GRUESSE}</p>`;
		expect(templateText(encode(text))).toBe(text);
	});

	it.each([
		['US-ASCII with an 8-bit byte', 'US-ASCII', [0x61, 0xe4], 'US-ASCII'],
		['windows-1252 with a byte it does not define', 'windows-1252', [0x61, 0x81], 'windows-1252'],
	])('refuses %s, naming the line', (_, label, line2, charset) => {
		// iconv-lite reads such a byte as "�", which would have reached every mail.
		const error = failure(bytes(`<?xml version="1.0" encoding="${label}"?>\n<p>`, line2, '</p>\n<p/>'));
		expect(error.line).toBe(2);
		expect(error.problem).toBe(
			`the template is not valid ${charset} (encoding="${label}"): a character cannot be read; ` +
				'save the file in the character set it declares, or declare the one it is saved in',
		);
	});

	it('refuses UTF-16 with half a surrogate pair', () => {
		const error = failure(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<p>\n\n', 'utf16le'), Buffer.from([0x3d, 0xd8]), Buffer.from('</p>', 'utf16le')]));
		expect(error.line).toBe(3);
		expect(error.problem).toMatch(/^the template is not valid utf-16 \(its byte order mark\): a character cannot be read/);
	});

	it('refuses a file that declares UTF-16 but has one byte per letter', () => {
		expect(failure(bytes('<?xml version="1.0" encoding="UTF-16"?><p/>')).message).toBe(
			'XSL template, line 1: the template declares encoding="UTF-16" but is saved with one byte per letter; ' +
				'save it as UTF-16 with a byte order mark, or declare the character set it is saved in',
		);
	});

	it('refuses a character set it does not know, naming it', () => {
		expect(failure(bytes('<?xml version="1.0" encoding="klingon"?><p/>')).message).toBe(
			'XSL template, line 1: the template declares encoding="klingon", which is not a known character set',
		);
	});
});
