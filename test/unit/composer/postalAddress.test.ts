import { countryCodeOf } from '../../../nodes/XslMailComposer/render/postalAddress';

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

	it.each(['Narnia', 'Bayern, Germany', '', 'XX'])('%j names no country', (written) => {
		expect(countryCodeOf(written)).toBeUndefined();
	});
});
