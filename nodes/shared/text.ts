/**
 * Cleaning of untrusted text (caller-ID names, CRM fields) before it goes anywhere: XML, headers,
 * vCard. One place, so that every output sees the same rules.
 */

/** Forbidden in XML 1.0 (C0 controls but tab/LF/CR, U+FFFE/U+FFFF), plus DEL and C1 controls. */
const CONTROL_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]/g;
/** Half a surrogate pair cannot be encoded as UTF-8 and is illegal in XML. */
export const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Embeddings, overrides and isolates: a caller name must not reverse the text around it. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/**
 * The opener of an RFC 2047 encoded-word: a name written as `=?UTF-8?B?…?=` passes every check as
 * plain ASCII, and a mail client would decode it in the subject or From into line breaks or bidi
 * overrides. A space after `=` keeps the text readable and stops the decoding.
 */
const ENCODED_WORD_OPENER = /=\?/g;
/** Breaks and runs of plain spaces; no-break and ideographic spaces are kept as written. */
const BREAKS_AND_SPACES = /[\t\n\v\f\r \u2028\u2029]+/g;

/** Default length limit of a one-line value: a caller name is never longer in real life. */
const MAX_LINE_LENGTH = 200;
const MAX_MULTILINE_LENGTH = 4000;

/** Drops what XML 1.0 cannot carry (and C1 controls), whoever produced the text. */
export function withoutIllegalChars(text: string): string {
	return text.replace(LONE_SURROGATES, '').replace(CONTROL_CHARS, '');
}

function baseClean(value: unknown): string {
	if (typeof value !== 'string' && typeof value !== 'number') return '';
	return withoutIllegalChars(String(value))
		.replace(/\r\n?/g, '\n')
		.replace(BIDI_CONTROLS, '')
		.replace(ENCODED_WORD_OPENER, '= ?');
}

/** Cuts at a code point boundary (never inside a surrogate pair) and marks the cut. */
function truncate(text: string, maxLength: number): string {
	if (text.length <= maxLength) return text;
	const codePoints = Array.from(text);
	return codePoints.length <= maxLength ? text : `${codePoints.slice(0, maxLength - 1).join('')}…`;
}

/** One line: no line breaks of any kind, whitespace collapsed, length-limited. */
export function cleanLine(value: unknown, maxLength = MAX_LINE_LENGTH): string {
	return truncate(baseClean(value).replace(BREAKS_AND_SPACES, ' ').trim(), maxLength);
}

/** Free text such as a contact note: line breaks kept (as LF), everything else as `cleanLine`. */
export function cleanMultiline(value: unknown, maxLength = MAX_MULTILINE_LENGTH): string {
	const lines = baseClean(value)
		.split('\n')
		.map((line) => line.replace(BREAKS_AND_SPACES, ' ').trim());
	return truncate(lines.join('\n').replace(/\n{3,}/g, '\n\n').trim(), maxLength);
}

export type TextDirection = 'ltr' | 'rtl';

/** Letters of the scripts written right to left (Unicode bidi class R or AL). */
const RTL_LETTER =
	/[\p{Script=Adlam}\p{Script=Arabic}\p{Script=Hanifi_Rohingya}\p{Script=Hebrew}\p{Script=Mandaic}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Syriac}\p{Script=Thaana}]/u;
/** The first letter decides a paragraph's direction (Unicode bidi rule P2); digits decide nothing. */
const FIRST_STRONG = new RegExp(`(${RTL_LETTER.source})|\\p{L}`, 'u');
const LTR_LETTER_OR_DIGIT = new RegExp(`(?!${RTL_LETTER.source})[\\p{L}0-9]`, 'u');
/** Left-to-right and right-to-left marks: invisible, and understood by every mail client's text engine. */
const MARK: Record<TextDirection, string> = { ltr: '\u200E', rtl: '\u200F' };

/** The direction a reader's client gives a paragraph that starts with `text`; undefined without letters. */
export function firstStrongDirection(text: string): TextDirection | undefined {
	const match = FIRST_STRONG.exec(text);
	if (!match) return undefined;
	return match[1] === undefined ? 'ltr' : 'rtl';
}

/** The direction a locale's language is written in (`he-IL` → rtl); ltr when the runtime cannot tell. */
export function localeDirection(locale: string): TextDirection {
	try {
		const parsed = new Intl.Locale(locale) as Intl.Locale & {
			getTextInfo?: () => { direction?: string };
			textInfo?: { direction?: string };
		};
		// getTextInfo() is the standard's name; Node 20 has only the older getter
		return (parsed.getTextInfo?.() ?? parsed.textInfo)?.direction === 'rtl' ? 'rtl' : 'ltr';
	} catch {
		return 'ltr';
	}
}

/**
 * `value` set into text of direction `context` so that neither reorders the other: an Arabic
 * caller name in "{caller} tried to reach you." must not turn the line right-to-left, nor take
 * "(201)" after it into its own run; a phone number in Hebrew text must keep its digit groups in
 * order. Marks, not isolates (U+2066–2069): older Outlook shows isolates as boxes, and the mail's
 * untrusted text is stripped of all embeddings and isolates anyway. A value that reads the same in
 * both directions is returned as it is, so a copied Latin name carries no invisible characters.
 */
export function inDirection(value: string, context: TextDirection): string {
	const foreign = context === 'ltr' ? RTL_LETTER.test(value) : LTR_LETTER_OR_DIGIT.test(value);
	if (!foreign) return value;
	const own = MARK[context === 'ltr' ? 'rtl' : 'ltr'];
	return `${MARK[context]}${own}${value}${own}${MARK[context]}`;
}
