/**
 * Phone numbers as the PBX's location sees them (SPEC §3): one compiled numbering plan per execution
 * turns every spelling of a line or caller (`201`, `+49 89 1234 201`, `0891234201`) into one key, so
 * lines, callers and number lists are compared in E.164 and never by their spelling.
 */
import {
	AsYouType,
	getCountries,
	getCountryCallingCode,
	isSupportedCountry,
	Metadata,
	parsePhoneNumberFromString,
	type CountryCode,
} from 'libphonenumber-js';
import { ConfigurationError } from './errors';

export interface NumberingPlan {
	/** ISO 3166 alpha-2, e.g. `DE`. */
	country: string;
	/**
	 * The PBX's own base number, e.g. `+49891234`; an extension `201` is then `+49891234201`. A
	 * trailing `-0` (the switchboard, `+49 89 1234-0`) is not part of it.
	 */
	baseNumber?: string;
	/**
	 * What an extension looks like: a regular expression (`^\d{2,4}$`) or simple patterns such as
	 * `2xx, 3*, 500-549` (`x`/`?` one digit, `*` any digits, a range of numbers of one length).
	 * Default: 1 to 6 digits, not starting with 0.
	 * Numbers written with `+` or the international prefix are never extensions.
	 */
	internalPattern?: string;
}

/** Matches caller numbers against a list of exact numbers and prefix patterns (`+49891234*`). */
export interface NumberList {
	readonly size: number;
	matches(number: string): boolean;
}

export interface CompiledNumberingPlan {
	readonly country: CountryCode;
	/** E.164 of the base number, or null. */
	readonly baseNumber: string | null;
	/** E.164, or null when the number is withheld, not a phone number, or an extension without base. */
	normalise(number: string): string | null;
	/**
	 * The identity of a line or caller: its E.164 when it has one, else the bare extension or the
	 * device id (`w0`) as written. Null for withheld numbers.
	 */
	key(number: string): string | null;
	/** National format for domestic numbers, international otherwise; extensions and ids as written. */
	display(number: string): string;
	/** An extension of this PBX, written short (`201`) or as a full number inside the base number. */
	isInternalNumber(number: string): boolean;
	/** `setting` names the parameter, `label` what the editor calls it (default: `setting`) in messages. */
	compileNumberList(entries: readonly string[] | string, setting: string, label?: string): NumberList;
}

const WITHHELD_WORDS = new Set(['', 'anonymous', 'unknown', 'private', 'restricted', 'unavailable']);

/** True for the words PBXs put where a withheld number would be (Asterisk writes `<unknown>`). */
export function isWithheld(number: string | null | undefined): boolean {
	if (number === null || number === undefined) return true;
	const word = number.trim().toLowerCase();
	return WITHHELD_WORDS.has(word.startsWith('<') && word.endsWith('>') ? word.slice(1, -1) : word);
}

/** `"Max" <…>`: an address in angle brackets, as SIP headers and Asterisk's caller ID write it. */
const IN_ANGLE_BRACKETS = /<([^<>]*)>\s*$/;
/** The user part of a SIP URI or the number of a tel URI, without parameters (RFC 3261, RFC 3966). */
const SIP_OR_TEL_URI = /^(?:sips?|tel):([^@;?]*)/i;

/** What `written` holds in angle brackets at its end, else all of it; trimmed. */
function insideAngleBrackets(written: string): string {
	return (IN_ANGLE_BRACKETS.exec(written)?.[1] ?? written).trim();
}

/** Whether a number came as a SIP address (`sip:202@carrier.example`): its user part is someone's at that host. */
function isSipAddress(written: string): boolean {
	return /^sips?:/i.test(insideAngleBrackets(written));
}

/**
 * The number a SIP PBX passes in other clothes: `sip:+4930123@pbx.example;user=phone` → `+4930123`,
 * `tel:+49-30-123` → `+49-30-123`, `Max <+4930123>` → `+4930123`, and the RFC 3323 anonymous
 * `sip:anonymous@anonymous.invalid` → `anonymous`; anything else as written, trimmed.
 */
