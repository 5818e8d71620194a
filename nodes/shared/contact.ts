/** The caller's contact data as the mail shows it: one display name, and whether there is any. */
import type { Contact } from './notification';
import { isWithheld } from './phoneNumbers';
import { cleanLine } from './text';

/**
 * The caller-ID name as a name: '' for the words networks send instead of one ("Anonymous",
 * `<unknown>`, "Private" …), so a mail does not read "Missed call from Anonymous".
 */
export function callerIdName(name: unknown): string {
	const cleaned = cleanLine(name);
	return isWithheld(cleaned) ? '' : cleaned;
}

/** The person's name: name, else first + last name; '' when there is none. */
export function contactPersonName(contact: Contact | null | undefined): string {
	if (!contact) return '';
	return cleanLine(contact.name) || cleanLine(`${cleanLine(contact.firstName)} ${cleanLine(contact.lastName)}`);
}

/** The person's name, else the company; '' when the contact has neither. */
export function contactDisplayName(contact: Contact | null | undefined): string {
	return contactPersonName(contact) || cleanLine(contact?.company);
}

/** Whether there is a name, company or e-mail: the filter's "no contact data" exception (SPEC §4.2) and the mail's contact block alike. */
export function hasContactData(contact: Contact | null | undefined): contact is Contact {
	return Boolean(contactDisplayName(contact) || cleanLine(contact?.email));
}
