/**
 * Right-to-left names in left-to-right mails (and the reverse), judged by `bidi-js`, an
 * implementation of the Unicode Bidirectional Algorithm (UAX #9) that is not ours: what matters
 * is the order a reader's client shows, not which characters we inserted.
 */
import bidiFactory from 'bidi-js';
import { buildNotificationXml } from '../../../nodes/XslMailComposer/render/notificationXml';
import { LANGUAGES_DIR, listLanguages, loadLanguage } from '../../../nodes/XslMailComposer/render/languages';
import { compose, missedCall, parseXml, textAt } from './helpers';

const bidi = bidiFactory();
const MARKS = /[\u200E\u200F]/g;
const ARABIC_NAME = 'محمد علي';
const HEBREW_NAME = 'שרה כהן';

/** The paragraph's direction and each character's level, with the paragraph's direction detected as `dir="auto"` does. */
function levelsOf(text: string): { rtlParagraph: boolean; levels: Uint8Array } {
	const result = bidi.getEmbeddingLevels(text);
	return { rtlParagraph: result.paragraphs[0].level === 1, levels: result.levels };
}

/** The characters in the order they are shown, left to right, brackets mirrored as drawn (marks removed). */
function shownOrder(text: string, direction?: 'ltr' | 'rtl'): string {
	const embedding = bidi.getEmbeddingLevels(text, direction);
	const chars = Array.from(text);
	for (const [index, mirrored] of bidi.getMirroredCharactersMap(text, embedding.levels)) chars[index] = mirrored;
	for (const [start, end] of bidi.getReorderSegments(text, embedding)) {
		chars.splice(start, end - start + 1, ...chars.slice(start, end + 1).reverse());
	}
	return chars.join('').replace(MARKS, '');
}

/** Whether `line` stays a left-to-right paragraph in which only the letters of `name` run right to left. */
function onlyNameRunsRightToLeft(line: string, name: string): string[] {
	const problems: string[] = [];
	const { rtlParagraph, levels } = levelsOf(line);
	if (rtlParagraph) problems.push('the line became right-to-left');
	const nameStart = line.indexOf(name);
	if (nameStart < 0) return [...problems, 'the name is missing'];
	for (let i = 0; i < line.length; i++) {
		const inName = i >= nameStart && i < nameStart + name.length;
		if (!inName && levels[i] % 2 === 1 && !MARKS.test(line[i])) problems.push(`"${line[i]}" at ${i} runs right to left`);
		MARKS.lastIndex = 0;
	}
	return problems;
}

function arabicCaller() {
	const notification = missedCall();
	notification.contact = { firstName: 'محمد', lastName: 'علي' };
	notification.call.voicemail = null;
	return notification;
}

