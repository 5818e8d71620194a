/**
 * `npm run demo`: a real n8n with our nodes, the example workflow imported and active, and a local
 * SMTP sink that writes every mail it receives as an .eml file. Prints where to POST events and
 * where to read the mails, then a line with "Ready". Ctrl-C / SIGTERM stops everything.
 *
 * Environment: N8N_PORT (5678), SMTP_PORT (2525), DEMO_MAIL_DIR (.demo/mails),
 * DEMO_WORKFLOW (templates/workflows/missed-call-notification.json).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { N8nHost, PROJECT_ROOT } from './lib/n8nHost';
import { SmtpSink } from './lib/smtpSink';
import { demoSmtpCredential, webhookPathOf } from './lib/workflows';

async function main(): Promise<void> {
	const n8nPort = Number(process.env.N8N_PORT ?? 5678);
	const smtpPort = Number(process.env.SMTP_PORT ?? 2525);
	const mailDir = path.resolve(process.env.DEMO_MAIL_DIR ?? path.join(PROJECT_ROOT, '.demo/mails'));
	const workflowFile = path.resolve(
		process.env.DEMO_WORKFLOW ?? path.join(PROJECT_ROOT, 'templates/workflows/missed-call-notification.json'),
	);
	const workflow = JSON.parse(readFileSync(workflowFile, 'utf8'));
	const userFolder = path.join(PROJECT_ROOT, '.demo/n8n');
	rmSync(userFolder, { recursive: true, force: true }); // a fresh database each run

	console.log('Starting the SMTP sink and n8n (the first run installs Node 24 and n8n: a few minutes)…');
	const sink = await SmtpSink.start({ port: smtpPort, mailDir });
	const owner = {
		email: 'demo@example.com',
		password: `Demo-${randomBytes(6).toString('hex')}`,
		firstName: 'Demo',
		lastName: 'Admin',
	};
	const host = await N8nHost.start({
		workflows: [workflow],
		credentials: [demoSmtpCredential(smtpPort)],
		port: n8nPort,
		userFolder,
		owner,
		// As n8n does by default (the test harness turns it off): the Suppressed output of each call's
		// execution answers "why did Anna get no mail?" (SPEC §4.4).
		env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all' },
	});

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the SMTP sink…');
		await host.stop();
		await sink.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	const webhookPath = webhookPathOf(workflow);
	await host.waitForWebhook(webhookPath);
	const webhook = host.webhookUrl(webhookPath);
	const sample = path.join(PROJECT_ROOT, 'templates/events/missed-call.json');
	// Its callId also begins each eventId: one replacement gives a new call with new events.
	const sampleCallId = (JSON.parse(readFileSync(sample, 'utf8')) as Array<{ callId: string }>)[0].callId;
	const post = `curl -sS -X POST -H 'Content-Type: application/json'`;
	console.log(`
  Webhook (POST call events):  ${webhook}
  Try a missed call:           ${post} --data @${sample} ${webhook}
  Each call is mailed once and a repeated eventId is ignored; send it again as a new call:
                               sed "s/${sampleCallId}/demo-call-$(date +%s)/g" ${sample} | ${post} --data @- ${webhook}
  n8n editor:                  ${host.baseUrl}   login ${owner.email} / ${owner.password}
  Why someone got no mail:     ${host.baseUrl}/home/executions (the Missed Call Filter's Suppressed output)
  Mails (.eml) are written to: ${mailDir}
  SMTP sink:                   127.0.0.1:${sink.port}
  n8n log:                     ${host.logFile}

Ready: accepting call events. Ctrl-C stops everything.`);
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
