/** Scenario builders and independent parsers shared by the composer's unit tests. */
import * as fs from 'fs';
import * as sax from 'sax';
import type { Notification } from '../../../nodes/shared/notification';
import { composeMail, type ComposeOptions } from '../../../nodes/XslMailComposer/render/composeMail';
import { LANGUAGES_DIR, loadLanguage } from '../../../nodes/XslMailComposer/render/languages';
import { compileTemplate, DEFAULT_TEMPLATE_FILE } from '../../../nodes/XslMailComposer/render/xslTemplate';

export const DEFAULT_TEMPLATE = fs.readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8');

/**
 * Anna (de, Berlin) misses a call from Jürgen Müller-Lüdenscheidt on Tuesday 4 March 2025 at
 * 14:03 Berlin time: her desk phone 201 and softphone w0 ring 20 s in parallel, then Ben's 202
 * rings 18 s and is busy.
 */
export function missedCall(): Notification {
	const legs = [
		{ line: '201', ringingFrom: '2025-03-04T13:03:03.000Z', ringingUntil: '2025-03-04T13:03:23.000Z', result: 'notAnswered' as const },
		{ line: 'w0', ringingFrom: '2025-03-04T13:03:03.000Z', ringingUntil: '2025-03-04T13:03:23.000Z', result: 'notAnswered' as const },
		{ line: '202', ringingFrom: '2025-03-04T13:03:23.000Z', ringingUntil: '2025-03-04T13:03:41.000Z', result: 'busy' as const },
	];
	const anna = { id: 'anna', name: 'Anna Berg' };
	const ben = { id: 'ben', name: 'Ben Kurz' };
	return {
		kind: 'notification',
		reason: 'missed',
		recipient: { id: 'anna', name: 'Anna Berg', email: 'anna.berg@example.com', language: 'de', timeZone: 'Europe/Berlin' },
		caller: { number: '08923456789', e164: '+498923456789', display: '089 23456789', name: 'MUELLER JUERGEN', restricted: false },
		contact: {
			firstName: 'Jürgen',
			lastName: 'Müller-Lüdenscheidt',
			company: 'Müller & Söhne GmbH',
			email: 'j.mueller@mueller-soehne.example',
		},
		call: {
			kind: 'call',
			callId: '1741093385.42',
			direction: 'inbound',
			caller: { number: '08923456789', name: 'MUELLER JUERGEN', restricted: false },
			called: '+49891234200',
			startedAt: '2025-03-04T13:03:02.000Z',
			resolvedAt: '2025-03-04T13:03:41.000Z',
			outcome: 'missed',
			answeredBy: null,
			voicemail: null,
			incomplete: false,
			legs,
		},
		legs: [
			{ ...legs[0], owner: anna },
			{ ...legs[1], owner: anna },
			{ ...legs[2], owner: ben },
		],
		answeredByUser: null,
	};
}

/** The same call, but Ben picked it up from Anna's line 201 after 12 s. */
export function answeredByBen(): Notification {
	const notification = missedCall();
	notification.reason = 'answeredByThirdParty';
	notification.call.outcome = 'answered';
	notification.call.answeredBy = { line: '202', at: '2025-03-04T13:03:15.000Z', pickup: true, from: '201' };
	notification.legs = [
		{ line: '201', ringingFrom: '2025-03-04T13:03:03.000Z', ringingUntil: '2025-03-04T13:03:15.000Z', result: 'pickedUp', owner: { id: 'anna', name: 'Anna Berg' } },
		{ line: '202', ringingFrom: '2025-03-04T13:03:14.000Z', ringingUntil: '2025-03-04T13:03:15.000Z', result: 'answered', owner: { id: 'ben', name: 'Ben Kurz' } },
	];
	notification.call.legs = notification.legs.map(({ owner: _owner, ...leg }) => leg);
	notification.answeredByUser = { id: 'ben', name: 'Ben Kurz' };
	return notification;
}

/** composeMail with the shipped template and language files; options as in the node's defaults. */
export function compose(notification: Notification, options: Partial<ComposeOptions> & { languageTag?: string } = {}) {
	const { languageTag = 'de', ...rest } = options;
	return composeMail(notification, {
		from: '"Missed calls" <pbx@example.com>',
		language: loadLanguage(LANGUAGES_DIR, languageTag),
		template: compileTemplate(DEFAULT_TEMPLATE),
		...rest,
	});
}

export interface XmlNode {
	name: string;
	attributes: Record<string, string>;
	children: XmlNode[];
	text: string;
}

/** Strict parse with `sax` (not the parser under test); throws on anything not well-formed. */
export function parseXml(xml: string): XmlNode {
	const root: XmlNode = { name: '#document', attributes: {}, children: [], text: '' };
	const stack = [root];
	const parser = sax.parser(true);
	parser.onopentag = (tag) => {
		const node = { name: tag.name, attributes: tag.attributes, children: [], text: '' };
		stack[stack.length - 1].children.push(node);
		stack.push(node);
	};
	parser.onclosetag = () => {
		stack.pop();
	};
	parser.ontext = (text) => {
		stack[stack.length - 1].text += text;
	};
	parser.onerror = (error) => {
		throw error;
	};
	parser.write(xml).close();
	return root.children[0];
}

/** The element at `a/b/c` below `node` (first match at each step). */
export function at(node: XmlNode, path: string): XmlNode | undefined {
	return path.split('/').reduce<XmlNode | undefined>((current, name) => current?.children.find((c) => c.name === name), node);
}

export function textAt(node: XmlNode, path: string): string | undefined {
	return at(node, path)?.text;
}
