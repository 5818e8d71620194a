/**
 * The Asterisk AMI credential's "Test" (checkAmiLogin) against a loopback AMI server: one
 * connection, one login, then gone — whatever the answer, and never a reconnect loop.
 */
import { checkAmiLogin, withHint, type AmiCredentials } from '../../../nodes/AsteriskAmiTrigger/amiConnection';
import { SECRET, USER, closedPort, server, sleep } from './loopback';

const credentials = (port: number, secret = SECRET): AmiCredentials => ({
	host: '127.0.0.1',
	port,
	username: USER,
	secret,
	tls: false,
});

describe('checkAmiLogin', () => {
	it('an accepted login: OK with the PBX banner, one connection, no retry', async () => {
		const ami = await server();
		const check = await checkAmiLogin(credentials(ami.port));
		expect(check).toEqual({
			ok: true,
			message: `Logged in to Asterisk AMI at 127.0.0.1:${ami.port} (Asterisk Call Manager/5.0.1)`,
		});
		await sleep(1200);
		expect(ami.connections.map((connection) => connection.logins.map((login) => login.accepted))).toEqual([[true]]);
	});

	it('a refused login names host, port, user and the PBX\'s reason, and does not try again', async () => {
		const ami = await server();
		const check = await checkAmiLogin(credentials(ami.port, 'wrong'));
		expect(check).toEqual({
			ok: false,
			message: `Asterisk AMI at 127.0.0.1:${ami.port} refused the login as "n8n": Authentication failed`,
			hint: expect.stringContaining('username and secret'),
		});
		await sleep(1200);
		expect(ami.connections).toHaveLength(1);
	});

	it('nothing listening: names host and port and the socket\'s reason', async () => {
		const port = await closedPort();
		const check = await checkAmiLogin(credentials(port));
		expect(check).toEqual({
			ok: false,
			message: expect.stringMatching(new RegExp(`^Connection to Asterisk AMI at 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`)),
			hint: expect.stringContaining('host, port and TLS'),
		});
	});

	it('a secret with a line break (header injection) is refused before connecting', async () => {
		const ami = await server();
		const check = await checkAmiLogin(credentials(ami.port, `${SECRET}\r\nAction: Originate`));
		expect(check).toMatchObject({ ok: false, message: 'AMI secret must not contain line breaks' });
		// A connection started anyway would reach the loopback server well within this.
		await sleep(200);
		expect(ami.connections).toHaveLength(0);
	});
});

describe('withHint', () => {
	it('ends the failure with a full stop before the hint, unless it ends with its own', () => {
		expect(withHint('Connection failed: ECONNREFUSED', 'Check host.')).toBe('Connection failed: ECONNREFUSED. Check host.');
		expect(withHint('is 127.0.0.1:5038 the AMI port (5038, with TLS 5039)?', 'Check host.')).toBe(
			'is 127.0.0.1:5038 the AMI port (5038, with TLS 5039)? Check host.',
		);
	});
});
