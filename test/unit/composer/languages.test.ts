import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigurationError } from '../../../nodes/shared/errors';
import {
	languageFor,
	LANGUAGES_DIR,
	listLanguages,
	loadLanguage,
	resolveLanguage,
} from '../../../nodes/XslMailComposer/render/languages';

const SHIPPED = ['de', 'en', 'es', 'fr', 'it', 'nl'];

function readJson(file: string): { name: string; formats: Record<string, string>; strings: Record<string, string> } {
	return JSON.parse(fs.readFileSync(path.join(LANGUAGES_DIR, file), 'utf8'));
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(files: Record<string, unknown>): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'languages-'));
	tempDirs.push(dir);
	for (const [name, content] of Object.entries(files)) {
		fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
	}
	return dir;
}

const english = {
	name: 'English',
	formats: { date: 'd LLL yyyy', time: 'HH:mm', timeWithSeconds: 'HH:mm:ss' },
	strings: { subjectMissed: 'Missed call from {caller}', footer: 'Sent by your PBX' },
};

describe('language files', () => {
	it('ships the six languages and American English with their own names, listed by name', () => {
		expect(listLanguages()).toEqual([
			{ tag: 'de', name: 'Deutsch' },
			{ tag: 'en', name: 'English' },
			{ tag: 'en-US', name: 'English (US)' },
			{ tag: 'es', name: 'Español' },
			{ tag: 'fr', name: 'Français' },
			{ tag: 'it', name: 'Italiano' },
			{ tag: 'nl', name: 'Nederlands' },
		]);
	});

	it.each(SHIPPED.filter((tag) => tag !== 'en'))('%s.json has every string and format of en.json, translated', (tag) => {
		const reference = readJson('en.json');
		const translation = readJson(`${tag}.json`);
		expect(Object.keys(translation.strings).sort()).toEqual(Object.keys(reference.strings).sort());
		// dateFirstOfMonth is for the languages that need it (French "1er").
		const required = (formats: Record<string, string>) => Object.keys(formats).filter((key) => key !== 'dateFirstOfMonth').sort();
		expect(required(translation.formats)).toEqual(required(reference.formats));
		for (const [key, text] of Object.entries(reference.strings)) {
			expect(translation.strings[key].trim()).not.toBe('');
			// The same placeholders, so no value goes missing in a translation.
			const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
			expect({ key, placeholders: placeholders(translation.strings[key]) }).toEqual({ key, placeholders: placeholders(text) });
		}
		const translatedDifferently = Object.keys(reference.strings).filter((key) => translation.strings[key] !== reference.strings[key]);
		expect(translatedDifferently.length).toBeGreaterThan(Object.keys(reference.strings).length * 0.75);
	});

	it('French: a no-break space before every colon, semicolon, question and exclamation mark', () => {
		// An ordinary space lets the mark wrap onto a line of its own.
		const strings = Object.entries(readJson('fr.json').strings);
		expect(strings.filter(([, text]) => /[:;?!]/.test(text)).length).toBeGreaterThan(5);
		expect(strings.filter(([, text]) => /(?:^|[^\u00a0\u202f])[:;?!]/.test(text)).map(([key]) => key)).toEqual([]);
	});

	it('lists exactly the language files present in a folder', () => {
		const dir = tempDir({
			'en.json': english,
			'pt-BR.json': { name: 'Português (Brasil)' },
			'README.md': '# not a language',
			'notes.json': { name: 'not a tag' },
		});
		expect(listLanguages(dir)).toEqual([
			{ tag: 'en', name: 'English' },
			{ tag: 'pt-BR', name: 'Português (Brasil)' },
		]);
	});

	it('takes a string missing from a language from English', () => {
		const dir = tempDir({
			'en.json': english,
			'de.json': { name: 'Deutsch', strings: { subjectMissed: 'Verpasster Anruf von {caller}' } },
		});
		const german = loadLanguage(dir, 'de');
		expect(german.strings).toEqual({ subjectMissed: 'Verpasster Anruf von {caller}', footer: 'Sent by your PBX' });
		expect(german.formats.date).toBe('d LLL yyyy');
		expect(german.locale).toBe('de');
		expect(german.name).toBe('Deutsch');
	});

	it('completes a regional file from its language, then from English', () => {
		const dir = tempDir({
			'en.json': english,
			'de.json': { name: 'Deutsch', formats: { time: 'HH:mm' }, strings: { subjectMissed: 'Verpasster Anruf von {caller}' } },
			'de-AT.json': { name: 'Deutsch (Österreich)', strings: { footer: 'Gesendet von Ihrer Telefonanlage' } },
		});
		const austrian = loadLanguage(dir, 'de-AT');
		expect(austrian.strings).toEqual({ subjectMissed: 'Verpasster Anruf von {caller}', footer: 'Gesendet von Ihrer Telefonanlage' });
		expect(austrian.formats).toEqual({ date: 'd LLL yyyy', time: 'HH:mm', timeWithSeconds: 'HH:mm:ss' });
		expect(austrian.locale).toBe('de-AT');
	});

	it("takes the first-of-month date form only with its file's own date", () => {
		const french = {
			name: 'Français',
			formats: { date: 'cccc d LLLL yyyy', dateFirstOfMonth: "cccc '1er' LLLL yyyy" },
			strings: {},
		};
		const dir = tempDir({
			'en.json': english,
			'fr.json': french,
			'fr-CA.json': { name: 'Français (Canada)', strings: {} },
			'fr-CH.json': { name: 'Français (Suisse)', formats: { date: 'cccc d.MM.yyyy' }, strings: {} },
		});
		expect(loadLanguage(dir, 'fr-CA').formats.dateFirstOfMonth).toBe("cccc '1er' LLLL yyyy");
		expect(loadLanguage(dir, 'fr-CH').formats).toMatchObject({ date: 'cccc d.MM.yyyy', dateFirstOfMonth: undefined });
	});

	it('rereads a file after it changed', () => {
		const dir = tempDir({ 'en.json': english });
		expect(loadLanguage(dir, 'en').strings.footer).toBe('Sent by your PBX');
		const file = path.join(dir, 'en.json');
		fs.writeFileSync(file, JSON.stringify({ ...english, strings: { ...english.strings, footer: 'Changed' } }));
		fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
		expect(loadLanguage(dir, 'en').strings.footer).toBe('Changed');
	});

	it.each([
		['not JSON', '{ "name": ', /not valid JSON/],
		['no name', { strings: {} }, /needs a "name"/],
		['a string that is not text', { name: 'X', strings: { footer: 42 } }, /strings\.footer must be a text/],
		['a key that is no XML name', { name: 'X', strings: { 'foo bar': 'x' } }, /"foo bar" is not a valid key/],
		['a bad locale', { name: 'X', locale: 'not a locale!' }, /"locale" must be a locale/],
	])('refuses a file with %s', (_, content, message) => {
		const dir = tempDir({ 'en.json': english, 'xx.json': content });
		expect(() => loadLanguage(dir, 'xx')).toThrow(ConfigurationError);
		expect(() => loadLanguage(dir, 'xx')).toThrow(message);
	});

	it('refuses a tag that is a path and a missing file', () => {
		expect(() => loadLanguage(LANGUAGES_DIR, '../package')).toThrow('"../package" is not a language tag');
		expect(() => loadLanguage(LANGUAGES_DIR, 'sv')).toThrow('Language file "sv.json" not found');
	});

	it('refuses a language without the formats, not even in English', () => {
		const dir = tempDir({ 'en.json': { name: 'English', formats: { date: 'd LLL yyyy' } } });
		expect(() => loadLanguage(dir, 'en')).toThrow('Language file "en.json" has no format "time"');
	});
});

