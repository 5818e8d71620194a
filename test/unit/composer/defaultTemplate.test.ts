import fc from 'fast-check';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import type { Notification, NotifiedCaller } from '../../../nodes/shared/notification';
import { LANGUAGES_DIR, languageFor } from '../../../nodes/XslMailComposer/render/languages';
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { ev } from '../trigger/events';
import { answeredByBen, compose, missedCall } from './helpers';

const NAME = 'Jürgen Müller-Lüdenscheidt';

function elements(html: string): Element[] {
	return DomUtils.findAll(() => true, parseDocument(html).children);
}

function links(html: string): Element[] {
	return elements(html).filter((element) => element.name === 'a');
}

/** No number at all: withheld, or not passed on. */
const NO_NUMBER: NotifiedCaller = { number: '', e164: null, display: '', name: '', restricted: true };

/** The call, from `caller`, whom the CRM does not know. */
function fromUnknownContact(caller: NotifiedCaller, notification = missedCall()): Notification {
	notification.caller = caller;
	notification.contact = null;
	return notification;
}

describe('default template', () => {
	it.each([
		['de', `Verpasster Anruf von ${NAME}`, 'Verpasster Anruf', 'Dienstag, 4. März 2025', '14:03 Uhr'],
		['en', `Missed call from ${NAME}`, 'Missed call', 'Tuesday, 4 March 2025', '14:03'],
		['fr', `Appel manqué\u00a0: ${NAME}`, 'Appel manqué', 'mardi 4 mars 2025', '14:03'],
		['it', `Chiamata persa da ${NAME}`, 'Chiamata persa', 'martedì 4 marzo 2025', '14:03'],
		['es', `Llamada perdida de ${NAME}`, 'Llamada perdida', 'martes, 4 de marzo de 2025', '14:03'],
		['nl', `Gemiste oproep van ${NAME}`, 'Gemiste oproep', 'dinsdag 4 maart 2025', '14:03'],
		// An American reads month first and a 12-hour clock.
		['en-US', `Missed call from ${NAME}`, 'Missed call', 'Tuesday, March 4, 2025', '2:03 PM'],
	])('renders in %s, subject and texts from the language file', async (languageTag, subject, heading, date, time) => {
		const mail = await compose(missedCall(), { languageTag });
		expect(mail.subject).toBe(subject);
		expect(mail.language).toBe(languageTag);
		for (const part of [mail.html, mail.text]) {
			expect(part).toContain(heading);
			expect(part).toContain(date);
			expect(part).toContain(time);
		}
		expect(mail.html).toContain(`<html lang="${languageTag}">`);
	});

	it('says which zone the time is in, also for a recipient without one of their own', async () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'America/New_York';
		expect((await compose(notification, { languageTag: 'en-US' })).text).toContain('Time: 8:03 AM (EST)\n');
		notification.recipient.timeZone = '';
		const fallback = await compose(notification, { languageTag: 'en', defaultTimeZone: 'UTC' });
		expect(fallback.text).toContain('Time: 13:03 (UTC)\n');
		expect(DomUtils.textContent(parseDocument(fallback.html))).toContain('Time13:03 (UTC)');
		// An unreadable start time leaves the row out rather than showing " ()".
		notification.call.startedAt = 'soon';
		expect((await compose(notification, { languageTag: 'en' })).text).not.toContain('Time:');
	});

	it("shows the zone once when the language's own time format shows it already", async () => {
		const german = languageFor(LANGUAGES_DIR, 'de', 'en');
		const withZone = { ...german, formats: { ...german.formats, time: "HH:mm 'Uhr' ZZZZ" } };
		expect((await compose(missedCall(), { language: withZone })).text).toContain('Uhrzeit: 14:03 Uhr MEZ\n');
	});

	it('gives the text part the call-back link as text, where there is one', async () => {
		expect((await compose(missedCall())).text).toContain('Rufnummer: 089 23456789\nZurückrufen: tel:+498923456789\n');
		expect((await compose(missedCall(), { linkPrefix: 'callto:' })).text).toContain('Zurückrufen: callto:+498923456789\n');
		expect((await compose(missedCall(), { linkPrefix: null })).text).not.toContain('Zurückrufen');
		expect((await compose(fromUnknownContact(NO_NUMBER))).text).not.toContain('Zurückrufen');
	});

	it("gives an Austrian recipient of the German mail Austria's month names", async () => {
		const notification = missedCall();
		notification.call.startedAt = '2025-01-07T13:03:02.000Z';
		const mail = await compose(notification, { language: languageFor(LANGUAGES_DIR, 'de-AT', 'en') });
		expect(mail.text).toContain('Datum: Dienstag, 7. Jänner 2025\n');
		const german = await compose(notification, { language: languageFor(LANGUAGES_DIR, 'de-DE', 'en') });
		expect(german.text).toContain('Datum: Dienstag, 7. Januar 2025\n');
	});

	it('shows who called, when, how long, and where it rang — in HTML and text', async () => {
		const mail = await compose(missedCall());
		const text = DomUtils.textContent(parseDocument(mail.html));
		for (const expected of [NAME, 'Müller & Söhne GmbH', '089 23456789', 'Dienstag, 4. März 2025', '14:03 Uhr', 'Klingeldauer20 Sek.', 'Ben Kurz', 'besetzt', 'nicht angenommen']) {
			expect(text).toContain(expected);
		}
		expect(mail.text).toContain('Anrufer: Jürgen Müller-Lüdenscheidt\nFirma: Müller & Söhne GmbH\nRufnummer: 089 23456789\n');
		// Anna's phones rang 20 s; the call went on to ring Ben for 18 s more.
		expect(mail.text).toContain('Datum: Dienstag, 4. März 2025\nUhrzeit: 14:03 Uhr (MEZ)\nKlingeldauer: 20 Sek.\n');
		expect(mail.text).toContain(
			'Geklingelt bei\n' +
				'\u200E- Anna Berg, Leitung 201, 14:03:03, 20 Sek., nicht angenommen\n' +
				'\u200E- Anna Berg, Leitung w0, 14:03:03, 20 Sek., nicht angenommen\n' +
				'\u200E- Ben Kurz, Leitung 202, 14:03:23, 18 Sek., besetzt\n',
		);
		expect(mail.text).not.toMatch(/<\w/);
	});

	it("gives how long it rang for the recipient; for one whose phones did not ring, how long it rang at all", async () => {
		const forBen = missedCall();
		forBen.recipient = { ...forBen.recipient, id: 'ben', name: 'Ben Kurz' };
		expect((await compose(forBen)).text).toContain('\nKlingeldauer: 18 Sek.\n');
		// Parallel ringing on two of Anna's phones counts once; Ben rang after her: 20 s + 18 s.
		const forCleo = missedCall();
		forCleo.recipient = { ...forCleo.recipient, id: 'cleo', name: 'Cleo Jansen' };
		const mail = await compose(forCleo);
		expect(mail.text).toContain('\nKlingeldauer: 38 Sek.\n');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('Klingeldauer38 Sek.');
	});

	it('says where a forward went: the colleague by name, an outside number spaced to read', async () => {
		const notification = missedCall();
		notification.legs[0] = { ...notification.legs[0], result: 'diverted', divertedTo: '202' };
		notification.legs[1] = { ...notification.legs[1], result: 'diverted', divertedTo: '+491701234567' };
		const mail = await compose(notification);
		expect(mail.text).toContain('\u200E- Anna Berg, Leitung 201, 14:03:03, 20 Sek., umgeleitet → Ben Kurz\n');
		expect(mail.text).toContain('\u200E- Anna Berg, Leitung w0, 14:03:03, 20 Sek., umgeleitet → +49 170 1234567\n');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('umgeleitet → Ben Kurz');
	});

	it('names the voicemail box the call reached by its owner and line, or by its line alone', async () => {
		const notification = missedCall();
		notification.call.voicemail = '201';
		const mail = await compose(notification);
		expect(mail.text).toContain('Mailbox: Anna Berg (201)\n');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('MailboxAnna Berg (201)');
		notification.call.voicemail = '299';
		expect((await compose(notification)).text).toContain('Mailbox: 299\n');
	});

	it('says that a call a voicemail box took went there, in subject, heading and intro', async () => {
		const notification = missedCall();
		notification.call.voicemail = '201';
		const mail = await compose(notification);
		expect(mail.subject).toBe(`Anruf von ${NAME} auf der Mailbox`);
		const intro = `${NAME} hat versucht, Sie zu erreichen; der Anruf ging an die Mailbox. Vielleicht wurde eine Nachricht hinterlassen.`;
		expect(mail.text).toMatch(new RegExp(`^Anruf auf der Mailbox\n\n${intro}\n`));
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain(intro);
		expect((await compose(notification, { languageTag: 'en' })).subject).toBe(`Call from ${NAME} went to voicemail`);

		const unknown = await compose(fromUnknownContact(NO_NUMBER, notification));
		expect(unknown.subject).toBe('Anruf eines unbekannten Anrufers auf der Mailbox');
		expect(unknown.text).toContain('Ein unbekannter Anrufer hat versucht, Sie zu erreichen; der Anruf ging an die Mailbox.');
	});

	it('puts the caller before who answered in every subject, where a cut-off subject keeps it', async () => {
		for (const languageTag of ['de', 'en', 'es', 'fr', 'it', 'nl']) {
			const { subject } = await compose(answeredByBen(), { languageTag });
			expect({ languageTag, callerFirst: subject.indexOf(NAME) < subject.indexOf('Ben Kurz') }).toEqual({ languageTag, callerFirst: true });
		}
	});

	it('names an outside number that answered as itself, not as "a colleague"', async () => {
		const notification = answeredByBen();
		notification.call.answeredBy = { line: '+491701234567', at: '2025-03-04T13:03:15.000Z', pickup: false };
		notification.answeredByUser = null;
		// Anna's line forwarded the call to a mobile, which answered it.
		notification.legs = [{ ...notification.legs[0], result: 'diverted', divertedTo: '+491701234567' }];
		const mail = await compose(notification, { languageTag: 'en' });
		expect(mail.text).toMatch(/^Answered by \+49 170 1234567\n\n\+49 170 1234567 answered this call for you\.\n/);
		expect(mail.text).not.toMatch(/colleague/i);
	});

	it('shows a number with nothing to dial as it came, without a link, not as "no number"', async () => {
		const mail = await compose(fromUnknownContact({ number: '+1-800-FLOWERS', e164: null, display: '+1-800-FLOWERS', name: '', restricted: false }));
		expect(mail.subject).toBe('Verpasster Anruf von +1-800-FLOWERS');
		expect(mail.text).toContain('+1-800-FLOWERS hat versucht, Sie zu erreichen.');
		expect(mail.text).not.toContain('Keine Rufnummer');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('\u260e\u00a0\u00a0+1-800-FLOWERS');
		expect(links(mail.html).map((link) => link.attribs.href)).toEqual([]);
	});

	it.each([
		['sip:+4930123456@pbx.example;user=phone', '+49 30 123456', ['tel:+4930123456']],
		['tel:+49-30-123456', '+49 30 123456', ['tel:+4930123456']],
		['Max <+4930123456>', '+49 30 123456', ['tel:+4930123456']],
		// Someone's 202 at another host: not our extension 202, nothing to dial here.
		['sip:202@carrier.example', 'sip:202@carrier.example', []],
		['sip:0891234200@carrier.example', '0891234200', ['tel:0891234200']],
	])('reads the number in %s when no filter came before the composer', async (number, shown, hrefs) => {
		const mail = await compose(fromUnknownContact({ number, e164: null, display: '', name: '', restricted: false }));
		expect(mail.subject).toBe(`Verpasster Anruf von ${shown}`);
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain(`\u260e\u00a0\u00a0${shown}`);
		expect(links(mail.html).map((link) => link.attribs.href)).toEqual(hrefs);
	});

	it.each([
		// USPS: city, state and ZIP code on one line.
		[{ street: '123 Main Street', city: 'Springfield', state: 'IL', postalCode: '62704', country: 'USA' }, '123 Main Street, Springfield, IL 62704, USA'],
		// Royal Mail: the post town, then the postcode on a line of its own.
		[{ street: '221B Baker Street', city: 'London', postalCode: 'NW1 6XE', country: 'Vereinigtes Königreich' }, '221B Baker Street, London, NW1 6XE, Vereinigtes Königreich'],
		[{ street: 'Lindwurmstraße 12', city: 'München', postalCode: '80337', country: 'DE' }, 'Lindwurmstraße 12, 80337 München, DE'],
		[{ street: 'Lindwurmstraße 12', city: 'München', postalCode: '80337' }, 'Lindwurmstraße 12, 80337 München'],
		[{ country: 'Deutschland' }, 'Deutschland'],
		[{ state: 'IL', postalCode: '62704', country: 'USA' }, 'IL 62704, USA'],
	])('writes the address %j as its country does', async (address, line) => {
		const notification = missedCall();
		// Known by name and address only: the address alone brings the contact block.
		notification.contact = { company: 'Müller & Söhne GmbH', ...address };
		const mail = await compose(notification);
		expect(mail.text).toContain(`\nAdresse: ${line}\n`);
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain(`Adresse${line}`);
	});

	it('shows the number dialled and the line that answered as ours, whatever host a SIP address names', async () => {
		const notification = answeredByBen();
		notification.call.called = 'sip:200@pbx.example';
		notification.call.answeredBy = { line: 'sip:202@pbx.example', at: '2025-03-04T13:03:15.000Z', pickup: false };
		notification.answeredByUser = null;
		const mail = await compose(notification);
		expect(mail.text).toContain('Gewählte Nummer: 200\n');
		expect(mail.text).toContain('Angenommen von: 202\n');
	});

	it('writes American English where it differs from British', async () => {
		const mail = await compose({ ...missedCall(), caller: NO_NUMBER }, { languageTag: 'en-US' });
		expect(mail.text).toContain("No caller ID\nThe caller blocked their number, or it was not passed on, so you can't call them back.\n");
		expect(mail.text).toContain('Number dialed: +49 89 1234200\n');
		expect(mail.text).toContain('Email: j.mueller@mueller-soehne.example\n');
	});

	it('keeps the missed-call wording when no voicemail box took the call, and the answered wording when someone answered', async () => {
		expect((await compose(missedCall())).subject).toBe(`Verpasster Anruf von ${NAME}`);
		const answered = answeredByBen();
		answered.call.voicemail = '299';
		expect((await compose(answered)).subject).toBe(`Anruf von ${NAME}, angenommen von Ben Kurz`);
	});

	it('names the colleague who answered', async () => {
		const mail = await compose(answeredByBen());
		expect(mail.subject).toBe(`Anruf von ${NAME}, angenommen von Ben Kurz`);
		expect(mail.text).toMatch(/^Angenommen von Ben Kurz\n\nBen Kurz hat diesen Anruf für Sie angenommen\.\n/);
		expect(mail.text).toContain('Angenommen von: Ben Kurz (per Heranholen)\n');
		expect(mail.text).toContain('\u200E- Anna Berg, Leitung 201, 14:03:03, 12 Sek., von Kollegen herangeholt\n');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('Angenommen vonBen Kurz (per Heranholen)');
	});

	it('shows the line that took the call by pickup as such, without a ringing time it never had', async () => {
		// The legs as the trigger assembles them: 202 did not ring, it picked the call up from 201.
		const assembler = new CallAssembler();
		const [call] = [
			ev(0, 'offered', { caller: { number: '08923456789', name: 'MUELLER JUERGEN' }, called: '+49891234200', direction: 'inbound' }),
			ev(1, 'ringing', { line: '201' }),
			ev(13, 'answered', { line: '202', pickup: true, from: '201' }),
		].flatMap((event) => assembler.push(event)) as CallRecord[];
		const owners: Record<string, { id: string; name: string }> = { '201': { id: 'anna', name: 'Anna Berg' }, '202': { id: 'ben', name: 'Ben Kurz' } };
		const notification = { ...answeredByBen(), call, legs: call.legs.map((leg) => ({ ...leg, owner: owners[leg.line] })) };
		const mail = await compose(notification);
		expect(mail.text).toContain(
			'\u200E- Anna Berg, Leitung 201, 10:00:01, 12 Sek., von Kollegen herangeholt\n' +
				'\u200E- Ben Kurz, Leitung 202, 10:00:13, per Heranholen angenommen\n',
		);
		const benRow = DomUtils.findAll((element) => element.name === 'tr', parseDocument(mail.html).children).find((row) =>
			DomUtils.textContent(row).startsWith('Ben Kurz'),
		);
		expect(benRow && DomUtils.getChildren(benRow).filter((cell) => cell.type === 'tag').map((cell) => DomUtils.textContent(cell).trim())).toEqual([
			'Ben KurzLeitung\u00a0202',
			'10:00:13',
			'',
			'per Heranholen angenommen',
		]);
	});

	it('notes a withheld number and offers no call-back link', async () => {
		const mail = await compose(fromUnknownContact(NO_NUMBER));
		expect(mail.subject).toBe('Verpasster Anruf eines unbekannten Anrufers');
		expect(mail.text).toContain('Ein unbekannter Anrufer hat versucht, Sie zu erreichen.');
		// A PBX sends the same empty number for a withheld one and one the network did not pass on.
		const note = 'Der Anrufer hat seine Rufnummer unterdrückt, oder sie wurde nicht übermittelt; ein Rückruf ist daher nicht möglich.';
		expect(mail.html).toContain('<strong>Keine Rufnummer übermittelt</strong><br>');
		expect(mail.html).toContain(note);
		expect(links(mail.html)).toEqual([]);
		// In the text too the text stands alone: "Rufnummer: Keine Rufnummer übermittelt" said it twice.
		expect(mail.text).toContain(`\n\nKeine Rufnummer übermittelt\n${note}\n`);
		expect(mail.text).not.toContain('Rufnummer:');
	});

	it('keeps the line breaks of the contact’s note in HTML, as in the text', async () => {
		const notification = missedCall();
		notification.contact = { ...notification.contact, note: 'Kunde seit 2019\nRückruf <vormittags>\n\nPrivat: nie' };
		const mail = await compose(notification);
		const cell = elements(mail.html).find((element) => element.name === 'td' && DomUtils.textContent(element).startsWith('Kunde seit'))!;
		expect(cell.children.map((child) => (child.type === 'tag' ? `<${(child as Element).name}>` : DomUtils.textContent(child)))).toEqual([
			'Kunde seit 2019', '<br>', 'Rückruf <vormittags>', '<br>', '<br>', 'Privat: nie',
		]);
		expect(mail.text).toContain('Notiz: Kunde seit 2019\nRückruf <vormittags>\n\nPrivat: nie\n');
		// The longest note (4000 characters) of one-character lines: 2000 lines, each its own.
		notification.contact = { ...notification.contact, note: Array.from({ length: 2000 }, (_, i) => String(i % 10)).join('\n') };
		const long = await compose(notification);
		const longCell = elements(long.html).find((element) => element.name === 'td' && DomUtils.textContent(element).startsWith('0123'))!;
		expect(longCell.children.filter((child) => child.type === 'tag' && (child as Element).name === 'br')).toHaveLength(1999);
	});

	it('gives the job title in the text part too', async () => {
		const notification = missedCall();
		notification.contact = { ...notification.contact, title: 'Einkaufsleiter' };
		const mail = await compose(notification);
		expect(mail.text).toContain('Anrufer: Jürgen Müller-Lüdenscheidt\nPosition: Einkaufsleiter\nFirma: Müller & Söhne GmbH\n');
		expect(DomUtils.textContent(parseDocument(mail.html))).toContain('Einkaufsleiter · Müller & Söhne GmbH');
	});

	it('does not repeat itself: a company-only contact, a caller known only by number', async () => {
		const companyOnly = missedCall();
		companyOnly.caller = { ...companyOnly.caller, name: '' };
		companyOnly.contact = { company: 'Stadtwerke München' };
		const company = await compose(companyOnly);
		expect(company.text).toContain('Anrufer: Stadtwerke München\nRufnummer: 089 23456789\n');
		expect(company.text.match(/Stadtwerke München/g)).toHaveLength(2); // intro, caller
		expect(DomUtils.textContent(parseDocument(company.html)).match(/Stadtwerke München/g)).toHaveLength(3); // title, name, intro

		const numberOnly = missedCall();
		numberOnly.caller = { ...numberOnly.caller, name: '' };
		numberOnly.contact = null;
		const number = await compose(numberOnly);
		expect(number.text).toContain('089 23456789 hat versucht, Sie zu erreichen.\n\nRufnummer: 089 23456789\nZurückrufen: tel:+498923456789\n\n');
		expect(number.text).not.toContain('Anrufer:');
	});

	it('writes label and value as the language does: French puts a no-break space before the colon', async () => {
		const mail = await compose(missedCall(), { languageTag: 'fr' });
		expect(mail.text).toContain('Appelant\u00a0: Jürgen Müller-Lüdenscheidt\nSociété\u00a0: Müller & Söhne GmbH\n');
		expect(mail.text).toContain('\u200E- Anna Berg, Ligne 201, 14:03:03, 20 s, sans réponse\n');
		expect((await compose(missedCall(), { languageTag: 'en' })).text).toContain('Caller: Jürgen Müller-Lüdenscheidt\n');
	});

	it('writes of an unknown caller as such, not as a caller named "Unknown"', async () => {
		const unknown = (notification: Notification) =>
			fromUnknownContact({ number: 'anonymous', e164: null, display: '', name: '', restricted: false }, notification);
		const missed = await compose(unknown(missedCall()), { languageTag: 'en' });
		expect(missed.subject).toBe('Missed call from an unknown caller');
		expect(missed.text).toContain('An unknown caller tried to reach you.');
		expect(DomUtils.textContent(parseDocument(missed.html))).toContain('An unknown caller tried to reach you.');
		expect(missed.text).not.toContain('Unknown tried');
		const taken = await compose(unknown(answeredByBen()), { languageTag: 'en' });
		expect(taken.subject).toBe('Call from an unknown caller answered by Ben Kurz');
		// A withheld number with a caller-ID name is no unknown caller.
		const named = missedCall();
		named.caller = { number: '', e164: null, display: '', name: 'MUELLER JUERGEN', restricted: true };
		named.contact = null;
		expect((await compose(named)).subject).toBe('Verpasster Anruf von MUELLER JUERGEN');
		// …but the words networks send instead of a name are no name (Asterisk's CallerIDName "Anonymous").
		for (const word of ['Anonymous', '<unknown>', 'PRIVATE', 'Unavailable']) {
			named.caller = { number: '', e164: null, display: '', name: word, restricted: true };
			expect((await compose(named)).subject).toBe('Verpasster Anruf eines unbekannten Anrufers');
		}
		named.caller = { number: '+4930555', e164: '+4930555', display: '030 555', name: 'Anonymous', restricted: false };
		const withNumber = await compose(named);
		expect(withNumber.subject).toBe('Verpasster Anruf von 030 555');
		expect(withNumber.text).not.toContain('Anonymous');
	});

	it('is built for mail clients: tables and inline styles, nothing active or external', async () => {
		const { html } = await compose(missedCall(), { attachVCard: true });
		expect(html.startsWith('<!DOCTYPE html>\n<html')).toBe(true);
		expect(html).not.toMatch(/<script|<style|<link|<img|<iframe|<form|<svg/i);
		expect(html).not.toMatch(/display:\s*(flex|grid)|position:\s*(absolute|fixed)/i);
		expect(html).not.toMatch(/https?:\/\//);
		expect(html).not.toMatch(/\son\w+=/i);
		const tables = elements(html).filter((element) => element.name === 'table');
		expect(tables.length).toBeGreaterThanOrEqual(3);
		expect(tables.some((table) => /max-width:600px/.test(table.attribs.style ?? ''))).toBe(true);
		expect(html).toContain('Die Kontaktdaten des Anrufers sind als vCard angehängt.');
		// Colours for a light background: a client in dark mode is told not to invert them.
		const metas = elements(html).filter((element) => element.name === 'meta').map((meta) => [meta.attribs.name, meta.attribs.content]);
		expect(metas).toEqual(expect.arrayContaining([['color-scheme', 'light'], ['supported-color-schemes', 'light']]));
	});

	it('makes the number a large tap target with the chosen prefix', async () => {
		const { html } = await compose(missedCall());
		const call = links(html).find((link) => link.attribs.href === 'tel:+498923456789');
		expect(call).toBeDefined();
		expect(DomUtils.textContent(call!)).toContain('089 23456789');
		expect(call!.attribs.style).toMatch(/display:inline-block;padding:14px 26px;.*font-size:19px/);
		const sip = await compose(missedCall(), { linkPrefix: 'sip:' });
		expect(links(sip.html).map((link) => link.attribs.href)).toContain('sip:+498923456789');
	});

	it('writes numbers as plain text when links are off', async () => {
		const notification = missedCall();
		notification.contact = { name: NAME, phone: '+49 89 2345678', mobile: '+49 171 2345678' };
		const { html } = await compose(notification, { linkPrefix: null });
		expect(html).not.toContain('<a ');
		expect(DomUtils.textContent(parseDocument(html))).toContain('089 23456789');
		expect(DomUtils.textContent(parseDocument(html))).toContain('+49 171 2345678');
	});

	it('links the contact’s phone numbers and e-mail when links are on', async () => {
		const notification = missedCall();
		notification.contact = { ...notification.contact, phone: '+49 89 2345678', mobile: '+49 (171) 2345678' };
		const hrefs = links((await compose(notification)).html).map((link) => link.attribs.href);
		expect(hrefs).toEqual(['tel:+498923456789', 'mailto:j.mueller@mueller-soehne.example', 'tel:+49892345678', 'tel:+491712345678']);
	});
});

