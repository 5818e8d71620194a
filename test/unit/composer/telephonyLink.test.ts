import fc from 'fast-check';
import { ConfigurationError } from '../../../nodes/shared/errors';
import {
	dialString,
	linkPrefixFor,
	telephonyHref,
	validateCustomPrefix,
} from '../../../nodes/XslMailComposer/render/telephonyLink';

const caller = (number: string, e164: string | null = null, restricted = false) => ({ number, e164, restricted });

describe('telephony link prefixes', () => {
	it.each([
		['off', '', null],
		['tel', '', 'tel:'],
		['phone', '', 'phone:'],
		['callto', '', 'callto:'],
		['custom', 'sip:', 'sip:'],
		['custom', ' msteams: ', 'msteams:'],
		['custom', 'x-cisco.1:', 'x-cisco.1:'],
		['custom', 'a:', 'a:'],
		['custom', 'abcdefghi:', 'abcdefghi:'],
	] as const)('%s %j → %j', (mode, custom, expected) => {
		expect(linkPrefixFor(mode, custom)).toBe(expected);
	});

	it.each([
		['sip', 'Custom Prefix "sip" must end with a colon, e.g. "sip:"'],
		['javascript:', 'Custom Prefix "javascript:" is not allowed: "javascript:" links are not phone numbers and can be abused'],
		['JavaScript:', 'Custom Prefix "JavaScript:" is not allowed'],
		['data:', 'Custom Prefix "data:" is not allowed'],
		['vbscript:', 'Custom Prefix "vbscript:" is not allowed'],
		['file:', 'Custom Prefix "file:" is not allowed'],
		['abcdefghij:', 'Custom Prefix "abcdefghij:" must have 1 to 9 characters before the colon (it has 10)'],
		[':', 'Custom Prefix ":" must have 1 to 9 characters before the colon (it has 0)'],
		['1sip:', 'Custom Prefix "1sip:" may only contain letters, digits, "+", "-" and "." before the colon, and must start with a letter'],
		['si p:', 'may only contain letters, digits'],
		['sip;x:', 'may only contain letters, digits'],
		['tel:/', 'must end with a colon'],
	])('refuses %j', (prefix, message) => {
		expect(() => validateCustomPrefix(prefix)).toThrow(ConfigurationError);
		expect(() => validateCustomPrefix(prefix)).toThrow(message);
	});
});

describe('dial string and href', () => {
	it.each([
		[caller('089 23456789', '+498923456789'), '+498923456789'],
		[caller('(089) 234-567 89'), '08923456789'],
		[caller('+49 (89) 2345/6789'), '+498923456789'],
		[caller('*31#0891234'), '*31#0891234'],
		[caller('0049+89+1'), '0049891'],
		[caller('anonymous'), ''],
		// "(0)" after a country code is the German way of showing the trunk prefix; it is not dialled.
		[caller('+49 (0)89 23456789'), '+498923456789'],
		[caller('+49 (0)30 1234567'), '+49301234567'],
		[caller('0049(0)30 1234567'), '0049301234567'],
		[caller('(089) 1234'), '0891234'],
		// An extension is not dialled; a "-" is no extension marker but part of a German number.
		[caller('0171 2345678 ext. 12'), '01712345678'],
		[caller('0171 2345678 extension 12'), '01712345678'],
		[caller('0171 2345678x12'), '01712345678'],
		[caller('089 1234 Durchwahl 56'), '0891234'],
		[caller('089 1234, DW 56'), '0891234'],
		[caller('089 1234-56'), '089123456'],
		// A remark in brackets is no part of the number.
		[caller('+49 89 1234567 (Zentrale)'), '+49891234567'],
		[caller('0171 2345678 (mobil, privat)'), '01712345678'],
		// Letters that are no extension marker: not dialable as written.
		[caller('0800 FLOWERS'), ''],
		[caller('0171 2345678 mobil'), ''],
		[caller('sip:201@pbx'), ''],
		[caller('+'), ''],
	])('%j dials %j', (input, expected) => {
		expect(dialString(input)).toBe(expected);
	});

	it('links the E.164 number with the prefix', () => {
		expect(telephonyHref('tel:', caller('089 23456789', '+498923456789'))).toBe('tel:+498923456789');
		expect(telephonyHref('callto:', caller('089 23456789'))).toBe('callto:08923456789');
	});

	it('links a contact number written with "(0)" and an extension as the number to dial', () => {
		expect(telephonyHref('tel:', caller('+49 (0)89 23456789'))).toBe('tel:+498923456789');
		expect(telephonyHref('tel:', caller('0171 2345678 ext. 12'))).toBe('tel:01712345678');
	});

	it('writes # as %23 so the number is not cut at a URL fragment', () => {
		expect(telephonyHref('tel:', caller('*31#0891234'))).toBe('tel:*31%230891234');
	});

	it('gives no link when links are off or the caller is withheld', () => {
		expect(telephonyHref(null, caller('089 23456789', '+498923456789'))).toBe('');
		expect(telephonyHref('tel:', caller('089 23456789', '+498923456789', true))).toBe('');
		expect(telephonyHref('tel:', caller('unknown'))).toBe('');
	});

	it('never lets anything but + digits * and # (as %23) into a link', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' })), (number, e164) => {
				const href = telephonyHref('tel:', caller(number, e164));
				expect(href === '' || /^tel:\+?(?:[0-9*]|%23)+$/.test(href)).toBe(true);
			}),
		);
	});
});
