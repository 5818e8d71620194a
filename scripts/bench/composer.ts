/**
 * Section `composer` (XSL Mail Composer): mails per second with the template compiled once and
 * reused (what the node does), against parsing the template again for every mail. compileTemplate
 * caches by the template's text, so the re-parse path gives each mail its own text (the shipped
 * template plus a unique XML comment): every one misses the cache and is parsed and checked anew.
 * The two paths alternate mail by mail, so both see the same warm-up and garbage collections.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Notification } from '../../nodes/shared/notification';
import { composeMail, type ComposedMail } from '../../nodes/XslMailComposer/render/composeMail';
import { LANGUAGES_DIR, loadLanguage, type Language } from '../../nodes/XslMailComposer/render/languages';
import {
	compileTemplate,
	DEFAULT_TEMPLATE_FILE,
	templateCacheStats,
	TEMPLATES_DIR,
	type CompiledTemplate,
} from '../../nodes/XslMailComposer/render/xslTemplate';
import { Checks, count, printTable, rateHeader, rateRow, Stopwatch, times } from './measure';

const MAILS = 300;
/** Untrusted caller-ID and CRM names: non-ASCII, markup characters, several scripts. */
const NAMES = [
	'Jürgen Müller-Lüdenscheidt',
	'Zoë Ó Briain & Söhne',
	'Łukasz <Nowak>',
	'山田 太郎',
	'Ana María Pérez',
];

function notifications(): Notification[] {
	const sampleFile = path.join(TEMPLATES_DIR, 'sample-notification.json');
	const sample = JSON.parse(readFileSync(sampleFile, 'utf8')) as Notification;
	return Array.from({ length: MAILS }, (_, index) => {
		const name = `${NAMES[index % NAMES.length]} ${index}`;
		const [firstName, ...rest] = name.split(' ');
		return {
			...sample,
			caller: { ...sample.caller, name: name.toUpperCase() },
			contact: { ...sample.contact, name, firstName, lastName: rest.join(' ') },
			call: { ...sample.call, callId: `bench-${index}` },
		};
	});
}

async function compose(
	notification: Notification,
	template: CompiledTemplate,
	language: Language,
): Promise<ComposedMail> {
	return composeMail(notification, { from: '"Missed calls" <pbx@example.com>', language, template });
}

export async function benchComposer(checks: Checks): Promise<void> {
	const xsl = readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8');
	const languages = [loadLanguage(LANGUAGES_DIR, 'de'), loadLanguage(LANGUAGES_DIR, 'en')];
	const compiledTime = new Stopwatch();
	const reparseTime = new Stopwatch();
	const template = compiledTime.time(() => compileTemplate(xsl));
	let reparsed = 0;
	for (const [index, notification] of notifications().entries()) {
		const language = languages[index % languages.length];
		const mails = [
			await compiledTime.timeAsync(() => compose(notification, template, language)),
			await reparseTime.timeAsync(() => {
				const before = templateCacheStats().compilations;
				const own = compileTemplate(`${xsl}<!-- mail ${index} -->\n`);
				reparsed += templateCacheStats().compilations - before;
				return compose(notification, own, language);
			}),
		];
		const name = notification.contact?.name ?? '';
		checks.verify(
			mails.every((mail) => mail.subject !== '' && mail.text.includes(name) && mail.html.length > 0),
			`mail ${index}: empty, or without the caller "${name}"`,
		);
	}
	checks.verify(reparsed === MAILS, `the re-parse path parsed ${reparsed} templates for ${MAILS} mails`);

	printTable(
		`composer: ${count(MAILS)} mails (HTML + text, de/en, varied caller names) ` +
			`from templates/missed-call.xsl (${count(xsl.length)} characters)`,
		rateHeader('mail'),
		[
			rateRow('compileTemplate once + composeMail per mail', MAILS, compiledTime, reparseTime),
			rateRow('baseline: template parsed again for every mail', MAILS, reparseTime, reparseTime),
		],
	);
	console.log(`  speed-up from reusing the compiled template: ${times(reparseTime.seconds, compiledTime.seconds)}`);
}
