/** The example workflow and its demo credential, for the demo and the end-to-end tests. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, type WorkflowCredential } from './n8nHost';

/** The id the example workflow's composer refers to (n8n credential ids are 16 characters). */
export const DEMO_SMTP_CREDENTIAL_ID = 'MissedCallSmtp01';

/**
 * A credential for the SMTP sink on loopback: no TLS, no login. Our `missedCallSmtp` and n8n's own
 * `smtp` credential have the same fields.
 */
export function loopbackSmtpCredential(
	port: number,
	credential: Pick<WorkflowCredential, 'id' | 'name' | 'type'>,
): WorkflowCredential {
	const data = { host: '127.0.0.1', port, secure: false, disableStartTls: true, user: '', password: '' };
	return { ...credential, data };
}

export function demoSmtpCredential(port: number): WorkflowCredential {
	return loopbackSmtpCredential(port, { id: DEMO_SMTP_CREDENTIAL_ID, name: 'Demo SMTP sink', type: 'missedCallSmtp' });
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; [key: string]: unknown }>;
	[key: string]: unknown;
}

export function loadExampleWorkflow(): WorkflowJson {
	return JSON.parse(
		readFileSync(path.join(PROJECT_ROOT, 'templates/workflows/missed-call-notification.json'), 'utf8'),
	);
}

/** The production webhook path of the workflow's Call Event Trigger (full path: `/webhook/<path>`). */
export function webhookPathOf(workflow: WorkflowJson): string {
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.callEventTrigger'));
	if (!trigger) throw new Error(`workflow ${workflow.name} has no Call Event Trigger`);
	return String(trigger.parameters.path ?? 'call-events');
}

/**
 * A copy of the workflow with a new id and some node parameters replaced (for test variants);
 * keyed by node type name, e.g. `{ callEventTrigger: { path: 'other' } }`. Give each variant its own path.
 */
export function variantOf(
	workflow: WorkflowJson,
	id: string,
	changes: Record<string, Record<string, unknown>>,
): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(workflow));
	copy.id = id;
	copy.name = `${workflow.name} (${id})`;
	for (const node of copy.nodes) {
		const change = changes[node.type.split('.').pop()!];
		if (change) node.parameters = { ...node.parameters, ...change };
		if (node.webhookId) node.webhookId = randomUUID();
	}
	return copy;
}
