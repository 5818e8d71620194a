import { buildNotificationXml } from '../../../nodes/XslMailComposer/render/notificationXml';
import { LANGUAGES_DIR, loadLanguage, type Language } from '../../../nodes/XslMailComposer/render/languages';
import { answeredByBen, at, missedCall, parseXml, textAt, type XmlNode } from './helpers';

const de = loadLanguage(LANGUAGES_DIR, 'de');
const en = loadLanguage(LANGUAGES_DIR, 'en');

function documentFor(notification = missedCall(), language = de, linkPrefix: string | null = 'tel:'): XmlNode {
	return parseXml(buildNotificationXml(notification, { language, linkPrefix }));
}

describe('notification XML', () => {
	it('describes recipient, call, caller and contact in the recipient’s language and zone', () => {
		const doc = documentFor();
		expect(doc.name).toBe('notification');
		expect(textAt(doc, 'recipient/name')).toBe('Anna Berg');
		expect(textAt(doc, 'recipient/language')).toBe('de');
		expect(textAt(doc, 'recipient/timeZone')).toBe('Europe/Berlin');
		expect(textAt(doc, 'call/callId')).toBe('1741093385.42');
		expect(textAt(doc, 'call/reason')).toBe('missed');
		expect(textAt(doc, 'call/startedAt/iso')).toBe('2025-03-04T13:03:02.000Z');
		expect(textAt(doc, 'call/startedAt/date')).toBe('Dienstag, 4. März 2025');
		expect(textAt(doc, 'call/startedAt/time')).toBe('14:03 Uhr');
		expect(textAt(doc, 'call/startedAt/timeWithSeconds')).toBe('14:03:02');
		expect(textAt(doc, 'caller/e164')).toBe('+498923456789');
		expect(textAt(doc, 'caller/display')).toBe('089 23456789');
		expect(textAt(doc, 'caller/link')).toBe('tel:+498923456789');
		expect(at(doc, 'caller/withheld')).toBeUndefined();
		expect(textAt(doc, 'contact/company')).toBe('Müller & Söhne GmbH');
		expect(textAt(doc, 'contact/displayName')).toBe('Jürgen Müller-Lüdenscheidt');
		expect(textAt(doc, 'caller/label')).toBe('Jürgen Müller-Lüdenscheidt');
		expect(textAt(doc, 'caller/unknown')).toBe('false');
		expect(at(doc, 'call/answeredBy')).toBeUndefined();
	});

	it('does not state how long a call rang whose end was never reported (resolved by silence)', () => {
		const complete = documentFor();
		expect(textAt(complete, 'call/ringDuration/text')).toBe('38 Sek.');
		// Resolved by silence: Ben's leg was still ringing when the call was given up at resolvedAt.
		const notification = missedCall();
		notification.call.incomplete = true;
		notification.legs[2] = { ...notification.legs[2], stillRinging: true };
		const doc = documentFor(notification);
		expect(textAt(doc, 'call/incomplete')).toBe('true');
		expect(textAt(doc, 'call/ringDuration/text')).toBe('unbekannt (die Telefonanlage hat das Ende des Anrufs nicht gemeldet)');
		expect(textAt(doc, 'call/ringDuration/seconds')).toBe('38');
		const legs = at(doc, 'call/legs')!.children.map((leg) => [textAt(leg, 'line'), textAt(leg, 'duration/text')]);
		expect(legs).toEqual([['201', '20 Sek.'], ['w0', '20 Sek.'], ['202', 'unbekannt']]);
	});

	it('names the owner of a line a leg was forwarded to, when that line rang in the call', () => {
		const notification = missedCall();
		notification.legs[0] = { ...notification.legs[0], result: 'diverted', divertedTo: '202' };
		notification.legs[1] = { ...notification.legs[1], result: 'diverted', divertedTo: '+49 170 1234567' };
		const legs = at(documentFor(notification), 'call/legs')!.children;
		expect(legs.map((leg) => [textAt(leg, 'divertedTo'), textAt(leg, 'divertedToName')])).toEqual([
			['202', 'Ben Kurz'],
			['+49 170 1234567', undefined],
			[undefined, undefined],
		]);
	});

	it('calls a line its own owner picked up from another device answered elsewhere, not picked up by a colleague', () => {
		const byColleague = at(documentFor(answeredByBen()), 'call/legs')!.children[0];
		expect([textAt(byColleague, 'result'), textAt(byColleague, 'resultText')]).toEqual(['pickedUp', 'von Kollegen herangeholt']);
		// Anna took the call ringing on her desk phone 201 from her softphone 202.
		const own = answeredByBen();
		own.legs[1] = { ...own.legs[1], owner: { id: 'anna', name: 'Anna Berg' } };
		own.answeredByUser = { id: 'anna', name: 'Anna Berg' };
		const leg = at(documentFor(own), 'call/legs')!.children[0];
		expect([textAt(leg, 'result'), textAt(leg, 'resultText')]).toEqual(['pickedUp', 'anderswo angenommen']);
	});

	it('formats in another language and zone, summer time included', () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'America/New_York';
		notification.call.startedAt = '2025-07-01T12:00:00.000Z';
		const doc = documentFor(notification, en);
		expect(textAt(doc, 'call/startedAt/date')).toBe('Tuesday, 1 July 2025');
		expect(textAt(doc, 'call/startedAt/time')).toBe('08:00');
		expect(textAt(doc, 'call/startedAt/local')).toBe('2025-07-01T08:00:00.000-04:00');
	});

	it.each([
		['Europe/Berlin', 'de', '2025-03-04T13:03:02.000Z', 'MEZ'],
		['Europe/Berlin', 'de', '2025-07-04T13:03:02.000Z', 'MESZ'],
		['America/New_York', 'en-US', '2025-03-04T13:03:02.000Z', 'EST'],
		['Asia/Kolkata', 'en', '2025-03-04T13:03:02.000Z', 'GMT+5:30'],
		['UTC', 'de', '2025-03-04T13:03:02.000Z', 'UTC'],
	])("names the zone (%s) in the recipient's language (%s) at %s: %s", (zone, tag, startedAt, name) => {
		const notification = missedCall();
		notification.recipient.timeZone = zone;
		notification.call.startedAt = startedAt;
		expect(textAt(documentFor(notification, loadLanguage(LANGUAGES_DIR, tag)), 'call/startedAt/zone')).toBe(name);
	});

	// Zone names are remembered per zone, language and offset: a call across the change of clocks,
	// and the same times for a recipient of another language, keep their own.
	it('names the zone of each time, across the change to winter time and in another language', () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'Europe/Berlin';
		notification.call.startedAt = '2025-10-26T00:59:50.000Z';
		notification.call.resolvedAt = '2025-10-26T01:00:10.000Z';
		const zones = (language: Language) =>
			['startedAt', 'resolvedAt'].map((time) => {
				const doc = documentFor(notification, language);
				return `${textAt(doc, `call/${time}/timeWithSeconds`)} ${textAt(doc, `call/${time}/zone`)}`;
			});
		expect(zones(de)).toEqual(['02:59:50 MESZ', '02:00:10 MEZ']);
		expect(zones(en)).toEqual(['02:59:50 CEST', '02:00:10 CET']);
		expect(zones(de)).toEqual(['02:59:50 MESZ', '02:00:10 MEZ']);
	});

	// A filter before the composer gives its Numbering Plan's country: that country's numbers read as
	// the caller's does ("089 …"), others stay international; without one, all are international.
	it("shows numbers of the PBX's country as dialled there, others international", () => {
		const notification = missedCall();
		notification.legs[0] = { ...notification.legs[0], result: 'diverted', divertedTo: '+491701234567' };
		notification.legs[1] = { ...notification.legs[1], result: 'diverted', divertedTo: '+442079460123' };
		const shown = (country?: string) => {
			const doc = documentFor({ ...notification, ...(country && { country }) });
			const [first, second] = at(doc, 'call/legs')!.children;
			return [textAt(doc, 'call/calledDisplay'), textAt(first, 'divertedToDisplay'), textAt(second, 'divertedToDisplay')];
		};
		expect(shown('DE')).toEqual(['089 1234200', '0170 1234567', '+44 20 7946 0123']);
		expect(shown()).toEqual(['+49 89 1234200', '+49 170 1234567', '+44 20 7946 0123']);
		expect(shown('XX')).toEqual(shown());
		// A caller without the filter's display form, and a line outside the directory that answered.
		const answered = answeredByBen();
		answered.caller = { ...answered.caller, number: '+498923456789', display: '' };
		answered.answeredByUser = null;
		answered.call.answeredBy = { ...answered.call.answeredBy!, line: '+49891234299' };
		const doc = documentFor({ ...answered, country: 'DE' });
		expect([textAt(doc, 'caller/display'), textAt(doc, 'call/answeredBy/label')]).toEqual(['089 23456789', '089 1234299']);
	});

	it("gives how long it rang for the recipient beside the call's, and {duration} as the summary reads", () => {
		const language = { ...de, strings: { ...de.strings, introRang: 'Es klingelte {duration} lang' } };
		const forAnna = documentFor(missedCall(), language);
		expect([textAt(forAnna, 'recipient/ringDuration/text'), textAt(forAnna, 'call/ringDuration/text')]).toEqual(['20 Sek.', '38 Sek.']);
		expect(textAt(forAnna, 'strings/introRang')).toBe('Es klingelte 20 Sek. lang');
		// Whose phones did not ring (a colleague told of a third-party answer, say): the call's.
		const forCleo = missedCall();
		forCleo.recipient = { ...forCleo.recipient, id: 'cleo' };
		const doc = documentFor(forCleo, language);
		expect(at(doc, 'recipient/ringDuration')).toBeUndefined();
		expect(textAt(doc, 'strings/introRang')).toBe('Es klingelte 38 Sek. lang');
	});

	it("says the recipient's ringing time is not known when their phone still rang as the call was given up", () => {
		const notification = missedCall();
		notification.legs[1] = { ...notification.legs[1], stillRinging: true };
		expect(textAt(documentFor(notification), 'recipient/ringDuration/text')).toBe(de.strings.ringDurationUnknown);
		const { ringDurationUnknown: _left, ...strings } = de.strings;
		const without = { ...de, strings };
		expect(textAt(documentFor(notification, without), 'recipient/ringDuration/text')).toBe('');
	});

	it('writes the first of a month as the language does: French "1er"', () => {
		const fr = loadLanguage(LANGUAGES_DIR, 'fr');
		const notification = missedCall();
		notification.call.startedAt = '2026-01-01T10:00:00.000Z';
		expect(textAt(documentFor(notification, fr), 'call/startedAt/date')).toBe('jeudi 1er janvier 2026');
		expect(textAt(documentFor(notification, de), 'call/startedAt/date')).toBe('Donnerstag, 1. Januar 2026');
		notification.call.startedAt = '2026-01-02T10:00:00.000Z';
		expect(textAt(documentFor(notification, fr), 'call/startedAt/date')).toBe('vendredi 2 janvier 2026');
	});

	it('falls back to UTC for an unknown time zone and keeps an unparsable time raw', () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'Mars/Olympus_Mons';
		notification.call.resolvedAt = 'yesterday';
		const doc = documentFor(notification);
		expect(textAt(doc, 'recipient/timeZone')).toBe('UTC');
		expect(textAt(doc, 'call/startedAt/time')).toBe('13:03 Uhr');
		expect(textAt(doc, 'call/resolvedAt/iso')).toBe('yesterday');
		expect(at(doc, 'call/resolvedAt/date')).toBeUndefined();
	});

	it("falls back to the given default zone (the workflow's) for a recipient without a valid one", () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'Mars/Olympus_Mons';
		const doc = parseXml(buildNotificationXml(notification, { language: de, linkPrefix: 'tel:', defaultTimeZone: 'America/New_York' }));
		expect(textAt(doc, 'recipient/timeZone')).toBe('America/New_York');
		// 13:03 UTC is 08:03 in New York (EST, before the summer time of 9 March 2025).
		expect(textAt(doc, 'call/startedAt/time')).toBe('08:03 Uhr');
		const invalidDefault = buildNotificationXml(notification, { language: de, linkPrefix: 'tel:', defaultTimeZone: 'Nowhere/Else' });
		expect(textAt(parseXml(invalidDefault), 'recipient/timeZone')).toBe('UTC');
	});

	it('takes only IANA zones, as the directory does: a bare offset falls back to UTC', () => {
		const notification = missedCall();
		notification.recipient.timeZone = 'UTC+1';
		expect(textAt(documentFor(notification), 'recipient/timeZone')).toBe('UTC');
		notification.recipient.timeZone = 'Etc/GMT-1';
		const doc = documentFor(notification);
		expect(textAt(doc, 'recipient/timeZone')).toBe('Etc/GMT-1');
		// 13:03 UTC (see the fallback above); Etc/GMT-1 is UTC+1 in POSIX's inverted sign.
		expect(textAt(doc, 'call/startedAt/time')).toBe('14:03 Uhr');
	});

	it('counts parallel ringing once in the ring duration and translates leg results', () => {
		const doc = documentFor();
		// 201 and w0 ring 13:03:03–13:03:23 together, then 202 until 13:03:41: 38 s.
		expect(textAt(doc, 'call/ringDuration/seconds')).toBe('38');
		expect(textAt(doc, 'call/ringDuration/text')).toBe('38 Sek.');
		const legs = at(doc, 'call/legs')!.children;
		expect(legs.map((leg) => textAt(leg, 'line'))).toEqual(['201', 'w0', '202']);
		expect(legs.map((leg) => textAt(leg, 'ownerName'))).toEqual(['Anna Berg', 'Anna Berg', 'Ben Kurz']);
		expect(legs.map((leg) => textAt(leg, 'mine'))).toEqual(['true', 'true', 'false']);
		expect(legs.map((leg) => textAt(leg, 'duration/seconds'))).toEqual(['20', '20', '18']);
		expect(legs.map((leg) => textAt(leg, 'resultText'))).toEqual(['nicht angenommen', 'nicht angenommen', 'besetzt']);
		expect(textAt(legs[2], 'ringingFrom/timeWithSeconds')).toBe('14:03:23');
	});

	it('counts overlapping ringing once and no ringing as 0 s', () => {
		const notification = missedCall();
		const leg = notification.legs[0];
		notification.legs = [
			{ ...leg, ringingFrom: '2025-03-04T13:00:00.000Z', ringingUntil: '2025-03-04T13:00:10.000Z' },
			{ ...leg, ringingFrom: '2025-03-04T13:00:05.000Z', ringingUntil: '2025-03-04T13:00:15.000Z' },
			{ ...leg, ringingFrom: '2025-03-04T13:00:30.000Z', ringingUntil: 'never' },
		];
		expect(textAt(documentFor(notification), 'call/ringDuration/seconds')).toBe('15');
		notification.legs = [];
		expect(textAt(documentFor(notification), 'call/ringDuration/text')).toBe('0 Sek.');
	});

	it('writes minutes and hours with the language’s units', () => {
		const notification = missedCall();
		notification.legs = [{ ...notification.legs[0], ringingFrom: '2025-03-04T13:00:00.000Z', ringingUntil: '2025-03-04T13:01:15.000Z' }];
		expect(textAt(documentFor(notification), 'call/ringDuration/text')).toBe('1 Min. 15 Sek.');
		notification.legs[0].ringingUntil = '2025-03-04T14:02:05.000Z';
		expect(textAt(documentFor(notification, en), 'call/ringDuration/text')).toBe('1 h 2 min');
	});

	it.each([
		[60, '1 Min.', '1 min'],
		[120, '2 Min.', '2 min'],
		[3600, '1 Std.', '1 h'],
		[3659, '1 Std.', '1 h'],
		[7260, '2 Std. 1 Min.', '2 h 1 min'],
	])('leaves out a zero smaller unit: %i s is "%s" / "%s"', (seconds, german, english) => {
		const notification = missedCall();
		const from = Date.parse('2025-03-04T13:00:00.000Z');
		notification.legs = [{ ...notification.legs[0], ringingFrom: new Date(from).toISOString(), ringingUntil: new Date(from + seconds * 1000).toISOString() }];
		expect(textAt(documentFor(notification), 'call/ringDuration/text')).toBe(german);
		expect(textAt(documentFor(notification, en), 'call/ringDuration/text')).toBe(english);
	});

	it('names who answered for a third-party answer, with the pickup flag', () => {
		const doc = documentFor(answeredByBen());
		expect(textAt(doc, 'call/reason')).toBe('answeredByThirdParty');
		expect(textAt(doc, 'call/answeredBy/userName')).toBe('Ben Kurz');
		expect(textAt(doc, 'call/answeredBy/line')).toBe('202');
		expect(textAt(doc, 'call/answeredBy/pickup')).toBe('true');
		expect(textAt(doc, 'call/answeredBy/at/timeWithSeconds')).toBe('14:03:15');
		expect(textAt(doc, 'call/legs/leg/resultText')).toBe('von Kollegen herangeholt');
		expect(textAt(doc, 'strings/subjectAnsweredByThirdParty')).toBe('Anruf von Jürgen Müller-Lüdenscheidt, angenommen von Ben Kurz');
	});

	it('marks a withheld number and gives it no link', () => {
		const notification = missedCall();
		notification.caller = { number: 'anonymous', e164: null, display: '', name: '', restricted: true };
		notification.contact = null;
		const doc = documentFor(notification);
		expect(textAt(doc, 'caller/withheld')).toBe('Keine Rufnummer übermittelt');
		expect(textAt(doc, 'caller/link')).toBe('');
		expect(textAt(doc, 'caller/dial')).toBe('');
		expect(textAt(doc, 'caller/label')).toBe('Unbekannt');
		expect(textAt(doc, 'caller/unknown')).toBe('true');
		expect(at(doc, 'contact')).toBeUndefined();
	});

	// CLIR: the caller chose not to show the number, yet some PBXs send it along with the flag. A
	// template printing caller/display (the "human form") would show it.
	it('keeps a withheld number out of the document even when the PBX sent it', () => {
		const notification = missedCall();
		notification.caller = { number: '08923456789', e164: '+498923456789', display: '089 23456789', name: '', restricted: true };
		notification.contact = null;
		const doc = documentFor(notification);
		expect(['number', 'e164', 'display', 'dial', 'link'].map((name) => textAt(doc, `caller/${name}`))).toEqual(['', '', '', '', '']);
		expect(textAt(doc, 'caller/withheld')).toBe('Keine Rufnummer übermittelt');
		expect(buildNotificationXml(notification, { language: de, linkPrefix: 'tel:', defaultTimeZone: 'UTC' })).not.toContain('23456789');
	});

	// A CRM field anyone may have set: linked as the website, `javascript:` would run on a click.
	it('keeps a contact website only when it is http(s) or has no scheme', () => {
		const urlOf = (url: string) => {
			const notification = missedCall();
			notification.contact = { name: 'Jürgen', url };
			const doc = documentFor(notification);
			return at(doc, 'contact/url') ? textAt(doc, 'contact/url') : null;
		};
		expect(urlOf('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
		expect(urlOf('HTTP://example.com')).toBe('HTTP://example.com');
		expect(urlOf('www.example.com')).toBe('www.example.com');
		expect(urlOf('javascript:alert(document.cookie)')).toBeNull();
		expect(urlOf(' JavaScript:alert(1)')).toBeNull();
		expect(urlOf('data:text/html,<script>alert(1)</script>')).toBeNull();
		expect(urlOf('vbscript:msgbox(1)')).toBeNull();
	});

	it('leaves the link empty when links are off', () => {
		expect(textAt(documentFor(missedCall(), de, null), 'caller/link')).toBe('');
	});

	it('contains every language string, placeholders filled', () => {
		const strings = at(documentFor(), 'strings')!;
		expect(strings.children.map((child) => child.name).sort()).toEqual(Object.keys(de.strings).sort());
		expect(textAt(strings, 'subjectMissed')).toBe('Verpasster Anruf von Jürgen Müller-Lüdenscheidt');
		expect(textAt(strings, 'introMissed')).toBe('Jürgen Müller-Lüdenscheidt hat versucht, Sie zu erreichen.');
	});

	it('fills only the documented placeholders; other braces, {constructor} too, stay as written', () => {
		const language = { ...de, strings: { ...de.strings, custom: 'Von {caller} {constructor} {toString} {unbekannt}' } };
		const strings = at(documentFor(missedCall(), language), 'strings')!;
		expect(textAt(strings, 'custom')).toBe('Von Jürgen Müller-Lüdenscheidt {constructor} {toString} {unbekannt}');
	});

	it('escapes markup characters and parses back to the same text', () => {
		const notification = missedCall();
		const name = `A & B <C> "D" 'E' ]]> &amp;`;
		notification.contact = { name, company: '<b>Bold</b> & Co' };
		const xml = buildNotificationXml(notification, { language: de, linkPrefix: 'tel:' });
		expect(xml).toContain('<name>A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos; ]]&gt; &amp;amp;</name>');
		const doc = parseXml(xml);
		expect(textAt(doc, 'contact/name')).toBe(name);
		expect(textAt(doc, 'contact/company')).toBe('<b>Bold</b> & Co');
	});

	it('drops characters XML cannot carry and bidi overrides, and breaks no line in names', () => {
		const notification = missedCall();
		notification.caller.name = 'Bad\u0000\u0007Na\uFFFEme\uD800 \u202Egnp.exe\u202C';
		notification.contact = { name: 'Evil\r\nName\u2028Two', note: 'line one\r\nline two' };
		const xml = buildNotificationXml(notification, { language: de, linkPrefix: 'tel:' });
		const doc = parseXml(xml);
		expect(textAt(doc, 'caller/name')).toBe('BadName gnp.exe');
		expect(textAt(doc, 'contact/name')).toBe('Evil Name Two');
		expect(textAt(doc, 'contact/note')).toBe('line one\nline two');
		expect(xml).not.toMatch(/[\u0000-\u0008\u202A-\u202E]/);
	});

	it('cuts a 10 kB name to a sane length', () => {
		const notification = missedCall();
		notification.contact = { name: 'Ä'.repeat(10_000) };
		const label = textAt(documentFor(notification), 'caller/label')!;
		expect(label).toBe(`${'Ä'.repeat(199)}…`);
	});
});
