/** What the node's settings show, decided by n8n's own display logic. */
import { readFileSync } from 'fs';
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';
import { XslMailComposer } from '../../../nodes/XslMailComposer/XslMailComposer.node';
import { SENDER_MODES } from '../../../nodes/XslMailComposer/render/composeMail';
import { choicesOf } from '../../../nodes/shared/nodeDescription';
import { compileTemplate, DEFAULT_TEMPLATE_FILE } from '../../../nodes/XslMailComposer/render/xslTemplate';
import { linkPrefixFor, telephonyHref, type TelephonyLinkMode } from '../../../nodes/XslMailComposer/render/telephonyLink';
import { compose, missedCall } from './helpers';

const { description } = new XslMailComposer();
const notice = description.properties.find((property) => property.name === 'callerAsFromNotice');

const shown = (values: INodeParameters) =>
	NodeHelpers.displayParameter(values, notice!, { typeVersion: 1 }, description);

describe('sender mode "Caller as From" when composing only', () => {
	it('warns that the Send Email node sets no Sender header and recommends Reply-To', () => {
		expect(notice?.type).toBe('notice');
		expect(notice?.displayName).toContain('cannot set the Sender header');
		expect(notice?.displayName).toContain('"Caller as Reply-To"');
		expect(shown({ action: 'compose', senderMode: 'callerAsFrom' })).toBe(true);
	});

	it.each([
		['sending over SMTP (which sets Sender)', { action: 'send', senderMode: 'callerAsFrom' }],
		['composing with Reply-To', { action: 'compose', senderMode: 'callerAsReplyTo' }],
		['composing with the configured From', { action: 'compose', senderMode: 'configured' }],
	])('says nothing when %s', (_, values) => {
		expect(shown(values)).toBe(false);
	});
});

describe('choices the code checks', () => {
	it('the sender modes composeMail accepts are the ones the node offers', () => {
		expect([...SENDER_MODES].sort()).toEqual(choicesOf(description.properties, 'senderMode').sort());
	});
});

describe('fields n8n flags before running', () => {
	/** n8n's own check: the issues the editor shows on the node (and that stop a run). */
	const issues = (parameters: INodeParameters) => {
		const node = { id: '1', name: 'XSL Mail Composer', type: 'xslMailComposer', typeVersion: 1, position: [0, 0] as [number, number], parameters };
		const full = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description);
		return NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters: full ?? {} }, description)?.parameters ?? {};
	};
	const base = { fromEmail: 'pbx@example.com' };

	it.each([
		['customLinkPrefix', { ...base, linkPrefix: 'custom', customLinkPrefix: '' }],
		['templateXsl', { ...base, templateSource: 'parameter', templateXsl: '' }],
	])('%s, empty where it is shown', (name, parameters) => {
		expect(Object.keys(issues(parameters))).toEqual([name]);
	});

	it('neither when hidden', () => {
		expect(issues({ ...base, linkPrefix: 'tel', templateSource: 'default' })).toEqual({});
	});
});

describe('texts of the panel', () => {
	const property = (name: string) => description.properties.find((candidate) => candidate.name === name)!;

	it('telephony links: each example in the list is the link the composer writes for that choice', () => {
		const caller = { number: '+49 30 1234', e164: '+49301234', restricted: false };
		const options = property('linkPrefix').options as Array<{ name: string; value: TelephonyLinkMode; description: string }>;
		for (const option of options.filter((choice) => ['callto', 'phone', 'tel'].includes(choice.value))) {
			const href = telephonyHref(linkPrefixFor(option.value), caller);
			expect(option.description).toMatch(new RegExp(`^Links look like ${href.replace(/[+]/g, '\\+')}\\b`));
			// the name is the scheme as a link writes it
			expect(option.name.startsWith(linkPrefixFor(option.value)!)).toBe(true);
		}
		expect(telephonyHref(linkPrefixFor('custom', 'sip:'), caller)).toBe('sip:+49301234');
		expect(options.find((choice) => choice.value === 'custom')?.description).toContain('sip:+49301234');
		expect(linkPrefixFor('off')).toBeNull();
		expect(property('linkPrefix').default).toBe('tel');
	});

	it('the sender mode is called so, not "Sender" like the header', () => {
		expect(property('senderMode').displayName).toBe('Sender Mode');
	});

	it('the Retry On Fail tip says what it costs while testing', () => {
		expect(property('retryNotice').displayName).toMatch(/^Tip: turn on Retry On Fail \(node Settings/);
		expect(property('retryNotice').displayName).toMatch(/a wrong setting then shows its error only after all tries\.$/);
	});

	it('"XSL Below" starts as a copy of the default template, which compiles and renders', async () => {
		const xsl = property('templateXsl').default as string;
		expect(xsl).toBe(readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8'));
		const mail = await compose(missedCall(), { template: compileTemplate(xsl) });
		expect(mail.subject).toBe('Verpasster Anruf von Jürgen Müller-Lüdenscheidt');
	});

	it('descriptions point at the package README, not at repository paths', () => {
		for (const name of ['language', 'templateSource', 'templateXsl']) {
			expect(property(name).description).toMatch(/README/);
			expect(property(name).description).not.toMatch(/languages\/|templates\/SCHEMA\.md/);
		}
	});
});