export function numberOf(written: string): string {
	const inside = insideAngleBrackets(written);
	const uri = SIP_OR_TEL_URI.exec(inside);
	if (!uri) return inside;
	try {
		return decodeURIComponent(uri[1]).trim();
	} catch {
		return uri[1].trim();
	}
}

/**
 * numberOf for a reader without a numbering plan (the mail): a SIP address's user part counts only
 * as a number with its trunk or international prefix (`+49…`, `0049…`, `089…`); `sip:202@carrier.example`
 * is someone's 202 at that host, not one to dial or to show as "202", so the address stays as written.
 */
export function plainNumberOf(written: string): string {
	const number = numberOf(written);
	const dialledWithPrefix = number.startsWith('+') || /^0\d{3,}$/.test(stripFormatting(number));
	return isSipAddress(written) && !dialledWithPrefix && !isWithheld(number) ? written.trim() : number;
}

/** Dial-string decoration people and PBXs add; `(0)` is the German "optional trunk prefix" habit. */
function stripFormatting(number: string): string {
	return number.replace(/\(0\)/g, '').replace(/[\s\-./()]/g, '');
}

const DIALLABLE = /^\+?\d+$/;

/** True for a number or extension as people write it (`12`, `+49 89 1234-201`), not a name or device id (`w0`). */
export function isDialString(text: string): boolean {
	return DIALLABLE.test(stripFormatting(text.trim()));
}

/**
 * An international number spaced as people read it (`+49891234200` → `+49 89 1234200`), or as it is
 * dialled in `country` when it is one of that country's (`089 1234200` in DE); anything else (an
 * extension, a national number) as written.
 */
export function readableNumber(written: string, country?: string): string {
	const number = plainNumberOf(written);
	// Only a whole valid number: the parser also picks a number out of text ("+1-800-FLOWERS" → +1 800).
	const parsed = DIALLABLE.test(stripFormatting(number)) && number.startsWith('+') ? parsePhoneNumberFromString(number) : undefined;
	if (!parsed?.isValid()) return number;
	const home = country ? countryOf(country) : undefined;
	return home && parsed.countryCallingCode === getCountryCallingCode(home) ? parsed.formatNational() : parsed.formatInternational();
}

/** Numbers whose readings a compiled plan keeps; the cache starts over when full. */
const READINGS_KEPT = 10_000;
// Extensions never start with the trunk prefix 0, so `0*` in a number list stays "all domestic".
const DEFAULT_EXTENSION = /^[1-9]\d{0,5}$/;

/** The regular expression for the numbers `low`…`high`, both of the same length (`200`, `299` → `2\d\d`). */
function digitRange(low: string, high: string): string {
	if (low === high) return low;
	const rest = low.length - 1;
	if (low === '0'.repeat(low.length) && high === '9'.repeat(high.length)) return `\\d{${low.length}}`;
	const [first, last] = [Number(low[0]), Number(high[0])];
	if (first === last) return low[0] + digitRange(low.slice(1), high.slice(1));
	if (rest === 0) return `[${first}-${last}]`;
	const alternatives = [low[0] + digitRange(low.slice(1), '9'.repeat(rest))];
	if (last - first > 1) alternatives.push(`[${first + 1}-${last - 1}]\\d{${rest}}`);
	alternatives.push(high[0] + digitRange('0'.repeat(rest), high.slice(1)));
	return `(?:${alternatives.join('|')})`;
}

/** One alternative of a simple pattern: `2xx`, `3*` or the range `200-299`. */
function simpleAlternative(alternative: string, text: string): string {
	if (!alternative.includes('-')) return alternative.replace(/[xX?]/g, '\\d').replace(/\*/g, '\\d*');
	const range = /^(\d+)-(\d+)$/.exec(alternative);
	// One length, as extension ranges are planned: 20-2999 is likelier a typo than a plan.
	if (range === null || range[1].length !== range[2].length || range[1] > range[2]) {
		throw new ConfigurationError(
			'internalPattern',
			`Numbering Plan → Internal Number Pattern: "${alternative}" in "${text}" is not a range of extensions ` +
				'like 200-299 (the lower number first, both with the same number of digits; write 20-99, 100-299 for both lengths)',
		);
	}
	return digitRange(range[1], range[2]);
}

