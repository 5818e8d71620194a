/**
 * Renders the default mail for templates/sample-notification.json and photographs it with headless
 * Chromium, so that a change to the template can be looked at, not just tested.
 *
 *   npx tsx scripts/screenshot.ts
 *
 * Writes into templates/: sample-notification.xml (the document the template reads),
 * sample-mail.html, sample-mail.txt, sample-mail.png (desktop width) and sample-mail-phone.png.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Notification } from '../nodes/shared/notification';
import { composeMail } from '../nodes/XslMailComposer/render/composeMail';
import { languageFor, LANGUAGES_DIR } from '../nodes/XslMailComposer/render/languages';
import { buildNotificationXml } from '../nodes/XslMailComposer/render/notificationXml';
import { DEFAULT_LINK_PREFIX } from '../nodes/XslMailComposer/render/telephonyLink';
import { compileTemplate, DEFAULT_TEMPLATE_FILE, TEMPLATES_DIR } from '../nodes/XslMailComposer/render/xslTemplate';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = [
	{ file: 'sample-mail.png', size: '800,1060' },
	{ file: 'sample-mail-phone.png', size: '390,1180' },
];

async function main(): Promise<void> {
	const notification = JSON.parse(
		fs.readFileSync(path.join(TEMPLATES_DIR, 'sample-notification.json'), 'utf8'),
	) as Notification;
	const language = languageFor(LANGUAGES_DIR, notification.recipient.language, 'en');
	const template = compileTemplate(fs.readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8'));

	const xml = buildNotificationXml(notification, { language, linkPrefix: DEFAULT_LINK_PREFIX, vcardAttached: true });
	const mail = await composeMail(notification, {
		from: '"Missed calls" <pbx@example.com>',
		language,
		template,
		attachVCard: true,
	});
	const write = (file: string, content: string) => {
		fs.writeFileSync(path.join(TEMPLATES_DIR, file), content);
		console.log(`wrote templates/${file}`);
	};
	write('sample-notification.xml', xml);
	write('sample-mail.html', mail.html);
	write('sample-mail.txt', `Subject: ${mail.subject}\n\n${mail.text}`);

	if (!fs.existsSync(CHROMIUM)) {
		console.log(`${CHROMIUM} is not installed, so no screenshot; install it with: apt-get install -y chromium`);
		return;
	}
	const page = `file://${path.join(TEMPLATES_DIR, 'sample-mail.html')}`;
	for (const shot of SHOTS) {
		const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-'));
		try {
			execFileSync(
				CHROMIUM,
				[
					'--headless',
					'--no-sandbox',
					'--disable-gpu',
					'--disable-quic',
					'--no-first-run',
					'--disable-background-networking',
					'--disable-component-update',
					'--disable-sync',
					'--hide-scrollbars',
					`--user-data-dir=${profile}`,
					`--screenshot=${path.join(TEMPLATES_DIR, shot.file)}`,
					`--window-size=${shot.size}`,
					page,
				],
				{ stdio: 'ignore', timeout: 60_000 },
			);
			console.log(`wrote templates/${shot.file}`);
		} finally {
			fs.rmSync(profile, { recursive: true, force: true });
		}
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
