/**
 * The composer's SMTP transport against a real SMTP server on loopback (smtp-server): the mails of
 * one execution go out one after the other over one connection, and none is sent twice when the
 * server closes it in between.
 */
import { SmtpSink } from '../../../scripts/lib/smtpSink';
import { smtpTransport } from '../../../nodes/XslMailComposer/smtp';

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
		transport.close();
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
	['before the next mail is handed over', 0],
	['and the client has noticed it', 200],
])('a server that closed the connection between two mails (%s): the next one goes over a new connection, once', async (_, pauseMs) => {
	const results = await sendInTurn(RECIPIENTS.slice(0, 2), async () => {
		sink.dropConnections();
		await new Promise((resolve) => setTimeout(resolve, pauseMs));
	});
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
	expect(arrivedFor()).toEqual([[RECIPIENTS[0]], [RECIPIENTS[1]]]);
	expect(sink.connections).toBe(2);
});
