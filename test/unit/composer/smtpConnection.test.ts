/**
 * The composer's SMTP transport against a real SMTP server on loopback (smtp-server): the mails of
 * one execution go out one after the other over one connection, and none is sent twice when the
 * server closes it in between.
 */
import { createServer } from 'node:net';

import { SmtpSink } from '../../../scripts/lib/smtpSink';
import { closeTransport, smtpErrorMessage, smtpTransport } from '../../../nodes/XslMailComposer/smtp';

const RECIPIENTS = ['anna@example.com', 'ben@example.com', 'clara@example.com'];

let sink: SmtpSink;
beforeEach(async () => {
	sink = await SmtpSink.start();
});
afterEach(() => sink.close());

/** Sends one mail to each address in turn, as the composer does, and closes the transport. */
async function sendInTurn(addresses: string[], between?: (index: number) => Promise<void> | void): Promise<PromiseSettledResult<unknown>[]> {
	const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false, disableStartTls: true });
	const results: PromiseSettledResult<unknown>[] = [];
	try {
		for (const [index, to] of addresses.entries()) {
			if (index > 0) await between?.(index);
			const sending = transport.sendMail({ from: 'pbx@example.com', to, subject: 'Missed call', text: `Missed call for ${to}` });
			results.push(...(await Promise.allSettled([sending])));
		}
	} finally {
		closeTransport(transport);
	}
	return results;
}

const arrivedFor = () => sink.mails.map((mail) => mail.envelope.to);

async function closedWithin(ms: number): Promise<number> {
	const deadline = Date.now() + ms;
	while (sink.openConnections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	return sink.openConnections;
}

test('three mails go over one connection, which is closed when the transport is', async () => {
	const results = await sendInTurn(RECIPIENTS);
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
	expect(arrivedFor()).toEqual(RECIPIENTS.map((to) => [to]));
	expect(sink.connections).toBe(1);
	expect(new Set(sink.mails.map((mail) => mail.connection)).size).toBe(1);
	expect(await closedWithin(2000)).toBe(0);
});

test('a recipient refused for good does not end the connection: the next mail goes over it', async () => {
	sink.refuseRecipient(RECIPIENTS[1], 1, 'unknownMailbox');
	const results = await sendInTurn(RECIPIENTS);
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
	expect(String((results[1] as PromiseRejectedResult).reason)).toContain('550 5.1.1');
	expect(arrivedFor()).toEqual([[RECIPIENTS[0]], [RECIPIENTS[2]]]);
	expect(sink.connections).toBe(1);
});

test.each([
	['an idle timeout it announced (421)', () => sink.dropConnections()],
	['a silent close at the next MAIL FROM, nothing of the mail sent', () => sink.dropNextMail('atMailFrom')],
])('a server that closed the connection between two mails, by %s: the next one goes over a new connection, once', async (_, close) => {
	const results = await sendInTurn(RECIPIENTS.slice(0, 2), close);
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
	expect(arrivedFor()).toEqual([[RECIPIENTS[0]], [RECIPIENTS[1]]]);
	expect(sink.connections).toBe(2);
});

test('a server that took a mail but closed before confirming it: that mail fails and is not sent again', async () => {
	const results = await sendInTurn(RECIPIENTS, (index) => {
		if (index === 1) sink.dropNextMail('afterMessage');
	});
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
	// It did arrive, once: the client cannot know, and sending it again would deliver it twice.
	expect(arrivedFor()).toEqual(RECIPIENTS.map((to) => [to]));
});

test('a server that closes every connection at once (a proxy while its container restarts): the mail fails after one more try', async () => {
	let connections = 0;
	const server = createServer((socket) => {
		connections++;
		socket.destroy();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const settings = { host: '127.0.0.1', port: (server.address() as { port: number }).port, secure: false, disableStartTls: true };
	const transport = smtpTransport(settings);
	try {
		const error = await transport.sendMail({ from: 'pbx@example.com', to: RECIPIENTS[0], subject: 'Missed call', text: 'Missed call' }).catch((failure: unknown) => failure);
		expect(smtpErrorMessage(error, settings)).toMatch(new RegExp(`^127\\.0\\.0\\.1:${settings.port} closed the connection`));
		expect(connections).toBe(2);
	} finally {
		closeTransport(transport);
		await new Promise((resolve) => server.close(resolve));
	}
});