describe('hostile caller data in the default mail', () => {
	const HOSTILE = [
		'<script>alert(1)</script>',
		'"><img src=x onerror=alert(1)>',
		"' onmouseover='alert(1)",
		'Evil\r\nBcc: victim@example.com',
		'\u202Eexe.tab',
		'&lt;script&gt;',
		'A'.repeat(10_240),
	];

	it.each(HOSTILE.map((name) => [name.slice(0, 40), name]))('neutralises %j as caller-ID name and contact data', async (_, name) => {
		const notification = missedCall();
		notification.caller.name = name;
		notification.caller.display = name;
		notification.contact = { name, company: name, title: name, email: `x@example.com${name}` };
		for (const senderMode of ['configured', 'callerAsFrom', 'callerAsReplyTo'] as const) {
			const mail = await compose(notification, { senderMode, attachVCard: true });
			const found = elements(mail.html);
			expect(found.filter((element) => ['script', 'img'].includes(element.name))).toEqual([]);
			for (const element of found) {
				expect(Object.keys(element.attribs).filter((attribute) => attribute.startsWith('on'))).toEqual([]);
			}
			for (const part of [mail.html, mail.text, mail.subject, ...Object.values(mail.headers), mail.from.name]) {
				expect(part).not.toContain('\u202E');
				expect(part).not.toContain('A'.repeat(201));
			}
			for (const header of [mail.subject, mail.from.name, mail.from.address, mail.to.name, ...Object.values(mail.headers)]) {
				expect(header).not.toMatch(/[\r\n]/);
			}
			expect(mail.subject.length).toBeLessThanOrEqual(250);
		}
	});

	it('shows markup in a name as text', async () => {
		const notification = missedCall();
		notification.contact = { name: '<script>alert(1)</script>' };
		const mail = await compose(notification);
		expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(mail.text).toContain('Anrufer: <script>alert(1)</script>\n');
		expect(mail.subject).toBe('Verpasster Anruf von <script>alert(1)</script>');
	});

	it('never lets any caller name or company change the HTML structure', async () => {
		const allowed = new Set(['html', 'head', 'meta', 'title', 'body', 'table', 'tr', 'td', 'div', 'a', 'strong', 'br']);
		const plain = await compose(missedCall());
		const structure = (html: string) => elements(html).map((element) => element.name).join(' ');
		await fc.assert(
			fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), async (name, company) => {
				const notification = missedCall();
				notification.contact = { name: `${name}x`, company: `${company}y`, email: 'j.mueller@mueller-soehne.example' };
				const mail = await compose(notification);
				expect(structure(mail.html)).toBe(structure(plain.html));
				expect(elements(mail.html).every((element) => allowed.has(element.name))).toBe(true);
				expect(mail.subject).not.toMatch(/[\r\n]/);
			}),
			{ numRuns: 40 },
		);
	});
});
