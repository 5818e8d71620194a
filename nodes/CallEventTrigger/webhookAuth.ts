/**
 * Checks a call-event request against the configured secret in constant time, so a PBX-facing
 * webhook cannot be probed byte by byte. Plain module: the node passes headers and credentials in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type WebhookAuthentication = 'none' | 'basicAuth' | 'headerAuth';

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

export function checkHeaderSecret(headers: Headers, name: string, secret: string): AuthVerdict {
	const given = header(headers, name);
	if (given === undefined) return { ok: false, statusCode: 401, message: `Header ${name} is missing` };
	if (!safeEqual(given, secret)) return { ok: false, statusCode: 403, message: `Header ${name} is wrong` };
	return { ok: true };
}

export function checkBasicAuth(headers: Headers, user: string, password: string): AuthVerdict {
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
