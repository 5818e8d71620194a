/**
 * The contact's postal address as people of its country write it: "123 Main Street / Springfield,
 * IL 62704" in the US, "221B Baker Street / London / NW1 6XE" in the UK, "Hauptstraße 5 / 80331
 * München" in Germany. The order and punctuation come from OpenCage's address templates
 * (@fragaria/address-formatter); the country from the contact's `country` in any language or as an
 * ISO code (i18n-iso-countries), since CRMs store "Deutschland", "Germany" or "DE" alike.
 */
import { format } from '@fragaria/address-formatter';
import * as countries from 'i18n-iso-countries';
import type { Contact } from '../../shared/notification';

/** The package's own mail languages first: a name two languages use for different countries reads as ours. */
const PREFERRED_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl'];

/** ISO 3166-1 has no codes for the UK's own countries, yet addresses name them; in our mail languages. */
const UK_COUNTRIES = [
	'England', 'Scotland', 'Wales', 'Northern Ireland',
	'Schottland', 'Nordirland',
	'Angleterre', 'Écosse', 'Pays de Galles', 'Irlande du Nord',
	'Inglaterra', 'Escocia', 'Gales', 'Irlanda del Norte',
	'Inghilterra', 'Scozia', 'Galles', 'Irlanda del Nord',
	'Engeland', 'Schotland', 'Noord-Ierland',
];

const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue' };

/** Lower case without diacritics, ß as ss: "Österreich", "osterreich" and "ÖSTERREICH" alike. */
function folded(name: string): string {
	return name.toLowerCase().replace(/ß/g, 'ss').normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

/** As written without umlaut keys: "Oesterreich", "Suedafrika". */
function transliterated(name: string): string {
	return folded(name.toLowerCase().normalize('NFC').replace(/[äöü]/g, (umlaut) => UMLAUTS[umlaut]));
}

let countryByName: Map<string, string> | undefined;

/** Every country name and alias in every language the library knows, as written and folded → ISO 3166-1 alpha-2. */
function countryIndex(): Map<string, string> {
	if (countryByName) return countryByName;
	const languages = [...PREFERRED_LANGUAGES, ...countries.langs().filter((lang) => !PREFERRED_LANGUAGES.includes(lang))];
	const named = languages.flatMap((language) =>
		Object.entries(countries.getNames(language, { select: 'all' })).flatMap(([code, names]) => names.map((name) => [name, code])),
	);
	named.push(...UK_COUNTRIES.map((name) => [name, 'GB']));
	const index = new Map<string, string>();
	// Every name as written before any folded one: folding makes names of different countries alike
	// (Icelandic "Kongó" is the Republic of the Congo, German "Kongo" the Democratic Republic).
	for (const spelling of [(name: string) => name.toLowerCase(), folded, transliterated]) {
		for (const [name, code] of named) {
			const key = spelling(name);
			if (!index.has(key)) index.set(key, code);
		}
	}
	countryByName = index;
	return index;
}

/** ISO 3166-1 alpha-2 of a country as a CRM writes it, or undefined when it names none. */
export function countryCodeOf(country: string): string | undefined {
	const written = country.trim();
	if (/^[A-Za-z]{2,3}$/.test(written) && countries.isValid(written.toUpperCase())) {
		return written.length === 2 ? written.toUpperCase() : countries.toAlpha2(written.toUpperCase());
	}
	const index = countryIndex();
	return index.get(written.toLowerCase()) ?? index.get(folded(written));
}

/** Stands for the contact's country in a probe; no template renames it. */
const CONTACT_COUNTRY = 'the contact’s country';

/** Per country code (at most some 250): the formatter's own country lines, none for most codes. */
const formattersCountry = new Map<string, string[]>();

function formattersCountryLines(countryCode: string): string[] {
	let own = formattersCountry.get(countryCode);
	if (!own) {
		const probe = format({ country: CONTACT_COUNTRY }, { countryCode, output: 'array' });
		own = probe.includes(CONTACT_COUNTRY) ? [] : probe;
		formattersCountry.set(countryCode, own);
	}
	return own;
}

/**
 * Without the lines a territory's template writes in place of any country given, in English
 * ("Guadeloupe, France" for GP; "Falkland Islands / United Kingdom" for FK): the formatter's own
 * rendering of a country alone ends in them.
 */
function withoutFormattersCountry(lines: string[], countryCode: string): string[] {
	const own = formattersCountryLines(countryCode);
	if (own.length === 0) return lines;
	let kept = lines.length;
	for (let i = own.length - 1; i >= 0 && kept > 0 && lines[kept - 1] === own[i]; i--) kept--;
	return lines.slice(0, kept);
}

function occurrences(lines: string[], text: string): number {
	return lines.join('\n').split(text).length - 1;
}

/**
 * The address lines, the country last as the contact has it (not renamed into English, no line of
 * the formatter's own for a territory). Without a known country, the common European order
 * ("80331 München").
 */
export function postalAddressLines(contact: Pick<Contact, 'street' | 'postalCode' | 'city' | 'state' | 'country'>): string[] {
	const { street = '', postalCode = '', city = '', state = '', country = '' } = contact;
	if (!street && !postalCode && !city && !state) return country ? [country] : [];
	const countryCode = country ? countryCodeOf(country) : undefined;
	const written = { road: street, postcode: postalCode, city, state };
	// The postcode as the contact has it: the clean-up drops OpenStreetMap's lists and ranges.
	const options = { output: 'array', cleanupPostcode: false, ...(countryCode ? { countryCode } : {}) } as const;
	// CRMs keep a province in `state`: Italy ("00186 Roma RM") and Ireland write it as the templates'
	// county. Without a city they would take the county for it ("IL, IL 62704"); and a region the
	// template leaves as written ("Lazio", not a province's sigla) is not written there.
	let lines = format(city ? { ...written, county: state } : written, options);
	if (city && state.length > 2) {
		const withoutCounty = format(written, options);
		if (occurrences(lines, state) > occurrences(withoutCounty, state)) lines = withoutCounty;
	}
	if (!countryCode) return country ? [...lines, country] : lines;
	return [...withoutFormattersCountry(lines, countryCode), country];
}
