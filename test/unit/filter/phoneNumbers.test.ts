import { ConfigurationError } from '../../../nodes/shared/errors';
import { compileNumberingPlan, isWithheld, readableNumber } from '../../../nodes/shared/phoneNumbers';
import { caught } from './fixtures';

const munich = compileNumberingPlan({ country: 'DE', baseNumber: '+49891234' });

describe('normalise', () => {
	it.each(['201', '+49 89 1234 201', '0891234201', '+49891234201', '0049 89 1234-201', '+49 (0)89 1234 201'])(
		'%s is the line +49891234201 when the base number is +49891234',
		(spelling) => {
			expect(munich.normalise(spelling)).toBe('+49891234201');
			expect(munich.key(spelling)).toBe('+49891234201');
		},
	);

	it.each(['+49 89 1234-0', '089 1234 - 0', '+49 (0)89 1234-0'])('reads the base number %s as +49891234: -0 is the switchboard', (base) => {
		const plan = compileNumberingPlan({ country: 'DE', baseNumber: base });
		expect(plan.baseNumber).toBe('+49891234');
		expect(plan.key('701')).toBe(plan.key('+49 89 1234-701'));
	});

	it('keeps a 0 that ends the base number without a separator before it', () => {
		expect(compileNumberingPlan({ country: 'DE', baseNumber: '+49 89 12340' }).baseNumber).toBe('+498912340');
	});

	it('turns national and international spellings of an outside number into E.164', () => {
		expect(munich.normalise('030 1234567')).toBe('+49301234567');
		expect(munich.normalise('0171/1234567')).toBe('+491711234567');
		expect(munich.normalise('0044 20 7946 0018')).toBe('+442079460018');
	});

	it('uses each country\'s own trunk and international prefixes', () => {
		const us = compileNumberingPlan({ country: 'US' });
		expect(us.normalise('1 212 555 1234')).toBe('+12125551234');
		expect(us.normalise('(212) 555-1234')).toBe('+12125551234');
		expect(us.normalise('011 49 89 1234567')).toBe('+49891234567');
		// Italy keeps the leading 0 of its area codes in E.164.
		expect(compileNumberingPlan({ country: 'IT' }).normalise('06 1234 5678')).toBe('+390612345678');
	});

	it('has no E.164 for withheld numbers, device ids, and extensions without a base number', () => {
		expect(munich.normalise('anonymous')).toBeNull();
		expect(munich.normalise('w0')).toBeNull();
		expect(compileNumberingPlan({ country: 'DE' }).normalise('201')).toBeNull();
	});

	it('keys device ids as written and extensions without base number by their digits', () => {
		expect(munich.key('w0')).toBe('w0');
		expect(munich.key(' SIP/Anna ')).toBe('sip/anna');
		expect(compileNumberingPlan({ country: 'DE' }).key('201')).toBe('201');
		expect(munich.key('<unknown>')).toBeNull();
	});

	it('lets the internal pattern decide what is an extension', () => {
		const fourDigits = compileNumberingPlan({ country: 'DE', baseNumber: '+49891234', internalPattern: '^\\d{4}$' });
		expect(fourDigits.normalise('2010')).toBe('+498912342010');
		// 201 is no extension here, so it is read as a national number (area code 201, Essen).
		expect(fourDigits.normalise('201')).toBe('+49201');
	});
});

describe('numbers in SIP and tel URIs, or in angle brackets', () => {
	it.each([
		['sip:+49301234567@pbx.example.com', '+49301234567'],
		['sips:0301234567@pbx.example.com;user=phone', '+49301234567'],
		['tel:+49-30-1234567', '+49301234567'],
		['tel:+49-30-1234567;phone-context=example.com', '+49301234567'],
		['Max Muster <+49 30 1234567>', '+49301234567'],
		['"Max" <sip:%2B49301234567@pbx.example.com>', '+49301234567'],
	])('%s is the number %s, shown in national format', (written, e164) => {
		expect(munich.normalise(written)).toBe(e164);
		expect(munich.key(written)).toBe(munich.key('030 1234567'));
		expect(munich.display(written)).toBe('030 1234567');
	});

	it('keeps a SIP address that reads as an extension as the address it is (its host may be anyone\'s)', () => {
		expect(munich.normalise('sip:201@carrier.example')).toBeNull();
		expect(munich.isInternalNumber('sip:201@carrier.example')).toBe(false);
		expect(munich.key('sip:201@carrier.example')).not.toBe(munich.key('201'));
		expect(compileNumberingPlan({ country: 'DE' }).key('sip:201@carrier.example')).not.toBe(compileNumberingPlan({ country: 'DE' }).key('201'));
		expect(munich.display('sip:201@carrier.example')).toBe('sip:201@carrier.example');
		// tel: has no host: its number is a number.
		expect(munich.normalise('tel:201')).toBe('+49891234201');
	});

	it('reads the RFC 3323 anonymous address as withheld, and keeps a SIP name as the id it is', () => {
		expect(munich.key('sip:anonymous@anonymous.invalid')).toBeNull();
		expect(munich.display('sip:anonymous@anonymous.invalid')).toBe('');
		expect(munich.key('sip:anna@pbx.example.com')).toBe('anna');
		expect(munich.display('sip:anna@pbx.example.com')).toBe('anna');
	});
});

