/**
 * The caller's contact data as a vCard 3.0 attachment (vcards-js), importable by Outlook, iOS and
 * Android. vcards-js 2.11.1 leaves a bare CR in values, does not escape ";" in FN, ORG, TITLE and
 * NOTE, and folds lines by UTF-16 units (which can split an emoji): input is cleaned before, and the
 * output escaped and refolded after.
 */
import vCardsJS from 'vcards-js';
import type { Contact, NotifiedCaller } from '../../shared/notification';
import { sendableAddress } from '../../shared/emailAddress';
import { plainNumberOf } from '../../shared/phoneNumbers';
import { contactDisplayName, contactPersonName, hasContactData } from '../../shared/contact';
import { dialablePart, dialString, hasNoCallbackNumber } from './telephonyLink';
import { cleanLine, cleanMultiline } from '../../shared/text';
import type { MailAttachment } from './composeMail';

const VCARD_CONTENT_TYPE = 'text/vcard; charset=utf-8';

/** Text properties that vcards-js writes without escaping ";" (RFC 2426 §4: it must be "\;"). */
const UNESCAPED_SEMICOLON_PROPERTIES = new Set(['FN', 'ORG', 'TITLE', 'NOTE']);
const MAX_LINE_OCTETS = 75;

/**
 * The number as a phone dials it from the address book: what the telephony link dials (no written
 * extension, no `(0)` after the country code, no remark; nothing when letters remain), keeping the
 * spacing it was written with. Only phone-number characters, so no vCard syntax gets in.
 */
function phoneNumber(value: unknown): string {
	const kept = dialablePart(cleanLine(value)).replace(/[^0-9+()*#./ -]/g, '').replace(/\s+/g, ' ').trim();
	return /[0-9]/.test(kept) ? kept : '';
}

/** Only web addresses become URL properties; a bare host name gets `https://`. */
function webAddress(value: unknown): string {
	const url = cleanLine(value);
	if (/^https?:\/\/[^\s]+$/i.test(url)) return url;
	return /^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(url) ? `https://${url}` : '';
}

/** Chinese, Japanese and Korean names are written family name first. */
const FAMILY_NAME_FIRST = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * [given names, family name] of a name the CRM gave whole: "Jürgen Müller-Lüdenscheidt" →
 * ["Jürgen", "Müller-Lüdenscheidt"], "山田 太郎" → ["太郎", "山田"]; one word is the family name.
 */
function splitName(name: string): [string, string] {
	if (FAMILY_NAME_FIRST.test(name)) {
		// Also the ideographic space (U+3000) Japanese writes between the two.
		const cut = name.search(/[ \u3000]/);
		return cut === -1 ? ['', name] : [name.slice(cut + 1), name.slice(0, cut)];
	}
	const cut = name.lastIndexOf(' ');
	return cut === -1 ? ['', name] : [name.slice(0, cut), name.slice(cut + 1)];
}

/** RFC 2426 §2.6: lines of at most 75 octets, folded with CRLF + space, never inside a character. */
function fold(line: string): string {
	const parts: string[] = [];
	let current = '';
	let octets = 0;
	for (const char of line) {
		const size = Buffer.byteLength(char);
		if (octets + size > MAX_LINE_OCTETS - (parts.length ? 1 : 0)) {
			parts.push(current);
			current = '';
			octets = 0;
		}
		current += char;
		octets += size;
	}
	parts.push(current);
	return parts.join('\r\n ');
}

function finish(formatted: string): string {
	return formatted
		.replace(/\r\n[ \t]/g, '')
		.split('\r\n')
		.filter(Boolean)
		.map((line) => {
			const colon = line.indexOf(':');
			const property = line.slice(0, colon).split(';')[0].toUpperCase();
			const escaped = UNESCAPED_SEMICOLON_PROPERTIES.has(property)
				? line.slice(0, colon + 1) + line.slice(colon + 1).replace(/;/g, '\\;')
				: property === 'REV'
					? line.replace(/\.\d+Z$/, 'Z') // vcards-js writes milliseconds, which ical.js cannot read
					: line;
			return `${fold(escaped)}\r\n`;
		})
		.join('');
}

/** `Jürgen Müller.vcf`: letters, digits, space, `.`, `_`, `-` only. */
function fileName(name: string): string {
	const safe = name
		.normalize('NFC')
		.replace(/[^\p{L}\p{N} ._-]/gu, '')
		.replace(/\s+/g, ' ')
		.replace(/^[ .]+|[ .]+$/g, '');
	return `${Array.from(safe).slice(0, 60).join('').trim() || 'contact'}.vcf`;
}

/**
 * The contact as a vCard, with the number that called as work phone when the contact has none, and
 * as a further phone when it is neither the contact's phone nor mobile (a direct line, a mobile the
 * CRM does not know). Null when the contact has no name, company or e-mail (nothing worth importing).
 */
export function buildVCard(contact: Contact | null, caller?: NotifiedCaller | null): MailAttachment | null {
	if (!hasContactData(contact)) return null;
	const card = vCardsJS();
	const email = cleanLine(contact.email);
	const personName = contactPersonName(contact);
	const [firstName, lastName] =
		cleanLine(contact.firstName) || cleanLine(contact.lastName)
			? [cleanLine(contact.firstName), cleanLine(contact.lastName)]
			: splitName(personName);
	const displayName = contactDisplayName(contact) || email;

	card.formattedName = displayName;
	card.firstName = firstName;
	card.lastName = lastName;
	card.organization = cleanLine(contact.company);
	card.isOrganization = !personName && Boolean(card.organization);
	card.title = cleanLine(contact.title);
	card.workEmail = sendableAddress(email) ?? '';
	const phone = phoneNumber(contact.phone);
	const mobile = phoneNumber(contact.mobile);
	const callerNumber = caller && !hasNoCallbackNumber(caller) ? phoneNumber(caller.e164 || caller.display || plainNumberOf(caller.number)) : '';
	// The caller's number in any of the forms the trigger gave it, as a phone dials them.
	const dials = (number: string | null) => dialString({ number: number ?? '', e164: null }).replace(/^00/, '+');
	const callerDials = caller ? [caller.e164, caller.display, caller.number].map(dials) : [];
	const isCallersNumber = (number: string) => number !== '' && callerDials.includes(dials(number));
	card.workPhone = phone || (isCallersNumber(mobile) ? '' : callerNumber);
	card.cellPhone = mobile;
	if (phone && callerNumber && !isCallersNumber(phone) && !isCallersNumber(mobile)) card.otherPhone = callerNumber;
	card.url = webAddress(contact.url);
	card.workAddress.street = cleanLine(contact.street);
	card.workAddress.city = cleanLine(contact.city);
	card.workAddress.postalCode = cleanLine(contact.postalCode);
	card.workAddress.stateProvince = cleanLine(contact.state);
	card.workAddress.countryRegion = cleanLine(contact.country);
	card.note = cleanMultiline(contact.note);

	return {
		filename: fileName(displayName),
		content: Buffer.from(finish(card.getFormattedString()), 'utf8'),
		contentType: VCARD_CONTENT_TYPE,
	};
}
