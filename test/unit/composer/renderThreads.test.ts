/**
 * Rendering on worker threads (renderThreads.ts) gives what rendering on the calling thread gives,
 * errors included, and keeps concurrent renders apart. The threads load the TypeScript worker
 * through tsx, as the compiled package loads renderWorker.js.
 */
import path from 'node:path';

import type { Notification } from '../../../nodes/shared/notification';
import { composeMail } from '../../../nodes/XslMailComposer/render/composeMail';
import { TemplateError } from '../../../nodes/XslMailComposer/render/errors';
import { LANGUAGES_DIR, loadLanguage } from '../../../nodes/XslMailComposer/render/languages';
import { buildNotificationXml } from '../../../nodes/XslMailComposer/render/notificationXml';
import { onRenderThreads, RenderThreads } from '../../../nodes/XslMailComposer/render/renderThreads';
import { compileTemplate, type CompiledTemplate } from '../../../nodes/XslMailComposer/render/xslTemplate';
import { DEFAULT_TEMPLATE, missedCall } from './helpers';

const threadsOf = (size: number, timeoutMs?: number) =>
	new RenderThreads({
		file: path.resolve(__dirname, '../../../nodes/XslMailComposer/render/renderWorker.ts'),
		size,
		execArgv: ['--require', 'tsx/cjs'],
		timeoutMs,
	});
const threads = threadsOf(2);
afterAll(() => threads.close());

const onThreads = (template: CompiledTemplate): CompiledTemplate => ({
	...template,
	render: (xml) => threads.render(template.source, xml),
});

function caller(index: number): Notification {
	const notification = missedCall();
	return {
		...notification,
		contact: { ...notification.contact, name: `Caller ${index} <Söhne & Co>` },
		call: { ...notification.call, callId: `call-${index}` },
	};
}

async function mailOf(notification: Notification, template: CompiledTemplate, tag = 'de') {
	const mail = await composeMail(notification, { from: 'pbx@example.com', language: loadLanguage(LANGUAGES_DIR, tag), template });
	return { subject: mail.subject, html: mail.html, text: mail.text };
}

describe('render threads', () => {
	const template = compileTemplate(DEFAULT_TEMPLATE);

	it('renders each of 40 concurrent mails as the calling thread does, each to its own caller', async () => {
		const notifications = Array.from({ length: 40 }, (_, index) => caller(index));
		const onThread = await Promise.all(notifications.map((notification, index) => mailOf(notification, onThreads(template), index % 2 ? 'en' : 'de')));
		const here = await Promise.all(notifications.map((notification, index) => mailOf(notification, template, index % 2 ? 'en' : 'de')));
		expect(onThread).toEqual(here);
		onThread.forEach((mail, index) => expect(mail.text).toContain(`Caller ${index} <Söhne & Co>`));
	});

	it('hands back a template error found while rendering, with its line', async () => {
		const broken = compileTemplate(
			[
				// Version 2.0: in a 1.0 template the undeclared variable is refused at load.
				'<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
				'<xsl:template match="/">',
				'<html><head><title><xsl:value-of select="$nope"/></title></head></html>',
				'</xsl:template>',
				'</xsl:stylesheet>',
			].join('\n'),
		);
		const error = await threads.render(broken.source, '<notification/>').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(TemplateError);
		expect((error as TemplateError).line).toBe(3);
		expect((error as TemplateError).message).toMatch(/^XSL template, line 3, column \d+: .*\$nope \(while rendering the html part\)/);
	});

	it('starts a new thread after one stopped; what the stopped one had fails, naming why', async () => {
		const closing = threadsOf(1);
		const lost = closing.render(template.source, '<notification/>');
		await closing.close();
		await expect(lost).rejects.toThrow(/^Rendering the mail failed: the render thread stopped/);
		const xml = buildNotificationXml(missedCall(), { language: loadLanguage(LANGUAGES_DIR, 'en'), linkPrefix: 'tel:', vcardAttached: false });
		const mail = await closing.render(template.source, xml);
		// languages/en.json "subjectMissed": "Missed call from {caller}", the caller the sample's contact.
		expect(mail.subject).toBe('Missed call from Jürgen Müller-Lüdenscheidt');
		await closing.close();
	});

	it('a template that needs more memory than a thread has stops only its thread, naming the problem', async () => {
		// Each level doubles a text: some 2^28 characters pass the default 256 MB heap of a thread.
		const growing = compileTemplate(
			[
				'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
				'<xsl:template name="grow"><xsl:param name="s" select="\'x\'"/>',
				'<xsl:call-template name="grow"><xsl:with-param name="s" select="concat($s, $s)"/></xsl:call-template>',
				'</xsl:template>',
				'<xsl:template match="/"><html><head><title>t</title></head><body><xsl:call-template name="grow"/></body></html></xsl:template>',
				'</xsl:stylesheet>',
			].join('\n'),
		);
		const single = threadsOf(1);
		try {
			const error = await single.render(growing.source, '<notification/>').catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(TemplateError);
			expect((error as TemplateError).message).toBe(
				'XSL template: rendering needed more than 256 MB of memory; is a template calling itself without end or building a huge text?',
			);
			const xml = buildNotificationXml(missedCall(), { language: loadLanguage(LANGUAGES_DIR, 'en'), linkPrefix: 'tel:', vcardAttached: false });
			expect((await single.render(template.source, xml)).subject).toBe('Missed call from Jürgen Müller-Lüdenscheidt');
		} finally {
			await single.close();
		}
	});

	// The transformation checks its time only between template steps: this one expression ran for
	// 55 s on the sample notification (template review), holding its execution all that time.
	it('a render that outlasts the limit stops its thread, naming the problem; the next render works', async () => {
		const slow = compileTemplate(
			[
				'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
				'<xsl:template match="/"><html><head><title>t</title></head><body>',
				'<xsl:value-of select="count(//*[count(//*[count(//*) &gt; 0]) &gt; 0])"/>',
				'</body></html></xsl:template>',
				'</xsl:stylesheet>',
			].join('\n'),
		);
		const xml = buildNotificationXml(missedCall(), { language: loadLanguage(LANGUAGES_DIR, 'en'), linkPrefix: 'tel:', vcardAttached: false });
		const watched = threadsOf(1, 1500);
		try {
			const error = await watched.render(slow.source, xml).catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(TemplateError);
			// The watchdog's message: the transformation's own 10-s limit never got a say.
			expect((error as TemplateError).message).toMatch(/^XSL template: rendering took longer than 1.5 s and was stopped;/);
			expect((await watched.render(template.source, xml)).subject).toBe('Missed call from Jürgen Müller-Lüdenscheidt');
		} finally {
			await watched.close();
		}
	});

	it('from the TypeScript sources (no compiled worker), the template renders on the calling thread', () => {
		expect(onRenderThreads(template)).toBe(template);
	});
});