function compileInternalPattern(pattern: string | undefined): RegExp {
	const text = pattern?.trim() ?? '';
	if (text === '') return DEFAULT_EXTENSION;
	const source = /^[\d\sxX?*,;-]+$/.test(text)
		? text
				.replace(/\s*-\s*/g, '-')
				.split(/[\s,;]+/)
				.filter((alternative) => alternative !== '')
				.map((alternative) => simpleAlternative(alternative, text))
				.join('|')
		: text;
	try {
		// Always the whole number: an unanchored `\d{3}` would otherwise make every number internal.
		return new RegExp(`^(?:${source})$`);
	} catch (error) {
		throw new ConfigurationError(
			'internalPattern',
			`Numbering Plan → Internal Number Pattern: "${text}" is not a valid regular expression: ${(error as Error).message}`,
		);
	}
}

/**
 * The countries with a known numbering plan, as the editor lists them: `Germany (DE)`, by name. A
 * `current` value the filter takes in another spelling (`de`) is listed too, so that the editor does
 * not mark a workflow's setting as unsupported.
 */
export function numberingPlanCountries(current?: unknown): Array<{ code: string; name: string }> {
	const names = new Intl.DisplayNames(['en'], { type: 'region' });
	const codes: string[] = getCountries();
	if (typeof current === 'string' && !codes.includes(current) && countryOf(current)) codes.push(current);
	return codes
		.map((code) => ({ code, name: `${names.of(countryOf(code) ?? code) ?? code} (${code})` }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** The country a setting names (`DE`, ` de `), or undefined when it is none with a known numbering plan. */
function countryOf(setting: unknown): CountryCode | undefined {
	const code = String(setting ?? '').trim().toUpperCase();
	return isSupportedCountry(code) ? code : undefined;
}

export function compileNumberingPlan(plan: NumberingPlan): CompiledNumberingPlan {
	const country = countryOf(plan.country);
	if (!country) {
		throw new ConfigurationError(
			'country',
			`Numbering Plan → Country Name or ID: "${plan.country}" is not an ISO 3166 alpha-2 code with a known numbering plan (e.g. DE, AT, US)`,
		);
	}
	const callingCode = getCountryCallingCode(country);
	const metadata = new Metadata();
	metadata.selectNumberingPlan(country);
	// Some plans list several international prefixes as one regular expression (AU, RU).
	const internationalPrefix = new RegExp(`^(?:${metadata.numberingPlan?.IDDPrefix() ?? '00'})`);
	const extension = compileInternalPattern(plan.internalPattern);

	/** E.164 (or E.164 prefix) of a number written with `+` or an international prefix, else undefined. */
	function internationalNumber(digits: string): string | null | undefined {
		const prefix = digits.startsWith('+') ? '+' : internationalPrefix.exec(digits)?.[0];
		if (prefix === undefined) return undefined;
		const rest = digits.slice(prefix.length);
		return rest === '' ? null : `+${rest}`;
	}

	function nationalNumber(digits: string): string {
		// AsYouType knows each country's trunk prefix (0, 1, 8, or none as in Italy) and, unlike a
		// full parse, also strips it from incomplete numbers, which prefix patterns are.
		const national = new AsYouType(country);
		national.input(digits);
		return `+${callingCode}${national.getNationalNumber()}`;
	}

	// German firms print their main number as +49 89 1234-0, the -0 being the switchboard's extension.
	const baseText = (plan.baseNumber?.trim() ?? '').replace(/\s*-\s*0$/, '');
	let baseNumber: string | null = null;
	if (baseText !== '') {
		const digits = stripFormatting(baseText);
		baseNumber = DIALLABLE.test(digits) ? (internationalNumber(digits) ?? nationalNumber(digits)) : null;
		if (baseNumber === null || baseNumber.length < 4 || baseNumber.length > 15) {
			throw new ConfigurationError(
				'baseNumber',
				`Numbering Plan → PBX Base Number: "${plan.baseNumber}" is not a phone number; ` +
					'write it like +49891234 (without an extension)',
			);
		}
	}

	type Classified =
		| { kind: 'withheld' }
		| { kind: 'extension'; digits: string }
		| { kind: 'number'; e164: string }
		| { kind: 'other'; id: string; display: string };

	function classify(written: string): Classified {
		const number = numberOf(written);
		if (isWithheld(number)) return { kind: 'withheld' };
		const digits = stripFormatting(number);
		if (!DIALLABLE.test(digits)) return { kind: 'other', id: number.toLowerCase(), display: number };
		const international = internationalNumber(digits);
		if (international === null) return { kind: 'other', id: digits, display: number };
		if (international !== undefined) return { kind: 'number', e164: international };
		if (extension.test(digits)) {
			// `sip:202@carrier.example` is 202 at someone else's host, not our extension 202: an address.
			if (isSipAddress(written)) return { kind: 'other', id: written.trim().toLowerCase(), display: written.trim() };
			return { kind: 'extension', digits };
		}
		return { kind: 'number', e164: nationalNumber(digits) };
	}

	/** Everything the plan answers about one spelling of a number. */
	interface Reading {
		e164: string | null;
		key: string | null;
		internal: boolean;
		/** Left out for numbers until asked for: formatting is the dearest part, and only callers are shown. */
		display?: string;
	}

	function readNumber(number: string): Reading {
		const classified = classify(number);
		switch (classified.kind) {
			case 'withheld':
				return { e164: null, key: null, internal: false, display: '' };
			case 'other':
				return { e164: null, key: classified.id, internal: false, display: classified.display };
			case 'extension': {
				const e164 = baseNumber === null ? null : baseNumber + classified.digits;
				return { e164, key: e164 ?? classified.digits, internal: true, display: numberOf(number) };
			}
			case 'number': {
				const { e164 } = classified;
				const internal =
					baseNumber !== null && e164.startsWith(baseNumber) && extension.test(e164.slice(baseNumber.length));
				return { e164, key: e164, internal };
			}
		}
	}

	// A decision asks about the caller several times and about every leg's line, and the same callers
	// and lines come back; the plan lives for one execution, so a bounded cache is enough.
	const readings = new Map<string, Reading>();

	function read(number: string): Reading {
		let reading = readings.get(number);
		if (reading === undefined) {
			if (readings.size >= READINGS_KEPT) readings.clear();
			reading = readNumber(number);
			readings.set(number, reading);
		}
		return reading;
	}

	function key(number: string): string | null {
		return read(number).key;
	}

	function formatNumber(e164: string): string {
		const parsed = parsePhoneNumberFromString(e164);
		if (!parsed?.isValid()) return e164;
		return parsed.countryCallingCode === callingCode ? parsed.formatNational() : parsed.formatInternational();
	}

	function display(number: string): string {
		const reading = read(number);
		// Only a number (its e164 set) has no display yet.
		reading.display ??= formatNumber(reading.e164 as string);
		return reading.display;
	}

	function compileNumberList(entries: readonly string[] | string, setting: string, label = setting): NumberList {
		const list = typeof entries === 'string' ? entries.split(/[\n,;]+/) : entries;
		const exact = new Set<string>();
		const prefixes: string[] = [];
		for (const entry of list) {
			const text = String(entry).trim();
			if (text === '') continue;
			const isPrefix = text.endsWith('*');
			const body = isPrefix ? text.slice(0, -1) : text;
			const entryKey = body.includes('*') || isWithheld(body) ? null : key(body);
			if (entryKey === null) {
				throw new ConfigurationError(
					setting,
					`${label}: "${text}" is not a number or a prefix pattern like +49891234*` +
						' (only a trailing * is allowed; withheld numbers have their own switch)',
				);
			}
			if (isPrefix) prefixes.push(entryKey);
			else exact.add(entryKey);
		}
		return {
			size: exact.size + prefixes.length,
			matches(number: string): boolean {
				const callerKey = key(number);
				if (callerKey === null) return false;
				return exact.has(callerKey) || prefixes.some((prefix) => callerKey.startsWith(prefix));
			},
		};
	}

	return {
		country,
		baseNumber,
		normalise: (number) => read(number).e164,
		key,
		display,
		isInternalNumber: (number) => read(number).internal,
		compileNumberList,
	};
}