describe('right-to-left text in the mail', () => {
	it.each(listLanguages().map((language) => language.tag))(
		'%s: an Arabic caller name keeps the subject and the intro line left to right',
		async (languageTag) => {
			const mail = await compose(arabicCaller(), { languageTag });
			const intro = mail.text.split('\n').find((line) => line.includes(ARABIC_NAME));
			expect(intro).toBeDefined();
			expect({ subject: onlyNameRunsRightToLeft(mail.subject, ARABIC_NAME), intro: onlyNameRunsRightToLeft(intro!, ARABIC_NAME) }).toEqual({
				subject: [],
				intro: [],
			});
		},
	);

	it('the intro starting with the name would turn right to left without the marks (the check can fail)', () => {
		const line = `${ARABIC_NAME} tried to reach you.`;
		expect(onlyNameRunsRightToLeft(line, ARABIC_NAME)).toContain('the line became right-to-left');
		expect(shownOrder(line)).not.toMatch(/^.*tried to reach you\.$/);
	});

	it('a number after a right-to-left name stays behind it, in its own order', () => {
		const language = { ...loadLanguage(LANGUAGES_DIR, 'en'), strings: { custom: 'Answered by {answeredBy} (201)' } };
		const notification = missedCall();
		notification.answeredByUser = { id: 'sara', name: HEBREW_NAME };
		const filled = textAt(parseXml(buildNotificationXml(notification, { language, linkPrefix: 'tel:' })), 'strings/custom')!;
		expect(filled.replace(MARKS, '')).toBe(`Answered by ${HEBREW_NAME} (201)`);
		const shown = shownOrder(filled);
		expect(shown.endsWith(' (201)')).toBe(true);
		expect(shown.startsWith('Answered by ')).toBe(true);
		// without the marks the number is drawn into the name's run and shown before it
		expect(shownOrder(`Answered by ${HEBREW_NAME} (201)`).endsWith(' (201)')).toBe(false);
	});

	it('the default mail keeps a voicemail box’s number behind its owner’s right-to-left name', async () => {
		const notification = missedCall();
		notification.call.voicemail = '201';
		notification.legs = notification.legs.map((leg) => (leg.line === '201' ? { ...leg, owner: { id: 'sara', name: HEBREW_NAME } } : leg));
		const line = (await compose(notification, { languageTag: 'en' })).text.split('\n').find((text) => text.startsWith('Voicemail'))!;
		expect(line.replace(MARKS, '')).toBe(`Voicemail: ${HEBREW_NAME} (201)`);
		expect(shownOrder(line).endsWith(' (201)')).toBe(true);
		expect(onlyNameRunsRightToLeft(line, HEBREW_NAME)).toEqual([]);
	});

	it('the text part\'s list of where it rang stays left to right for an Arabic colleague', async () => {
		const notification = missedCall();
		notification.legs = notification.legs.map((leg) => (leg.line === '202' ? { ...leg, owner: { id: 'mo', name: ARABIC_NAME } } : leg));
		const line = (await compose(notification, { languageTag: 'en' })).text.split('\n').find((text) => text.includes(ARABIC_NAME))!;
		expect(line.replace(MARKS, '')).toBe(`- ${ARABIC_NAME}, Line 202, 14:03:23, 18 s, busy`);
		expect(onlyNameRunsRightToLeft(line, ARABIC_NAME)).toEqual([]);
	});

	it('in a right-to-left language a phone number keeps its digit groups in order', () => {
		const language = { ...loadLanguage(LANGUAGES_DIR, 'en'), strings: { custom: 'שיחה שלא נענתה מ-{caller} היום' } };
		const notification = missedCall();
		notification.contact = null;
		notification.caller = { ...notification.caller, name: '', display: '+49 89 23456789' };
		const filled = textAt(parseXml(buildNotificationXml(notification, { language, linkPrefix: 'tel:' })), 'strings/custom')!;
		expect(shownOrder(filled, 'rtl')).toContain('+49 89 23456789');
		expect(shownOrder('שיחה שלא נענתה מ-+49 89 23456789 היום', 'rtl')).not.toContain('+49 89 23456789');
	});

	it('a string without letters of its own takes the direction of the language’s locale', () => {
		const hebrew = { ...loadLanguage(LANGUAGES_DIR, 'en'), locale: 'he-IL', strings: { custom: '{voicemailOwner} ({voicemailLine})' } };
		const notification = missedCall();
		notification.call.voicemail = '201';
		const filled = textAt(parseXml(buildNotificationXml(notification, { language: hebrew, linkPrefix: 'tel:' })), 'strings/custom')!;
		// read right to left: the owner first, then the box in brackets
		expect(shownOrder(filled, 'rtl')).toBe('(201) Anna Berg');
		expect(shownOrder('Anna Berg (201)', 'rtl')).not.toBe('(201) Anna Berg');
	});

	it('durations, which are elements of their own, carry no marks; a string that takes one marks it once', () => {
		const hebrew = {
			...loadLanguage(LANGUAGES_DIR, 'en'),
			locale: 'he-IL',
			strings: { durationSeconds: '{seconds} שניות', custom: 'צלצל {duration}' },
		};
		const doc = parseXml(buildNotificationXml(missedCall(), { language: hebrew, linkPrefix: 'tel:' }));
		expect(textAt(doc, 'call/ringDuration/text')).toBe('38 שניות');
		expect(textAt(doc, 'call/legs/leg/duration/text')).toBe('20 שניות');
		const custom = textAt(doc, 'strings/custom')!;
		// {duration} is how long it rang for the recipient: Anna's phones, 20 s of the call's 38.
		expect(custom.replace(MARKS, '')).toBe('צלצל 20 שניות');
		expect(custom.match(MARKS)?.length ?? 0).toBeLessThanOrEqual(4);
	});

	it('leaves values that read the same in both directions without marks', () => {
		const language = { ...loadLanguage(LANGUAGES_DIR, 'en'), strings: { custom: 'From {caller} at {number}' } };
		const filled = textAt(parseXml(buildNotificationXml(missedCall(), { language, linkPrefix: 'tel:' })), 'strings/custom')!;
		expect(filled).toBe('From Jürgen Müller-Lüdenscheidt at 089 23456789');
	});
});
