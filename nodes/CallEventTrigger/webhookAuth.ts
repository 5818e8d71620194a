/**
 * Checks a call-event request against the configured secret in constant time, so a PBX-facing
 * webhook cannot be probed byte by byte. Plain module: the node passes headers and credentials in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type WebhookAuthentication = 'none' | 'basicAuth' | 'headerAuth';

/** The credential type each authentication takes (none: no credential). */
export const CREDENTIAL_TYPES = new Map<WebhookAuthentication, string | null>([
	['basicAuth', 'callEventBasicAuth'],
	['headerAuth', 'callEventHeaderAuth'],
	['none', null],
]);

/** What the credential of the chosen authentication holds (n8n's credential data). */
export type WebhookCredentials = Record<string, unknown>;

/** The Call Event Header Secret credential promises this; shorter secrets can be guessed. */
export const MIN_SECRET_LENGTH = 16;

/** RFC 9110 token: what a header name may consist of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface AuthVerdict {
	ok: boolean;
	/** 401: credentials missing; 403: credentials wrong. */
	statusCode?: 401 | 403;
	message?: string;
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function safeEqual(given: string, expected: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

function checkHeaderSecret(headers: Headers, name: string, secret: string): AuthVerdict {
	const given = header(headers, name);
	if (given === undefined) return { ok: false, statusCode: 401, message: `Header ${name} is missing` };
	if (!safeEqual(given, secret)) return { ok: false, statusCode: 403, message: `Header ${name} is wrong` };
	return { ok: true };
}

function checkBasicAuth(headers: Headers, user: string, password: string): AuthVerdict {
	const given = header(headers, 'authorization');
	const match = given ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(given) : null;
	if (!match) return { ok: false, statusCode: 401, message: 'Basic authentication required' };
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	const userOk = safeEqual(colon < 0 ? decoded : decoded.slice(0, colon), user);
	const passwordOk = safeEqual(colon < 0 ? '' : decoded.slice(colon + 1), password);
	if (!(userOk && passwordOk)) return { ok: false, statusCode: 403, message: 'Wrong user or password' };
	return { ok: true };
}

/**
 * Why the credential cannot protect the webhook, or null. A wrong credential must not quietly let
 * anyone in: an empty secret would accept every request that sends the header empty.
 */
export function credentialProblem(authentication: WebhookAuthentication, credentials: WebhookCredentials): string | null {
	if (!CREDENTIAL_TYPES.has(authentication)) {
		return `Authentication ${JSON.stringify(authentication)} is not one of ${[...CREDENTIAL_TYPES.keys()].join(', ')}`;
	}
	if (authentication === 'headerAuth') {
		const name = String(credentials.name ?? '');
		if (!HEADER_NAME.test(name)) return `the Header Name ${JSON.stringify(name)} is not an HTTP header name`;
		const secret = String(credentials.value ?? '');
		if (secret.length < MIN_SECRET_LENGTH) {
			return `the Secret has ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are needed, so that it cannot be guessed`;
		}
	}
	if (authentication === 'basicAuth') {
		const user = String(credentials.user ?? '');
		if (user === '') return 'the User is empty';
		if (user.includes(':')) return 'the User contains ":", which Basic authentication cannot carry';
		if (String(credentials.password ?? '') === '') return 'the Password is empty';
	}
	return null;
}

/** What the credential dialog's Test shows (n8n's INodeCredentialTestResult). */
export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * The Test of a Call Event credential: the same check that publishing makes, so that a secret too
 * short is found when the credential is saved, not when the workflow is published.
 */
export function testCredential(authentication: WebhookAuthentication, credentials: WebhookCredentials): CredentialTestResult {
	const problem = credentialProblem(authentication, credentials);
	if (problem !== null) return { status: 'Error', message: `This credential cannot protect the webhook: ${problem}` };
	return {
		status: 'OK',
		message:
			authentication === 'headerAuth'
				? 'The secret can protect the webhook'
				: 'User and password can protect the webhook',
	};
}

/**
 * The error a request gets while the credential cannot protect the webhook (answered 500). Only the
 * administrator uses the test URL, so its answer names the problem; the production URL's does not
 * (n8n's log and the publication status do).
 */
export function unusableCredentialAnswer(problem: string, mode: 'test' | 'production'): string {
	return mode === 'test'
		? `The trigger's credential cannot protect this webhook: ${problem}`
		: "The trigger's credential cannot protect this webhook; n8n's log says why";
}

/** The request's verdict under a credential that passed `credentialProblem`. */
export function checkRequest(
	authentication: WebhookAuthentication,
	credentials: WebhookCredentials,
	headers: Headers,
): AuthVerdict {
	if (authentication === 'headerAuth') {
		return checkHeaderSecret(headers, String(credentials.name), String(credentials.value));
	}
	if (authentication === 'basicAuth') {
		return checkBasicAuth(headers, String(credentials.user), String(credentials.password));
	}
	return { ok: true };
}

/**
 * The webhook URL for a sender that can authenticate only by a user and password in the URL, as
 * sipgate.io does (`https://user:password@host/…`); unchanged for other authentications.
 */
export function urlWithCredentials(
	url: string,
	authentication: WebhookAuthentication,
	credentials: WebhookCredentials,
): string {
	if (authentication !== 'basicAuth') return url;
	// Encoded in full: the setters encode "@", ":" and "/" but leave "%", so "%41" would read as "A".
	const withUser = new URL(url);
	withUser.username = encodeURIComponent(String(credentials.user));
	withUser.password = encodeURIComponent(String(credentials.password));
	return withUser.href;
}
