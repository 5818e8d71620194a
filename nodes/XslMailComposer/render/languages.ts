/**
 * Language files (SPEC §5 "Languages"): `languages/<tag>.json`, one per language. The choice lists
 * exactly the files present; a string or format missing from a file is taken from its language's
 * file (`de.json` for `de-AT.json`), then from `en.json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigurationError } from '../../shared/errors';

/** Where the shipped language files are, from source (ts-jest) and from `dist/` alike. */
export const LANGUAGES_DIR = path.resolve(__dirname, '../../../languages');

/** The last resort of `resolveLanguage` and the source of missing strings. */
export const FALLBACK_LANGUAGE = 'en';

/** luxon format tokens for the dates and times in a mail. */
export interface LanguageFormats {
	/** e.g. `cccc, d. LLLL yyyy` → "Dienstag, 4. März 2025" */
	date: string;
	/** e.g. `HH:mm` */
	time: string;
	/** e.g. `HH:mm:ss`, for the ringing times of the legs */
	timeWithSeconds: string;
	/** Optional: `date` for the first day of a month, where the language writes it apart (French "1er janvier"). */
	dateFirstOfMonth?: string;
}

export interface Language {
	/** The file's tag, e.g. `de`. */
	tag: string;
	/** Display name from the file, e.g. `Deutsch`. */
	name: string;
	/** Locale for luxon's month and day names; the tag unless the file says otherwise. */
	locale: string;
	formats: LanguageFormats;
	/** Every string of `en.json`, overridden by its language's file's, then by this file's own. */
	strings: Record<string, string>;
}

export interface LanguageInfo {
	tag: string;
	name: string;
}

const FORMAT_KEYS: (keyof LanguageFormats)[] = ['date', 'time', 'timeWithSeconds'];
/** BCP 47-like; also keeps a tag from ever being a path (`../x`). */
const TAG_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
/** String keys become XML element names in the notification document. */
const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/;

interface LanguageFile {
	name: string;
	locale?: string;
	formats: Partial<LanguageFormats>;
	strings: Record<string, string>;
}

/** Parsed files by path, reused while the file's modification time stays the same. */
const fileCache = new Map<string, { mtimeMs: number; file: LanguageFile }>();

function stringRecord(value: unknown, what: string, file: string, keyPattern?: RegExp): Record<string, string> {
	if (value === undefined) return {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new ConfigurationError('language', `Language file "${file}": "${what}" must be an object of texts`);
	}
	for (const [key, text] of Object.entries(value)) {
		if (typeof text !== 'string') {
			throw new ConfigurationError('language', `Language file "${file}": ${what}.${key} must be a text`);
		}
		if (keyPattern && !keyPattern.test(key)) {
			throw new ConfigurationError(
			'language',
				`Language file "${file}": "${key}" is not a valid key (letters and digits, starting with a letter)`,
			);
		}
	}
	return value as Record<string, string>;
}

function isLocale(value: unknown): value is string {
	try {
		return typeof value === 'string' && Intl.getCanonicalLocales(value).length === 1;
	} catch {
		return false;
	}
}

function readLanguageFile(filePath: string): LanguageFile {
	const file = path.basename(filePath);
	let mtimeMs: number;
	try {
		mtimeMs = fs.statSync(filePath).mtimeMs;
	} catch {
		throw new ConfigurationError('language', `Language file "${file}" not found in ${path.dirname(filePath)}`);
	}
	const cached = fileCache.get(filePath);
	if (cached?.mtimeMs === mtimeMs) return cached.file;

	let json: unknown;
	try {
		json = JSON.parse(fs.readFileSync(filePath, 'utf8'));
	} catch (error) {
		throw new ConfigurationError('language', `Language file "${file}" is not valid JSON: ${(error as Error).message}`);
	}
	if (typeof json !== 'object' || json === null || Array.isArray(json)) {
		throw new ConfigurationError('language', `Language file "${file}" must contain a JSON object`);
	}
	const { name, locale, formats, strings } = json as Record<string, unknown>;
	if (typeof name !== 'string' || !name.trim()) {
		throw new ConfigurationError('language', `Language file "${file}" needs a "name", e.g. "Deutsch"`);
	}
	if (locale !== undefined && !isLocale(locale)) {
		throw new ConfigurationError('language', `Language file "${file}": "locale" must be a locale such as "de-DE"`);
	}
	const parsed: LanguageFile = {
		name: name.trim(),
		locale,
		formats: stringRecord(formats, 'formats', file),
		strings: stringRecord(strings, 'strings', file, KEY_PATTERN),
	};
	fileCache.set(filePath, { mtimeMs, file: parsed });
	return parsed;
}

