/**
 * Telephony links ("Telefonie-Links", SPEC §5): the caller's number as `<a href="tel:…">`, with one of
 * the usual prefixes or a custom one, or not linked at all.
 */
import type { NotifiedCaller } from '../../shared/notification';
import { ConfigurationError } from '../../shared/errors';
import { plainNumberOf } from '../../shared/phoneNumbers';

export type TelephonyLinkMode = 'off' | 'tel' | 'phone' | 'callto' | 'custom';

export const DEFAULT_LINK_PREFIX = 'tel:';

/** Schemes that run code or read local files in a mail client: never a telephony prefix. */
const FORBIDDEN_SCHEMES = ['javascript', 'data', 'vbscript', 'file'];

/**
 * Validates a custom prefix: a URI scheme of 1–9 characters (a letter, then letters, digits, `+`,
 * `-`, `.`) followed by the colon. Returns it unchanged.
 */
export function validateCustomPrefix(prefix: string): string {
	const scheme = prefix.endsWith(':') ? prefix.slice(0, -1) : undefined;
	if (scheme === undefined) {
		throw new ConfigurationError('customLinkPrefix', `Custom Prefix "${prefix}" must end with a colon, e.g. "sip:"`);
	}
	if (FORBIDDEN_SCHEMES.includes(scheme.toLowerCase())) {
		throw new ConfigurationError(
			'customLinkPrefix',
			`Custom Prefix "${prefix}" is not allowed: "${scheme}:" links are not phone numbers and can be abused`,
		);
	}
	if (scheme.length < 1 || scheme.length > 9) {
		throw new ConfigurationError(
			'customLinkPrefix',
			`Custom Prefix "${prefix}" must have 1 to 9 characters before the colon (it has ${scheme.length})`,
		);
	}
	if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) {
		throw new ConfigurationError(
			'customLinkPrefix',
			`Custom Prefix "${prefix}" may only contain letters, digits, "+", "-" and "." before the colon, ` +
				'and must start with a letter',
		);
	}
	return prefix;
}

/** The href prefix for a link mode, or null when links are off. */
export function linkPrefixFor(mode: TelephonyLinkMode, customPrefix = ''): string | null {
	switch (mode) {
		case 'off':
			return null;
		case 'tel':
			return 'tel:';
		case 'phone':
			return 'phone:';
		case 'callto':
			return 'callto:';
		case 'custom':
			return validateCustomPrefix(customPrefix.trim());
		default:
			throw new ConfigurationError('linkPrefix', `Unknown telephony link mode "${String(mode)}"`);
	}
}

/**
 * Where a written extension starts: `ext. 12`, `x12`, `Durchwahl 12`, `DW 12`. Its digits are not
 * part of what is dialled. A `-` is no marker: in German numbers (`089 1234-56`) it sets off the
 * direct-dial digits, which are.
 */
const EXTENSION_MARKER = /(?<!\p{L})(?:ext(?:ension)?|x|durchwahl|dw)(?!\p{L})/iu;
/** `+49 (0)89 …`: the German habit of showing the trunk prefix, which is not dialled after a country code. */
const TRUNK_PREFIX_AFTER_COUNTRY_CODE = /^(\s*(?:\+|00)[^(]*)\(\s*0\s*\)/;
/** A remark in brackets, as CRMs keep them with a number: `089 1234567 (Zentrale)`. */
const BRACKETED_REMARK = /\([^()]*\p{L}[^()]*\)/gu;

/**
 * The number as written, without what is not dialled: a written extension, the `(0)` after a country
 * code, a bracketed remark. Empty when letters remain (a vanity number or a word: not dialable as
 * written).
 */
export function dialablePart(written: string): string {
	const extension = EXTENSION_MARKER.exec(written);
	const source = (extension ? written.slice(0, extension.index) : written)
		.replace(TRUNK_PREFIX_AFTER_COUNTRY_CODE, '$1')
		.replace(BRACKETED_REMARK, '');
	return /\p{L}/u.test(source) ? '' : source;
}

/**
 * What a phone dials: only `+` (leading), digits, `*` and `#`. E.164 when known, else the raw
 * number's dialable part (of the number in a SIP or tel URI) stripped of everything else. Empty when
 * nothing dialable remains.
 */
export function dialString(caller: Pick<NotifiedCaller, 'number' | 'e164'>): string {
	const written = typeof caller.e164 === 'string' && caller.e164 ? caller.e164 : plainNumberOf(String(caller.number ?? ''));
	const kept = dialablePart(written).replace(/[^0-9*#+]/g, '');
	const dial = (kept.startsWith('+') ? '+' : '') + kept.replace(/\+/g, '');
	return /[0-9]/.test(dial) ? dial : '';
}

/** A withheld caller, or one whose number has nothing dialable: no link, no call-back button. */
export function hasNoCallbackNumber(caller: Pick<NotifiedCaller, 'number' | 'e164' | 'restricted'>): boolean {
	return caller.restricted === true || dialString(caller) === '';
}

/**
 * The href for the caller's number, or '' when links are off or the number is withheld. `#` is
 * written as `%23` (RFC 3966): a bare `#` would start a URL fragment and cut the number off.
 */
export function telephonyHref(
	prefix: string | null,
	caller: Pick<NotifiedCaller, 'number' | 'e164' | 'restricted'>,
): string {
	if (prefix === null || hasNoCallbackNumber(caller)) return '';
	return prefix + dialString(caller).replace(/#/g, '%23');
}
