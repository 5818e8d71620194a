import VCard from 'vcf';
import type { Contact, NotifiedCaller } from '../../../nodes/shared/notification';
import { buildVCard } from '../../../nodes/XslMailComposer/render/vcard';

const caller: NotifiedCaller = { number: '08923456789', e164: '+498923456789', display: '089 23456789', name: '', restricted: false };

/** The vCard text, checked for line structure, and parsed by the independent `vcf` package. */
function card(contact: Contact, from: NotifiedCaller | null = caller): { text: string; parsed: VCard } {
	const attachment = buildVCard(contact, from);
	if (!attachment) throw new Error('no vCard');
	const text = attachment.content.toString('utf8');
	expect(Buffer.from(text, 'utf8').equals(attachment.content)).toBe(true);
	// Every line ends in CRLF; no bare CR or LF anywhere; no physical line over 75 octets.
	expect(text.endsWith('\r\n')).toBe(true);
	expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
	for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
	return { text, parsed: new VCard().parse(text) };
}

/** RFC 2426 text unescaping, as an importing address book does it. */
function unescape(value: string): string {
	return value.replace(/\\([\\;,nN])/g, (_, char: string) => (char.toLowerCase() === 'n' ? '\n' : char));
}

function values(parsed: VCard, name: string): string[] {
	const property = parsed.get(name);
	if (property === undefined) return [];
	return (Array.isArray(property) ? property : [property]).map((p) => p.valueOf());
}

/** The unfolded content lines, for asserting on what a property line says. */
function lines(text: string): string[] {
	return text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
}

