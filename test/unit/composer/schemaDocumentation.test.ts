/**
 * templates/SCHEMA.md is what template authors write against: the element tree it shows must be the
 * tree the composer builds, no element missing from the document and none undocumented. The tree
 * is read from the document's XML block; the composer's trees come from the sample notification
 * and variants of it that fill every optional element.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import type { Notification } from '../../../nodes/shared/notification';
import { languageFor, LANGUAGES_DIR } from '../../../nodes/XslMailComposer/render/languages';
import { buildNotificationXml } from '../../../nodes/XslMailComposer/render/notificationXml';
import { TEMPLATES_DIR } from '../../../nodes/XslMailComposer/render/xslTemplate';

/**
 * Element paths (`notification/call/legs/leg/line`) of an XML text. A point in time counts as one
 * element (its children are documented once, under startedAt); the language strings count as one.
 */
function elementPaths(xml: string): Set<string> {
	const paths = new Set<string>();
	const open: string[] = [];
	const text = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
	for (const [, closing, name, selfClosing] of text.matchAll(/<(\/?)([A-Za-z][\w-]*)[^>]*?(\/?)>/g)) {
		if (closing) {
			open.pop();
			continue;
		}
		const parent = open.join('/');
		const folded = parent.endsWith('/strings') || /\/(startedAt|resolvedAt|at|ringingFrom|ringingUntil)$/.test(parent);
		if (!folded) paths.add(parent ? `${parent}/${name}` : name);
		if (!selfClosing) open.push(name);
	}
	return paths;
}

function documentedPaths(): Set<string> {
	const schema = readFileSync(path.join(TEMPLATES_DIR, 'SCHEMA.md'), 'utf8');
	const block = schema.match(/## The document[\s\S]*?```xml\n([\s\S]*?)```/);
	if (!block) throw new Error('templates/SCHEMA.md has no XML block under "The document"');
	return elementPaths(block[1]);
}

const sample = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, 'sample-notification.json'), 'utf8')) as Notification;

/** The sample with everything optional present: an answer by a known user, a voicemail, a forward, a full contact. */
const everything: Notification = {
	...sample,
	reason: 'answeredByThirdParty',
	call: {
		...sample.call,
		outcome: 'answered',
		answeredBy: { line: '202', at: '2025-03-04T13:03:30.000Z', pickup: true },
		voicemail: '201',
	},
	legs: [...sample.legs, { ...sample.legs[0], result: 'diverted', divertedTo: '202' }],
	answeredByUser: { id: 'ben', name: 'Ben Kurz' },
	contact: { ...sample.contact, url: 'https://mueller-soehne.example', state: 'BY', note: 'Rückruf erbeten\nvormittags' },
};

/** A withheld caller: the only document with `caller/withheld`. */
const withheld: Notification = {
	...sample,
	caller: { number: '', e164: null, display: '', name: '', restricted: true },
};

function builtPaths(notification: Notification): Set<string> {
	const language = languageFor(LANGUAGES_DIR, 'de', 'en');
	return elementPaths(buildNotificationXml(notification, { language, linkPrefix: 'tel:', vcardAttached: true }));
}

describe('templates/SCHEMA.md, the notification document', () => {
	it('documents exactly the elements the composer builds', () => {
		const built = new Set([...builtPaths(sample), ...builtPaths(everything), ...builtPaths(withheld)]);
		expect([...built].sort()).toEqual([...documentedPaths()].sort());
	});

	it('the sample alone leaves out what the document marks optional (so the variants are needed)', () => {
		const alone = builtPaths(sample);
		for (const optional of ['notification/call/answeredBy', 'notification/call/voicemail', 'notification/caller/withheld']) {
			expect(alone).not.toContain(optional);
		}
	});
});
