import { domainToASCII } from 'node:url';

/**
 * One plain e-mail address, as the XSL Mail Composer sends to: the Missed Call Filter checks its
 * directory with the same rule, so an address the composer would refuse is a directory error.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** dot-atom local part @ host name with a letter or punycode top-level domain (RFC 5321 subset). */
const ADDRESS = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$`);

export function isEmailAddress(value: string): boolean {
	const at = value.lastIndexOf('@');
	return value.length <= 254 && at > 0 && at <= 64 && ADDRESS.test(value);
}

/**
 * The address with an internationalised domain in its ASCII form (`info@müller.example` →
 * `info@xn--mller-kva.example`, as DNS and every mail server know it), or null when it is not one
 * plain address. For a CRM's addresses: a local part beyond ASCII needs SMTPUTF8, which few servers speak.
 */
export function sendableAddress(value: string): string | null {
	const at = value.lastIndexOf('@');
	const domain = value.slice(at + 1);
	const address = at > 0 && /[^\x00-\x7f]/.test(domain) ? `${value.slice(0, at)}@${domainToASCII(domain)}` : value;
	return isEmailAddress(address) ? address : null;
}
