/**
 * E-mail addresses in headers. Strict on purpose: a caller's CRM address ends up in From or
 * Reply-To, so anything but one plain address is refused rather than repaired.
 */
import { isEmailAddress } from '../../shared/emailAddress';
import { cleanLine } from '../../shared/text';

/** A mailbox in nodemailer's shape (`{ name, address }`); it encodes and quotes the name itself. */
export interface MailAddress {
	name: string;
	address: string;
}

/** Display names in headers stay short: a 10 kB caller-ID name must not make a 10 kB header. */
const MAX_DISPLAY_NAME_LENGTH = 100;

/** "@", and the full-width and small commercial at that read as one. */
const AT = String.raw`[@\uFF20\uFE6B]`;
/** ".", and the full-width, small, ideographic full stops and the one dot leader that read as one. */
const DOT = String.raw`[.\u2024\uFF0E\uFE52\uFF61\u3002]`;
/** Brackets and quotes an address may stand in: ASCII, full-width, angle and guillemets. */
const OPENING = String.raw`<\uFF1C\u2329\u3008\u00AB\u2039`;
const CLOSING = String.raw`>\uFF1E\u232A\u3009\u00BB\u203A`;
const QUOTES = String.raw`"'\u201C\u201D\u2018\u2019`;
const ADDRESS_PART = String.raw`[^\s${OPENING}${CLOSING}${QUOTES}()\[\],;@\uFF20\uFE6B]+`;
/**
 * What a link adds to the address it ends in: `mailto:a@b.example?subject=…`, a port, a path. A colon
 * only before a port: in `jo@firm.example:Vertrieb` the rest is name.
 */
const LINK_TAIL = String.raw`(?::\d{1,5}(?!\p{L}))?(?:[?#/][^\s${CLOSING}${QUOTES})\]]*)?`;
/**
 * What reads as an e-mail address inside a display name, with the brackets or quotes around it:
 * `local@domain.tld` (spaces around the "@", look-alike "@" and dots, a quoted local part, a
 * top-level domain of letters, invisible characters such as a zero-width space after the dot, a
 * link's `mailto:` and `?subject=…`),
 * anything with an "@" in angle brackets, and a word with an "@" cut short by shortening
 * ("helpdesk@our-firm…"). Most clients show only the name, so a caller-ID name
 * "IT Support <helpdesk@our-firm.example>" would pass a stranger's mail off as ours. Other text
 * with an "@" stays: "Bau@Werk GmbH", "Meeting @ 10.30".
 */
const ADDRESS_IN_NAME = new RegExp(
	[
		String.raw`[${OPENING}][^${OPENING}${CLOSING}]*${AT}[^${OPENING}${CLOSING}]*([${CLOSING}]|$)`,
		// The look-ahead first: a word without "@" is passed over at once, whatever its length.
		String.raw`(?<!\S)(?=\S*${AT})\S*…$`,
		String.raw`[(\[${QUOTES}]?\s*${ADDRESS_PART}[${QUOTES}]?\s*${AT}\s*${ADDRESS_PART}${DOT}\p{Default_Ignorable_Code_Point}*\p{L}{2,}(?![\p{L}\p{N}])${LINK_TAIL}\s*[)\]${QUOTES}]?`,
	].join('|'),
	'gu',
);
/** How much of a name is searched for addresses: enough for every name shown, bounded for hostile ones. */
const SEARCHED_NAME_LENGTH = 1000;

export function displayName(value: unknown): string {
	const searched = cleanLine(value, SEARCHED_NAME_LENGTH);
	// A separator the address leaves at either end ("helpdesk@firm.example: IT Support") is no name.
	const left = searched.replace(ADDRESS_IN_NAME, ' ').replace(/^[\s:;,]+|[\s:;,]+$/g, '');
	const name = cleanLine(left, MAX_DISPLAY_NAME_LENGTH);
	// What is left of a list of addresses (", ") names nobody.
	return /[\p{L}\p{N}]/u.test(name) ? name : '';
}

/**
 * `Name <address>`, `"Name" <address>` or a bare address; null when it is not exactly one valid
 * address or contains a line break.
 */
export function parseMailbox(value: string): MailAddress | null {
	if (/[\r\n]/.test(value)) return null;
	const text = value.trim();
	const angle = /^(.*?)\s*<([^<>]*)>$/.exec(text);
	const address = (angle ? angle[2] : text).trim();
	if (!isEmailAddress(address)) return null;
	const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(angle?.[1].trim() ?? '');
	const name = quoted ? quoted[1].replace(/\\(.)/g, '$1') : (angle?.[1] ?? '');
	return { name: displayName(name), address };
}

/** `"Name" <address>` (quoted, so commas and semicolons in names are harmless), or the bare address. */
export function formatAddress(mailbox: MailAddress): string {
	return mailbox.name ? `"${mailbox.name.replace(/[\\"]/g, '\\$&')}" <${mailbox.address}>` : mailbox.address;
}
