/**
 * What the Missed Call Filter hands the XSL Mail Composer (SPEC §3, §4.4): plain JSON, one item per
 * e-mail to send. A user may also build these by hand (or from another filter) and feed the composer.
 */
import type { CallLeg, CallRecord } from './callModel';

/** One entry of the user directory (SPEC §3). Only `id` is required. */
export interface DirectoryUser {
	id: string;
	name?: string;
	email?: string;
	/** BCP 47 tag, e.g. `de`, `de-AT`, `en`. */
	language?: string;
	/** IANA zone, e.g. `Europe/Berlin`. */
	timeZone?: string;
	/** Extensions, device ids and full numbers the user owns. */
	lines?: string[];
	/** The user's own choice; false = no missed-call e-mails. Default true. */
	notify?: boolean;
}

/**
 * Caller contact data resolved upstream (CRM, address book). All fields optional; the filter's
 * "no contact data" exception looks at name, company and email.
 */
export interface Contact {
	name?: string;
	firstName?: string;
	lastName?: string;
	company?: string;
	title?: string;
	email?: string;
	phone?: string;
	mobile?: string;
	url?: string;
	street?: string;
	city?: string;
	postalCode?: string;
	/** State, province or region: part of an address in the US, Canada, Australia. */
	state?: string;
	country?: string;
	note?: string;
}

/** The caller as shown in a notification: raw number, E.164 and a readable form. */
export interface NotifiedCaller {
	number: string;
	/** E.164 (`+49891234567`), or null when the number is withheld or not a phone number. */
	e164: string | null;
	/** Human form in the PBX's country convention (`089 1234567`, `+44 20 …` abroad). */
	display: string;
	name: string;
	restricted: boolean;
}

export interface UserRef {
	id: string;
	name: string;
}

/** A call leg with the directory user who owns its line (null: nobody in the directory). */
export interface OwnedLeg extends CallLeg {
	owner: UserRef | null;
}

export interface NotificationRecipient {
	id: string;
	name: string;
	email: string;
	/** The user's language tag if the directory has one. */
	language?: string;
	/** Resolved: the user's zone, else the filter's setting, else the workflow's (n8n's getTimezone). */
	timeZone: string;
}

export type NotificationReason = 'missed' | 'answeredByThirdParty';

export interface Notification {
	kind: 'notification';
	reason: NotificationReason;
	recipient: NotificationRecipient;
	caller: NotifiedCaller;
	contact: Contact | null;
	call: CallRecord;
	/** The call's legs with their owners, in order of first ringing. */
	legs: OwnedLeg[];
	/** The user who answered, when someone did and the line is in the directory. */
	answeredByUser: UserRef | null;
	/**
	 * The PBX's country (the filter's Numbering Plan, ISO 3166 alpha-2): the mail shows its numbers as
	 * they are dialled there (`089 1234200`), like the caller's. Absent in a notification built by hand.
	 */
	country?: string;
	/**
	 * What the filter remembered for the repeat rules when it emitted this notification. The mail
	 * node takes it back when the mail is not sent, so an unsent mail does not count as notified.
	 * Absent when nothing was remembered (withheld number, manual run, an item built by hand).
	 */
	remembered?: RememberedNotification;
}

/** One (user, caller) entry of the Missed Call Filter's memory, as one notification set it. */
export interface RememberedNotification {
	/** The filter node's memory in this n8n process: workflow id and node id. */
	store: string;
	userId: string;
	/** The caller's E.164 number. */
	callerKey: string;
	/** Epoch milliseconds: when the call resolved. */
	at: number;
	/** The entry before this notification, restored when its mail is not sent. */
	previous: number | null;
}