describe('vCard of the caller', () => {
	it.each([
		['Jürgen Müller-Lüdenscheidt', 'Müller-Lüdenscheidt;Jürgen;;;'],
		['Łukasz Żółć', 'Żółć;Łukasz;;;'],
		['山田太郎', '山田太郎;;;;'],
		// Family name first in Chinese, Japanese and Korean.
		['山田 太郎', '山田;太郎;;;'],
		['김 민준', '김;민준;;;'],
		['山田\u3000太郎', '山田;太郎;;;'],
	])('keeps the non-ASCII name %s intact', (name, n) => {
		const { parsed } = card({ name });
		expect(values(parsed, 'fn')).toEqual([name]);
		expect(values(parsed, 'n')).toEqual([n]);
	});

	it('uses first and last name when the contact has them', () => {
		const { parsed } = card({ firstName: 'Anna Maria', lastName: 'von Berg', company: 'Berg KG' });
		expect(values(parsed, 'fn')).toEqual(['Anna Maria von Berg']);
		expect(values(parsed, 'n')).toEqual(['von Berg;Anna Maria;;;']);
		expect(values(parsed, 'org')).toEqual(['Berg KG']);
	});

	it('escapes ";" and "," in the organisation, so it stays one name', () => {
		const { text, parsed } = card({ name: 'Jo', company: 'Müller; Söhne, GmbH & Co. KG' });
		expect(lines(text)).toContain('ORG:Müller\\; Söhne\\, GmbH & Co. KG');
		expect(unescape(values(parsed, 'org')[0])).toBe('Müller; Söhne, GmbH & Co. KG');
	});

	it('carries the contact’s details as work data', () => {
		const { parsed } = card({
			name: 'Jürgen Müller-Lüdenscheidt',
			company: 'Müller & Söhne GmbH',
			title: 'Einkaufsleiter',
			email: 'j.mueller@mueller-soehne.example',
			phone: '+49 89 2345678-0',
			mobile: '+49 171 2345678',
			url: 'www.mueller-soehne.example',
			street: 'Lindwurmstraße 12',
			postalCode: '80337',
			city: 'München',
			country: 'Deutschland',
			note: 'Kunde seit 2019\nbevorzugt Rückruf am Vormittag',
		});
		expect(values(parsed, 'email')).toEqual(['j.mueller@mueller-soehne.example']);
		// The mobile, the work phone, and the number that called, which is neither.
		expect(values(parsed, 'tel')).toEqual(['+49 171 2345678', '+49 89 2345678-0', '+498923456789']);
		expect(values(parsed, 'title')).toEqual(['Einkaufsleiter']);
		expect(values(parsed, 'url')).toEqual(['https://www.mueller-soehne.example']);
		expect(values(parsed, 'adr')).toEqual([';;Lindwurmstraße 12;München;;80337;Deutschland']);
		expect(unescape(values(parsed, 'note')[0])).toBe('Kunde seit 2019\nbevorzugt Rückruf am Vormittag');
	});

	it('gives an address its state, province or region', () => {
		const { parsed } = card({ name: 'Jo', street: '123 Main Street', city: 'Springfield', state: 'IL', postalCode: '62704', country: 'USA' });
		expect(values(parsed, 'adr')).toEqual([';;123 Main Street;Springfield;IL;62704;USA']);
	});

	it('adds the caller’s number as work phone when the contact has none', () => {
		expect(values(card({ name: 'Jo' }).parsed, 'tel')).toEqual(['+498923456789']);
		expect(values(card({ name: 'Jo' }, { ...caller, restricted: true }).parsed, 'tel')).toEqual([]);
		expect(values(card({ name: 'Jo' }, null).parsed, 'tel')).toEqual([]);
	});

	it.each([
		['sip:+4930123456@pbx.example;user=phone', ['+4930123456']],
		['Max <+4930123456>', ['+4930123456']],
		['sip:202@carrier.example', []],
	])('gives the caller’s number %s, as it came without a filter before the composer, as the number in it', (number, tels) => {
		expect(values(card({ name: 'Jo' }, { number, e164: null, display: '', name: '', restricted: false }).parsed, 'tel')).toEqual(tels);
	});

	it.each([
		['+49 (0)89 2345-678 ext. 12', '+49 89 2345-678'],
		['089 1234567 x 99', '089 1234567'],
		['089 1234567 (Zentrale)', '089 1234567'],
		['+49 89 2345678 Durchwahl 12', '+49 89 2345678'],
	])('writes %s as the phone dials it: %s (as the telephony link does)', (written, tel) => {
		expect(lines(card({ name: 'Jo', phone: written }).text)).toContain(`TEL;TYPE=WORK,VOICE:${tel}`);
	});

	it('adds the number that called only when it is not the contact’s phone or mobile already', () => {
		// The same numbers in other forms: national (as the trigger displays it) and E.164.
		expect(values(card({ name: 'Jo', phone: '089 23456789' }).parsed, 'tel')).toEqual(['089 23456789']);
		expect(values(card({ name: 'Jo', phone: '+49 89 1111', mobile: '+49 89 23456789' }).parsed, 'tel')).toEqual([
			'+49 89 23456789',
			'+49 89 1111',
		]);
		expect(values(card({ name: 'Jo', phone: '+49 89 1111' }, { ...caller, restricted: true }).parsed, 'tel')).toEqual(['+49 89 1111']);
		// Written with 00 instead of +.
		expect(values(card({ name: 'Jo', phone: '0049 89 23456789' }).parsed, 'tel')).toEqual(['0049 89 23456789']);
		// Only a mobile, and the call came from it: not again as work phone.
		expect(values(card({ name: 'Jo', mobile: '+49 89 23456789' }).parsed, 'tel')).toEqual(['+49 89 23456789']);
	});

	it('lets no value add a property', () => {
		const { text, parsed } = card({
			name: 'Evil\r\nEMAIL:x@evil',
			company: 'ACME\rTEL:666',
			title: 'Boss\nEND:VCARD\nBEGIN:VCARD',
			email: 'real@example.com',
			phone: '0891;TYPE=HOME:666',
			url: 'javascript:alert(1)',
			note: 'ok\r\nORG:Injected',
		});
		expect(values(parsed, 'email')).toEqual(['real@example.com']);
		// Letters in the phone: not a number a phone can dial; the number that called stands in.
		expect(values(parsed, 'tel')).toEqual(['+498923456789']);
		expect(values(parsed, 'url')).toEqual([]);
		expect(values(parsed, 'org')).toEqual(['ACME TEL:666']);
		expect(lines(text).map((line) => line.split(/[;:]/)[0])).toEqual([
			'BEGIN', 'VERSION', 'FN', 'N', 'EMAIL', 'TEL', 'TITLE', 'ORG', 'NOTE', 'REV', 'END',
		]);
		expect(values(parsed, 'fn')).toEqual(['Evil EMAIL:x@evil']);
	});

	it('stamps REV in whole seconds (RFC 2426 §3.6.4, ISO 8601), which every importer reads', () => {
		expect(values(card({ name: 'Jo' }).parsed, 'rev')).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)]);
	});

	it('keeps an e-mail with an internationalised domain, in its ASCII form', () => {
		// The textbook example of IDNA (Wikipedia, "Punycode"): bücher → xn--bcher-kva.
		expect(values(card({ name: 'Jo', email: 'info@bücher.example' }).parsed, 'email')).toEqual(['info@xn--bcher-kva.example']);
	});

	it('drops an e-mail that is not one plain address', () => {
		expect(values(card({ name: 'Jo', email: 'a@example.com, b@example.com' }).parsed, 'email')).toEqual([]);
	});

	it('folds long lines between characters, never inside one', () => {
		const name = `Jürgen ${'😀'.repeat(40)}`;
		expect(values(card({ name }).parsed, 'fn')).toEqual([name]);
	});

	it('marks a company-only contact as an organisation', () => {
		const { text, parsed } = card({ company: 'Stadtwerke München' });
		expect(values(parsed, 'fn')).toEqual(['Stadtwerke München']);
		expect(lines(text)).toContain('X-ABShowAs:COMPANY');
	});

	it('has a safe file name and the vCard content type', () => {
		expect(buildVCard({ name: 'Jürgen Müller-Lüdenscheidt' }, caller)).toMatchObject({
			filename: 'Jürgen Müller-Lüdenscheidt.vcf',
			contentType: 'text/vcard; charset=utf-8',
		});
		expect(buildVCard({ name: '../../etc/passwd' }, caller)?.filename).toBe('etcpasswd.vcf');
		expect(buildVCard({ name: '"><\u202E' }, caller)?.filename).toBe('contact.vcf');
		expect(buildVCard({ email: 'jo@example.com' }, caller)?.filename).toBe('joexample.com.vcf');
	});

	it('is not made without a name, company or e-mail', () => {
		expect(buildVCard(null, caller)).toBeNull();
		expect(buildVCard({ phone: '+49 89 1', note: 'only a note' }, caller)).toBeNull();
		expect(buildVCard({ name: ' \r\n\u202E ' }, caller)).toBeNull();
	});
});