describe('readableNumber (the mail, without a numbering plan)', () => {
	it.each([
		['+49891234200', '+49 89 1234200'],
		['+442079460018', '+44 20 7946 0018'],
		['sip:+491701234567@pbx.example.com', '+49 170 1234567'],
		['201', '201'],
		['0891234201', '0891234201'],
		['+0000', '+0000'],
		// Only a whole valid number is spaced; the parser would pick a number out of text.
		['+1-800-FLOWERS', '+1-800-FLOWERS'],
		['+49 89 1234200 (Zentrale)', '+49 89 1234200 (Zentrale)'],
		['sip:+4930123:pw@x', '+4930123:pw'],
		// Someone's 202 at another host is not "202": without a plan, only an international user part counts.
		['sip:202@carrier.example', 'sip:202@carrier.example'],
		// A national or international number at a carrier's host is one to dial.
		['sip:0891234200@carrier.example', '0891234200'],
		['sip:004989123456@carrier.example', '004989123456'],
		['sip:0@carrier.example', 'sip:0@carrier.example'],
		['tel:+49-89-1234200', '+49 89 1234200'],
	])('%s reads %s', (written, readable) => expect(readableNumber(written)).toBe(readable));
});

describe('display', () => {
	it('shows domestic numbers in national format and foreign ones internationally', () => {
		expect(munich.display('+49301234567')).toBe('030 1234567');
		expect(munich.display('0044 20 7946 0018')).toBe('+44 20 7946 0018');
	});

	it('shows extensions and device ids as written and withheld numbers as empty', () => {
		expect(munich.display('201')).toBe('201');
		expect(munich.display('w0')).toBe('w0');
		expect(munich.display('anonymous')).toBe('');
	});
});

describe('isWithheld', () => {
	it.each(['', '  ', 'anonymous', 'Anonymous', 'UNKNOWN', 'private', 'Restricted', 'unavailable', '<unknown>', '<Anonymous>'])(
		'%j is withheld',
		(number) => expect(isWithheld(number)).toBe(true),
	);

	it.each(['201', '+49301234567', 'w0', 'unknownx'])('%j is not withheld', (number) => expect(isWithheld(number)).toBe(false));
});

describe('isInternalNumber', () => {
	it('takes short numbers as extensions by default', () => {
		expect(munich.isInternalNumber('205')).toBe(true);
		expect(munich.isInternalNumber('030 1234567')).toBe(false);
	});

	it('counts a full number inside the base number as internal', () => {
		expect(munich.isInternalNumber('+49 89 1234 299')).toBe(true);
		expect(munich.isInternalNumber('+49 89 9999 299')).toBe(false);
	});

	it('follows a configured regular expression as a whole-number match', () => {
		const plan = compileNumberingPlan({ country: 'DE', internalPattern: '\\d{2,4}' });
		expect(plan.isInternalNumber('2999')).toBe(true);
		expect(plan.isInternalNumber('29999')).toBe(false);
		expect(plan.isInternalNumber('030 1234567')).toBe(false);
	});

	it('understands simple patterns with x and *', () => {
		const plan = compileNumberingPlan({ country: 'DE', internalPattern: '2xx, 5*' });
		expect(plan.isInternalNumber('299')).toBe(true);
		expect(plan.isInternalNumber('2999')).toBe(false);
		expect(plan.isInternalNumber('51234')).toBe(true);
		expect(plan.isInternalNumber('399')).toBe(false);
	});

	it.each([['200-299'], ['200 - 299'], ['2xx'], ['120-129, 200-299, 7xx']])('reads %s as ranges of extensions', (pattern) => {
		const plan = compileNumberingPlan({ country: 'DE', baseNumber: '+49891234', internalPattern: pattern });
		expect(plan.normalise('201')).toBe('+49891234201');
		expect(plan.isInternalNumber('+49 89 1234 299')).toBe(true);
		expect(plan.isInternalNumber('2000')).toBe(false);
	});

	it('takes every number of a range and no other', () => {
		for (const [low, high] of [[200, 299], [7, 7], [105, 349], [10, 99], [38, 41], [1990, 2010]]) {
			const width = String(high).length;
			const plan = compileNumberingPlan({ country: 'DE', internalPattern: `${String(low).padStart(width, '0')}-${high}` });
			for (let number = 0; number < 10 ** width; number++) {
				const digits = String(number).padStart(width, '0');
				expect([digits, plan.isInternalNumber(digits)]).toEqual([digits, number >= low && number <= high]);
			}
		}
	});
});

