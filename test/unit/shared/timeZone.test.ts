import { IANAZone } from 'luxon';

import { isTimeZone } from '../../../nodes/shared/timeZone';

describe('isTimeZone', () => {
	it('accepts IANA time zones and refuses other names', () => {
		expect(isTimeZone('Europe/Berlin')).toBe(true);
		expect(isTimeZone('America/New_York')).toBe(true);
		expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
		expect(isTimeZone('')).toBe(false);
	});

	it('asks Intl once per name, as the filter compiles its settings in every execution', () => {
		const ask = jest.spyOn(IANAZone, 'isValidZone');
		try {
			for (let i = 0; i < 5; i++) {
				expect(isTimeZone('Asia/Tokyo')).toBe(true);
				expect(isTimeZone('Nowhere/Atlantis')).toBe(false);
			}
			expect(ask.mock.calls.map(([name]) => name)).toEqual(['Asia/Tokyo', 'Nowhere/Atlantis']);
		} finally {
			ask.mockRestore();
		}
	});
});
