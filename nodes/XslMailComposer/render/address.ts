/**
 * E-mail addresses in headers. Strict on purpose: a caller's CRM address ends up in From or
 * Reply-To, so anything but one plain address is refused rather than repaired.
 */
import { isEmailAddress } from '../../shared/emailAddress';
import { cleanLine } from './text';

/** A mailbox in nodemailer's shape (`{ name, address }`); it encodes and quotes the name itself. */
export interface MailAddress {
	name: string;
	address: string;
}

/** Display names in headers stay short: a 10 kB caller-ID name must not make a 10 kB header. */
const MAX_DISPLAY_NAME_LENGTH = 100;

/** "@", and the full-width and small commercial at that read as one. */
const AT = String.raw`[@\uFF20\uFE6B]`;
/** ".", and the full-width, small and ideographic full stops that read as one. */
const DOT = String.raw`[.\uFF0E\uFE52\uFF61\u3002]`;
const ADDRESS_PART = String.raw`[^\s<>()\[\]"',;@\uFF20\uFE6B]+`;
/**
 * What reads as an e-mail address inside a display name (`local@domain.tld`, spaces around the
 * "@" allowed, a top-level domain of letters), with the brackets or quotes around it, and anything
 * with an "@" in angle brackets or cut short by shortening ("helpdesk@our-firm…"): most clients show only the name, so a caller-ID name
 * "IT Support <helpdesk@our-firm.example>" would pass a stranger's mail off as ours. Other text
 * with an "@" stays: "Bau@Werk GmbH", "Meeting @ 10.30".
 */
const ADDRESS_IN_NAME = new RegExp(
	String.raw`<[^<>]*${AT}[^<>]*(>|$)|\S*${AT}\S*…$|[(\["']?\s*${ADDRESS_PART}\s*${AT}\s*${ADDRESS_PART}${DOT}\p{L}{2,}(?![\p{L}\p{N}])\s*[)\]"']?`,
	'gu',
);
/** Brackets and quotes left empty. */
const EMPTY_PAIR = /<\s*>|\(\s*\)|\[\s*\]|"\s*"/g;
/** How much of a name is searched for addresses: enough for every name shown, bounded for hostile ones. */
const SEARCHED_NAME_LENGTH = 1000;

export function displayName(value: unknown): string {
	const searched = cleanLine(value, SEARCHED_NAME_LENGTH);
	return cleanLine(searched.replace(ADDRESS_IN_NAME, ' ').replace(EMPTY_PAIR, ' '), MAX_DISPLAY_NAME_LENGTH);
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