describe('resolveLanguage', () => {
	it.each([
		['de', 'en', 'de'],
		['de-AT', 'en', 'de'],
		['de_AT', 'en', 'de'],
		['DE-at', 'en', 'de'],
		['de-CH-1996', 'en', 'de'],
		['pt-BR', 'fr', 'fr'],
		['pt-BR', 'fr-CA', 'fr'],
		['pt-BR', 'sv', 'en'],
		[undefined, 'it', 'it'],
		['', 'nl', 'nl'],
	])('%s (fallback %s) → %s', (requested, fallback, expected) => {
		expect(resolveLanguage(SHIPPED, requested, fallback)).toBe(expected);
	});

	it('prefers the most specific file present', () => {
		expect(resolveLanguage(['de', 'de-AT', 'en'], 'de-AT', 'en')).toBe('de-AT');
		expect(resolveLanguage(['de', 'de-AT', 'en'], 'de-CH', 'en')).toBe('de');
	});

	it('loads the resolved file for a recipient', () => {
		expect(languageFor(LANGUAGES_DIR, 'de-AT', 'en')).toMatchObject({ tag: 'de', name: 'Deutsch' });
		expect(languageFor(LANGUAGES_DIR, 'sv-SE', 'nl')).toMatchObject({ tag: 'nl', name: 'Nederlands' });
		expect(languageFor(LANGUAGES_DIR, 'en-US', 'de')).toMatchObject({ tag: 'en-US', name: 'English (US)', locale: 'en-US' });
	});

	// Month and day names are regional ("Jänner" in Austria); the language file's patterns stay.
	it("gives a recipient more specific than the file their region's names", () => {
		expect(languageFor(LANGUAGES_DIR, 'de-AT', 'en').locale).toBe('de-AT');
		expect(languageFor(LANGUAGES_DIR, 'de_CH', 'en').locale).toBe('de-CH');
		// Only language, script and region: a calendar or numbering system of the recipient's tag
		// would date the mail 2568 or write its digits in another script.
		expect(languageFor(LANGUAGES_DIR, 'en-GB-u-ca-buddhist', 'de').locale).toBe('en-GB');
		expect(languageFor(LANGUAGES_DIR, 'de-AT-u-nu-arab', 'en').locale).toBe('de-AT');
		// Served by another language, the region says nothing: the file's own locale.
		expect(languageFor(LANGUAGES_DIR, 'pt-BR', 'fr').locale).toBe(loadLanguage(LANGUAGES_DIR, 'fr').locale);
		expect(languageFor(LANGUAGES_DIR, 'de', 'en').locale).toBe(loadLanguage(LANGUAGES_DIR, 'de').locale);
	});

	it('says so when nothing fits', () => {
		expect(() => resolveLanguage(['de'], 'sv', 'fi')).toThrow(
			'No language file for "sv", the fallback "fi" or "en" (available: de)',
		);
	});
});
