/**
 * The Asterisk AMI credential as a connection: the client options it gives, the words for what can
 * go wrong (shared by the trigger's errors and the credential's "Test"), and that test itself.
 */
import { AmiClient, AmiLoginError, type AmiClientOptions } from './ami/AmiClient';

export interface AmiCredentials {
	host: string;
	port: number;
	username: string;
	secret: string;
	tls: boolean;
	allowUnauthorizedCerts?: boolean;
}

type ConnectionOptions = Omit<AmiClientOptions, 'onEvent'>;

export function amiAddress(credentials: AmiCredentials): string {
	return `${credentials.host}:${credentials.port}`;
}

export function connectionOptions(credentials: AmiCredentials): ConnectionOptions {
	return {
		host: credentials.host,
		port: credentials.port,
		username: credentials.username,
		secret: credentials.secret,
		tls: credentials.tls ? { rejectUnauthorized: !credentials.allowUnauthorizedCerts } : undefined,
	};
}

export const LOGIN_HINT =
	'Check the username and secret of the Asterisk AMI credential, and that the manager user permits the n8n host.';
export const CONNECTION_HINT =
	'Check host, port and TLS of the Asterisk AMI credential, and that the manager interface accepts connections from n8n.';

export function loginRefusedMessage(address: string, error: AmiLoginError): string {
	return `Asterisk AMI at ${address} refused the login as "${error.username}": ${error.reason}`;
}

export function connectionFailedMessage(address: string): string {
	return `Connection to Asterisk AMI at ${address} failed`;
}

/** A failure and what to check, as the credential's Test shows them: one sentence after the other. */
export function withHint(message: string, hint: string): string {
	return `${message}${/[.?!]$/.test(message) ? '' : '.'} ${hint}`;
}

export type LoginCheck = { ok: true; message: string } | { ok: false; message: string; hint: string };

/**
 * Connects once, logs in and disconnects; no retry. What the credential's "Test" shows: the user
 * saving it wants to know now whether the PBX takes it, not after publishing a workflow.
 */
export async function checkAmiLogin(credentials: AmiCredentials): Promise<LoginCheck> {
	const address = amiAddress(credentials);
	let settle!: (check: LoginCheck) => void;
	const outcome = new Promise<LoginCheck>((resolve) => (settle = resolve));
	let client: AmiClient;
	try {
		client = new AmiClient({
			...connectionOptions(credentials),
			pingIntervalMs: 0,
			onEvent: () => undefined,
			onStatus: (status) => {
				if (status.state === 'connected') {
					const banner = status.banner ? ` (${status.banner})` : '';
					settle({ ok: true, message: `Logged in to Asterisk AMI at ${address}${banner}` });
				}
				// A refused login reports its AmiLoginError first: that message wins.
				if (status.state === 'disconnected' && status.retryInMs !== null) {
					settle({ ok: false, message: `${connectionFailedMessage(address)}: ${status.reason}`, hint: CONNECTION_HINT });
				}
			},
			onError: (error) => {
				if (error instanceof AmiLoginError) {
					settle({ ok: false, message: loginRefusedMessage(address, error), hint: LOGIN_HINT });
				}
			},
		});
	} catch (error) {
		// A line break in the username or secret.
		return { ok: false, message: (error as Error).message, hint: LOGIN_HINT };
	}
	client.start();
	const result = await outcome;
	await client.close();
	return result;
}
