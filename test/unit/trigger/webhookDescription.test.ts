/**
 * The trigger's webhook description as n8n's backend reads it: the path must resolve without the
 * expression engine (no V8 isolate per request under N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE).
 */
import {
	resolveWebhookDescriptionField,
	webhookDescriptionIsNativelyResolvable,
	type INode,
} from 'n8n-workflow';

import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';

const [webhook] = new CallEventTrigger().description.webhooks ?? [];

const node = (parameters: INode['parameters']): INode => ({
	id: 'trigger',
	name: 'Call Event Trigger',
	type: 'n8n-nodes-missed-calls.callEventTrigger',
	typeVersion: 2,
	position: [0, 0],
	parameters,
});

describe('webhook description', () => {
	it('resolves the path from the Path parameter natively', () => {
		expect(webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
		expect(resolveWebhookDescriptionField(node({ path: 'missed-calls/pbx' }), webhook, 'path')).toEqual({
			resolved: true,
			value: 'missed-calls/pbx',
		});
	});

	it('leaves a path the user wrote as an expression to n8n\'s engine', () => {
		expect(resolveWebhookDescriptionField(node({ path: '={{ "pbx" }}' }), webhook, 'path')).toEqual({ resolved: false });
	});

	it('the editor still sees the expression template (symbols are not serialised)', () => {
		expect(JSON.parse(JSON.stringify(webhook)).path).toBe('={{$parameter["path"]}}');
	});
});