describe('compileNumberList', () => {
	const list = munich.compileNumberList(['+49891234*', '030 555 1234', '0171*'], 'excludedNumbers');

	it('matches prefixes and exact numbers in any spelling', () => {
		expect(list.matches('299')).toBe(true);
		expect(list.matches('+49 89 1234 5')).toBe(true);
		expect(list.matches('0305551234')).toBe(true);
		expect(list.matches('+49 171 9876543')).toBe(true);
		expect(list.matches('0305551235')).toBe(false);
		expect(list.matches('+49 89 1235 1')).toBe(false);
		expect(list.matches('anonymous')).toBe(false);
	});

	it('treats a national prefix and its international spelling alike', () => {
		const national = munich.compileNumberList('0891234*', 'excludedNumbers');
		expect(national.matches('+49891234777')).toBe(true);
		expect(national.matches('777')).toBe(true);
		expect(munich.compileNumberList('0*', 'excludedNumbers').matches('+49301234567')).toBe(true);
		expect(munich.compileNumberList('0*', 'excludedNumbers').matches('+441234567')).toBe(false);
	});

	it('reads one text separated by commas, semicolons or new lines', () => {
		const text = munich.compileNumberList('299,\n 0301234567 ; ', 'excludedNumbers');
		expect(text.size).toBe(2);
		expect(text.matches('+49301234567')).toBe(true);
	});

	it('refuses entries that are no number or pattern, naming the setting', () => {
		expect(() => munich.compileNumberList(['12*34'], 'excludedNumbers')).toThrow(ConfigurationError);
		expect(() => munich.compileNumberList(['12*34'], 'excludedNumbers')).toThrow(/^excludedNumbers: "12\*34" is not/);
		expect(() => munich.compileNumberList(['anonymous'], 'excludedNumbers')).toThrow(/^excludedNumbers: "anonymous"/);
		expect(() => munich.compileNumberList(['*'], 'excludedNumbers')).toThrow(/^excludedNumbers: "\*"/);
	});

	it('names the setting by its label in the editor when given one', () => {
		expect(() => munich.compileNumberList(['12*34'], 'excludedNumbers', 'Exceptions → Excluded Caller Numbers')).toThrow(
			/^Exceptions → Excluded Caller Numbers: "12\*34" is not a number or a prefix pattern like \+49891234\*/,
		);
	});
});

describe('configuration errors', () => {
	it('names a bad country', () => {
		expect(() => compileNumberingPlan({ country: 'Germany' })).toThrow(/^Numbering Plan → Country Name or ID: "Germany" is not/);
	});

	it('names a bad base number', () => {
		expect(() => compileNumberingPlan({ country: 'DE', baseNumber: 'Zentrale' })).toThrow(/^Numbering Plan → PBX Base Number: "Zentrale" is not/);
	});

	it('names a bad internal pattern', () => {
		expect(() => compileNumberingPlan({ country: 'DE', internalPattern: '^(\\d{2,4}$' })).toThrow(
			/^Numbering Plan → Internal Number Pattern: "\^\(\\d\{2,4\}\$" is not a valid regular expression/,
		);
	});

	it.each([['20-299'], ['299-200'], ['2xx-3xx'], ['200-']])('names a range %s that is not one', (pattern) => {
		const error = caught(() => compileNumberingPlan({ country: 'DE', internalPattern: `100-199, ${pattern}` }));
		expect(error).toMatchObject({ setting: 'internalPattern' });
		expect((error as Error).message).toBe(
			`Numbering Plan → Internal Number Pattern: "${pattern}" in "100-199, ${pattern}" is not a range of extensions like 200-299 ` +
				'(the lower number first, both with the same number of digits; write 20-99, 100-299 for both lengths)',
		);
	});

	it('says which setting failed', () => {
		const error = caught(() => compileNumberingPlan({ country: 'XX' }));
		expect(error).toBeInstanceOf(ConfigurationError);
		expect(error).toMatchObject({ setting: 'country' });
	});
});

describe('readings kept by a compiled plan', () => {
	it('answers the same when asked again, whichever question came first, also after the cache filled up', () => {
		const plan = compileNumberingPlan({ country: 'DE', baseNumber: '+49891234' });
		const answers = (spelling: string) => [
			plan.display(spelling),
			plan.normalise(spelling),
			plan.key(spelling),
			plan.isInternalNumber(spelling),
		];
		const expected = [
			['030 1234567', '+49301234567', '+49301234567', false],
			['089 1234201', '+49891234201', '+49891234201', true],
			['w0', null, 'w0', false],
			['', null, null, false],
			['+44 20 7946 0018', '+442079460018', '+442079460018', false],
		];
		const spellings = ['030 1234567', '0891234201', 'w0', 'anonymous', '0044 20 7946 0018'];
		// First asked for the key only, so the display is worked out on a kept reading.
		spellings.forEach((spelling) => plan.key(spelling));
		expect(spellings.map(answers)).toEqual(expected);
		for (let index = 0; index < 12_000; index++) plan.key(`040 ${2_000_000 + index}`);
		expect(spellings.map(answers)).toEqual(expected);
	});
});