function languagePath(dir: string, tag: string): string {
	if (!TAG_PATTERN.test(tag)) throw new ConfigurationError('language', `"${tag}" is not a language tag`);
	return path.join(dir, `${tag}.json`);
}

/** The languages with a file in `dir`, sorted by display name. */
export function listLanguages(dir: string = LANGUAGES_DIR): LanguageInfo[] {
	let entries: string[];
	try {
		entries = fs.readdirSync(dir);
	} catch {
		throw new ConfigurationError('language', `Language folder ${dir} cannot be read`);
	}
	return entries
		.filter((entry) => entry.endsWith('.json') && TAG_PATTERN.test(entry.slice(0, -5)))
		.map((entry) => ({ tag: entry.slice(0, -5), name: readLanguageFile(path.join(dir, entry)).name }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Loads and validates `dir/<tag>.json`, completed from the files of its parent tags (a regional
 * `de-AT.json` need only hold what differs from `de.json`), then from `dir/en.json`.
 */
export function loadLanguage(dir: string, tag: string): Language {
	const own = readLanguageFile(languagePath(dir, tag));
	const completing = [FALLBACK_LANGUAGE, ...tagAndParents(tag).slice(1).reverse()]
		.filter((parent, index, list) => parent !== tag && list.indexOf(parent) === index)
		.filter((parent) => fs.existsSync(languagePath(dir, parent)))
		.map((parent) => readLanguageFile(languagePath(dir, parent)));
	const files = [...completing, own];
	const formats = Object.assign({}, ...files.map((file) => file.formats)) as Partial<LanguageFormats>;
	for (const key of FORMAT_KEYS) {
		if (!formats[key]) throw new ConfigurationError('language', `Language file "${tag}.json" has no format "${key}"`);
	}
	// It belongs to its file's date: a regional file with a date of its own (`d.MM.yyyy`) does not take
	// its language's "1er" form.
	formats.dateFirstOfMonth = [...files].reverse().find((file) => file.formats.date)?.formats.dateFirstOfMonth;
	return {
		tag,
		name: own.name,
		locale: own.locale ?? tag,
		formats: formats as LanguageFormats,
		strings: Object.assign({}, ...files.map((file) => file.strings)) as Record<string, string>,
	};
}

/** `de-AT-x` → [`de-AT-x`, `de-AT`, `de`]. */
function tagAndParents(tag: string | undefined): string[] {
	const parts = (tag ?? '').trim().replace(/_/g, '-').split('-').filter(Boolean);
	return parts.map((_, i) => parts.slice(0, parts.length - i).join('-'));
}

/**
 * The available tag that serves `requested`: the tag itself, then its parents (`de-AT` → `de`),
 * then the same for `fallback`, then English. Case-insensitive.
 */
export function resolveLanguage(
	available: readonly string[],
	requested: string | undefined,
	fallback: string,
): string {
	const candidates = [...tagAndParents(requested), ...tagAndParents(fallback), FALLBACK_LANGUAGE];
	for (const candidate of candidates) {
		const hit = available.find((tag) => tag.toLowerCase() === candidate.toLowerCase());
		if (hit) return hit;
	}
	throw new ConfigurationError(
			'language',
		`No language file for "${requested ?? ''}", the fallback "${fallback}" or "${FALLBACK_LANGUAGE}" ` +
			`(available: ${available.join(', ') || 'none'})`,
	);
}

/**
 * The language a recipient gets: the best of the `available` files in `dir` (default: all) for
 * `requested` (see `resolveLanguage`), loaded. A recipient whose tag is more specific than the file's (`de-AT` served by `de.json`) gets
 * their region's month and day names (`Jänner`); the file's formats stay.
 */
export function languageFor(
	dir: string,
	requested: string | undefined,
	fallback: string,
	available: readonly string[] = listLanguages(dir).map((language) => language.tag),
): Language {
	const language = loadLanguage(dir, resolveLanguage(available, requested, fallback));
	// Language, script and region only: a recipient's `-u-ca-buddhist` would date the mail 2568.
	const [requestedTag] = tagAndParents(requested);
	const regional = isLocale(requestedTag) ? new Intl.Locale(requestedTag).baseName : undefined;
	const refines = regional !== undefined && tagAndParents(regional).slice(1).some((parent) => parent.toLowerCase() === language.tag.toLowerCase());
	return refines ? { ...language, locale: regional } : language;
}
