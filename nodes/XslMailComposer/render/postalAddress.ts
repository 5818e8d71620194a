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

let countryByName: Map<string, string> | undefined;

/** Every country name and alias in every language the library knows, lower case → ISO 3166-1 alpha-2. */
function countryIndex(): Map<string, string> {
	if (countryByName) return countryByName;
	const index = new Map<string, string>();
	const languages = [...PREFERRED_LANGUAGES, ...countries.langs().filter((lang) => !PREFERRED_LANGUAGES.includes(lang))];
	for (const language of languages) {
		for (const [code, names] of Object.entries(countries.getNames(language, { select: 'all' }))) {
			for (const name of names) {
				const key = name.toLowerCase();
				if (!index.has(key)) index.set(key, code);
			}
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
	return countryIndex().get(written.toLowerCase());
}

/**
 * The address lines, the country last as the contact has it (not renamed into English). Without a
 * known country, the common European order ("80331 München").
 */
export function postalAddressLines(contact: Pick<Contact, 'street' | 'postalCode' | 'city' | 'state' | 'country'>): string[] {
	const { street = '', postalCode = '', city = '', state = '', country = '' } = contact;
	if (!street && !postalCode && !city && !state) return country ? [country] : [];
	const countryCode = country ? countryCodeOf(country) : undefined;
	const lines = format(
		{ road: street, postcode: postalCode, city, state, ...(countryCode ? { countryCode } : {}) },
		{ output: 'array', ...(countryCode ? { countryCode } : {}) },
	);
	return country ? [...lines, country] : lines;
}
