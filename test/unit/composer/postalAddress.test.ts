import { countryCodeOf, postalAddressLines } from '../../../nodes/XslMailComposer/render/postalAddress';

describe('countryCodeOf: the country a CRM names, as CRMs write it', () => {
	it.each([
		['Deutschland', 'DE'],
		['germany', 'DE'],
		['Allemagne', 'DE'],
		['DE', 'DE'],
		['deu', 'DE'],
		['USA', 'US'],
		['Vereinigte Staaten', 'US'],
		['United Kingdom', 'GB'],
		['Österreich', 'AT'],
		[' Schweiz ', 'CH'],
	])('%s is %s', (written, code) => expect(countryCodeOf(written)).toBe(code));

	// The UK's own countries have no ISO code, yet addresses name them.
	it.each([
		['England', 'GB'],
		['Scotland', 'GB'],
		['Wales', 'GB'],
		['Northern Ireland', 'GB'],
		['Schottland', 'GB'],
		['Nordirland', 'GB'],
		['Angleterre', 'GB'],
		['Écosse', 'GB'],
		['Pays de Galles', 'GB'],
		['Irlande du Nord', 'GB'],
	])('%s, a country of the UK, is %s', (written, code) => expect(countryCodeOf(written)).toBe(code));

	it.each([
		['Osterreich', 'AT'],
		['Oesterreich', 'AT'],
		['OESTERREICH', 'AT'],
		['Espana', 'ES'],
		['Grossbritannien', 'GB'],
		['Suedafrika', 'ZA'],
		['ecosse', 'GB'],
	])('%s, without diacritics or with umlauts spelt out, is %s', (written, code) => expect(countryCodeOf(written)).toBe(code));

	it.each(['Narnia', 'Bayern, Germany', '', 'XX'])('%j names no country', (written) => {
		expect(countryCodeOf(written)).toBeUndefined();
	});
});

describe('postalAddressLines: the address as its country writes it, the country last as the contact has it', () => {
	it.each([
		// Germany, Austria, Switzerland: postcode before the town, no line for the Land or canton.
		[{ street: 'Hauptstraße 5', postalCode: '80331', city: 'München', state: 'Bayern', country: 'Deutschland' }, ['Hauptstraße 5', '80331 München', 'Deutschland']],
		[{ street: 'Stephansplatz 1', postalCode: '1010', city: 'Wien', state: 'Wien', country: 'Österreich' }, ['Stephansplatz 1', '1010 Wien', 'Österreich']],
		[{ street: 'Bahnhofstrasse 1', postalCode: '8001', city: 'Zürich', state: 'ZH', country: 'Schweiz' }, ['Bahnhofstrasse 1', '8001 Zürich', 'Schweiz']],
		[{ street: '1 rue de Rivoli', postalCode: '75001', city: 'Paris', country: 'France' }, ['1 rue de Rivoli', '75001 Paris', 'France']],
		// Italy: the province's sigla after the town, also when the CRM names the province.
		[{ street: 'Via del Corso 1', postalCode: '00186', city: 'Roma', state: 'RM', country: 'Italia' }, ['Via del Corso 1', '00186 Roma RM', 'Italia']],
		[{ street: 'Via Dante 2', postalCode: '20121', city: 'Milano', state: 'Milano', country: 'IT' }, ['Via Dante 2', '20121 Milano MI', 'IT']],
		// A region is no province: Italians leave it out.
		[{ street: 'Via del Corso 1', postalCode: '00186', city: 'Roma', state: 'Lazio', country: 'Italia' }, ['Via del Corso 1', '00186 Roma', 'Italia']],
		[{ street: 'Calle Mayor 1', postalCode: '28013', city: 'Madrid', state: 'Madrid', country: 'España' }, ['Calle Mayor 1', '28013 Madrid', 'España']],
		[{ street: 'Keizersgracht 1', postalCode: '1015CJ', city: 'Amsterdam', country: 'Nederland' }, ['Keizersgracht 1', '1015 CJ Amsterdam', 'Nederland']],
		// Royal Mail: the post town, then the postcode on a line of its own.
		[{ street: '221B Baker Street', postalCode: 'NW1 6XE', city: 'London', country: 'England' }, ['221B Baker Street', 'London', 'NW1 6XE', 'England']],
		[{ street: '1 Princes Street', postalCode: 'EH2 2EQ', city: 'Edinburgh', country: 'Scotland' }, ['1 Princes Street', 'Edinburgh', 'EH2 2EQ', 'Scotland']],
		// USPS, Canada Post, Australia Post: town, state or province as its code, postcode on one line.
		[{ street: '123 Main Street', postalCode: '62704', city: 'Springfield', state: 'Illinois', country: 'USA' }, ['123 Main Street', 'Springfield, IL 62704', 'USA']],
		[{ street: '100 Queen Street West', postalCode: 'M5H 2N2', city: 'Toronto', state: 'Ontario', country: 'Kanada' }, ['100 Queen Street West', 'Toronto, ON M5H 2N2', 'Kanada']],
		[{ street: '1 Martin Place', postalCode: '2000', city: 'Sydney', state: 'NSW', country: 'Australia' }, ['1 Martin Place', 'Sydney NSW 2000', 'Australia']],
		// Territories are written as their mother country does, without a line naming both.
		[{ street: '1 rue Frébault', postalCode: '97110', city: 'Pointe-à-Pitre', country: 'Guadeloupe' }, ['1 rue Frébault', '97110 Pointe-à-Pitre', 'Guadeloupe']],
		[{ street: '1 rue de Paris', postalCode: '97400', city: 'Saint-Denis', country: 'RE' }, ['1 rue de Paris', '97400 Saint-Denis', 'RE']],
		[{ street: '1 Calle Luna', postalCode: '00901', city: 'San Juan', country: 'Puerto Rico' }, ['1 Calle Luna', 'San Juan, PR 00901', 'Puerto Rico']],
		[{ street: '1 King Street', postalCode: 'JE2 3AB', city: 'St Helier', country: 'Jersey' }, ['1 King Street', 'St Helier', 'JE2 3AB', 'Jersey']],
		[{ street: 'Torggatan 1', postalCode: '22100', city: 'Mariehamn', country: 'Åland' }, ['Torggatan 1', '22100 Mariehamn', 'Åland']],
		[{ street: '1 Marine Corps Drive', postalCode: '96910', city: 'Hagåtña', country: 'Guam' }, ['1 Marine Corps Drive', 'Hagåtña, GU 96910', 'Guam']],
		[{ street: '1 Main Street', postalCode: '00802', city: 'Charlotte Amalie', country: 'VI' }, ['1 Main Street', 'Charlotte Amalie, VI 00802', 'VI']],
		// A postcode as the contact has it, also a list.
		[{ street: 'Hauptstraße 5', postalCode: '80331;80333', city: 'München', country: 'DE' }, ['Hauptstraße 5', '80331;80333 München', 'DE']],
		[{ street: 'Lindwurmstraße 12', postalCode: '80337', city: 'München' }, ['Lindwurmstraße 12', '80337 München']],
		[{ country: 'Deutschland' }, ['Deutschland']],
		[{ state: 'IL', postalCode: '62704', country: 'USA' }, ['IL 62704', 'USA']],
	])('%j', (contact, lines) => expect(postalAddressLines(contact)).toEqual(lines));
});
