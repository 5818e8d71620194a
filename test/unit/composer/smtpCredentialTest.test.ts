/**
 * The Missed Call SMTP credential's Test (run by the XSL Mail Composer): a failure names the fields to
 * check, in the style of the Asterisk AMI test, and keeps nodemailer's own text at the end.
 */
import { createServer } from 'node:net';
import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { SmtpSink } from '../../../scripts/lib/smtpSink';
import { XslMailComposer } from '../../../nodes/XslMailComposer/XslMailComposer.node';
import { smtpErrorMessage } from '../../../nodes/XslMailComposer/smtp';

const CHECK = 'Check Host, Port and SSL/TLS (465) or STARTTLS (587/25).';

function credentialTest(data: Record<string, unknown>) {
	const { missedCallSmtpTest } = new XslMailComposer().methods.credentialTest;
	const credential = { id: '1', name: 'SMTP', type: 'missedCallSmtp', data } as ICredentialsDecrypted;
	return missedCallSmtpTest.call({} as ICredentialTestFunctions, credential);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('the SMTP credential Test', () => {
	it('a refused connection names the address and the fields to check', async () => {
		const port = await closedPort();
		await expect(credentialTest({ host: '127.0.0.1', port, secure: false })).resolves.toEqual({
			status: 'Error',
			message: `Could not connect to 127.0.0.1:${port} (connection refused). ${CHECK} Details: connect ECONNREFUSED 127.0.0.1:${port}`,
		});
	});

	it.each([
		['a refused login says so, with the server answer', 'wrong', 'refused the user/password\\. Check User and Password\\. Details: Invalid login: 535 '],
		['a user without a password is not "refused": nodemailer sent nothing', '', 'needs a login, but User or Password is empty\\. Fill in both\\. Details: '],
	])('%s', async (_case, password, expected) => {
		const sink = await SmtpSink.start({ auth: { user: 'pbx', pass: 'right' } });
		try {
			const result = await credentialTest({ host: '127.0.0.1', port: sink.port, secure: false, user: 'pbx', password });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${sink.port} ${expected}`));
		} finally {
			await sink.close();
		}
	});

	it('SSL/TLS on against a plain server fails as TLS', async () => {
		const sink = await SmtpSink.start();
		try {
			const result = await credentialTest({ host: '127.0.0.1', port: sink.port, secure: true });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(new RegExp(`^TLS with 127\\.0\\.0\\.1:${sink.port} failed\\. ${CHECK.replace(/[.()/]/g, '\\$&')} Details: .+`));
		} finally {
			await sink.close();
		}
	});

	// nodemailer only greets a server when there is no user: "logged in" would be untrue.
	it('without a user it says it connected but did not log in', async () => {
		const sink = await SmtpSink.start({ auth: { user: 'pbx', pass: 'right' } });
		try {
			await expect(credentialTest({ host: '127.0.0.1', port: sink.port, secure: false, user: '' })).resolves.toEqual({
				status: 'OK',
				message: 'Connected; no login tried, as User is empty',
			});
		} finally {
			await sink.close();
		}
	});

	it('logging in is OK', async () => {
		const sink = await SmtpSink.start({ auth: { user: 'pbx', pass: 'right' } });
		try {
			await expect(
				credentialTest({ host: '127.0.0.1', port: sink.port, secure: false, user: 'pbx', password: 'right' }),
			).resolves.toEqual({ status: 'OK', message: 'Connected and logged in' });
		} finally {
			await sink.close();
		}
	});
});

describe('smtpErrorMessage', () => {
	const settings = { host: 'smtp.example.com', port: 587 };
	const failure = (message: string, code: string, originalCode?: string) =>
		Object.assign(new Error(message), { code, ...(originalCode ? { originalCode } : {}) });

	it.each([
		['an unknown host', failure('getaddrinfo ENOTFOUND smtp.example.com', 'EDNS', 'ENOTFOUND'), 'Could not find the host smtp.example.com. Check Host.'],
		['no greeting', failure('Greeting never received', 'ETIMEDOUT'), `No answer from smtp.example.com:587 in time. ${CHECK}`],
		[
			'a self-signed certificate',
			failure('self-signed certificate', 'ESOCKET', 'DEPTH_ZERO_SELF_SIGNED_CERT'),
			'The certificate of smtp.example.com:587 is not trusted. Check Host (the name in the certificate); for a self-signed certificate turn on Allow Unauthorized Certificates.',
		],
		[
			'a certificate for another name',
			failure("Hostname/IP does not match certificate's altnames", 'ESOCKET', 'ERR_TLS_CERT_ALTNAME_INVALID'),
			'The certificate of smtp.example.com:587 is not trusted. Check Host (the name in the certificate); for a self-signed certificate turn on Allow Unauthorized Certificates.',
		],
		['an expired certificate', failure('certificate has expired', 'ESOCKET', 'CERT_HAS_EXPIRED'), 'The certificate of smtp.example.com:587 is not trusted.'],
		['a closed connection', failure('Connection closed unexpectedly', 'ECONNECTION'), `smtp.example.com:587 closed the connection. ${CHECK}`],
	])('%s', (_case, error, explained) => {
		const message = smtpErrorMessage(error, settings);
		expect(message.startsWith(explained)).toBe(true);
		expect(message.endsWith(`Details: ${error.message}`)).toBe(true);
	});

	it('keeps an error it has no words for as it is', () => {
		expect(smtpErrorMessage(failure('Unexpected Response', 'EPROTOCOL'), settings)).toBe('Unexpected Response');
	});
});
