/** What the node's settings show, decided by n8n's own display logic. */
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';
import { XslMailComposer } from '../../../nodes/XslMailComposer/XslMailComposer.node';
import { SENDER_MODES } from '../../../nodes/XslMailComposer/render/composeMail';
import { choicesOf } from '../../../nodes/shared/nodeDescription';

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
