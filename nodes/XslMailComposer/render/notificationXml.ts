/**
 * The XML document an XSL template reads (schema: templates/SCHEMA.md). Everything a template needs
 * is precomputed here — dates in the recipient's zone and language, durations, the telephony link,
 * translated texts — so that templates stay plain XSLT 1.0 without date or string arithmetic.
 */
import { DateTime } from 'luxon';
import { coveredMs } from '../../shared/callModel';
import type { Contact, Notification, OwnedLeg } from '../../shared/notification';
import { isWithheld, numberOf, readableNumber } from '../../shared/phoneNumbers';
import { isTimeZone } from '../../shared/timeZone';
import { sendableAddress } from '../../shared/emailAddress';
import { callerIdName, contactDisplayName } from '../../shared/contact';
import type { Language } from './languages';
import { postalAddressLines } from './postalAddress';
import { dialString, telephonyHref, validateCustomPrefix } from './telephonyLink';
import { cleanLine, cleanMultiline, firstStrongDirection, inDirection, localeDirection, type TextDirection, withoutIllegalChars } from '../../shared/text';

export interface NotificationXmlOptions {
	/** The language the mail is written in (already resolved for the recipient). */
	language: Language;
	/** Href prefix such as `tel:`, or null: numbers are plain text. */
	linkPrefix: string | null;
	/** Whether the caller's vCard goes with the mail, so the template can say so. Default false. */
	vcardAttached?: boolean;
	/** The zone for a recipient without a valid one: the workflow's (n8n's getTimezone). Default (or if invalid) UTC. */
	defaultTimeZone?: string;
}

/** The zone a mail's times are given in, whether it is the recipient's own, and what the recipient has. */
export function mailTimeZone(
	notification: Pick<Notification, 'recipient'>,
	defaultTimeZone?: string,
): { zone: string; recipients: boolean; requested: string } {
	const requested = cleanLine(notification.recipient?.timeZone);
	if (isTimeZone(requested)) return { zone: requested, recipients: true, requested };
	const fallback = cleanLine(defaultTimeZone);
	return { zone: isTimeZone(fallback) ? fallback : 'UTC', recipients: false, requested };
}

interface XmlElement {
	name: string;
	content: string | XmlElement[];
}

function el(name: string, content: string | number | boolean | XmlElement[]): XmlElement {
	return { name, content: Array.isArray(content) ? content : String(content) };
}

/** The element, or nothing when the value is empty: templates test for presence. */
function optional(name: string, value: string): XmlElement[] {
	return value ? [el(name, value)] : [];
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
	return withoutIllegalChars(text).replace(/[&<>"']/g, (char) => XML_ESCAPES[char]);
}

function serialize(element: XmlElement, depth = 0): string {
	const indent = '\t'.repeat(depth);
	if (typeof element.content === 'string') {
		return `${indent}<${element.name}>${escapeXml(element.content)}</${element.name}>\n`;
	}
	if (element.content.length === 0) return `${indent}<${element.name}/>\n`;
	const children = element.content.map((child) => serialize(child, depth + 1)).join('');
	return `${indent}<${element.name}>\n${children}${indent}</${element.name}>\n`;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * `{name}` placeholders filled from `values`; unknown ones stay as written. Own keys only: a
 * language string's `{constructor}` must not reach Object's prototype. With `languageDirection`
 * (the strings under /notification/strings), a value is set in the string's own direction: its
 * first letter outside the placeholders, else the language's. Without (values of other elements,
 * such as durations), nothing is added.
 */
function fill(text: string, values: Record<string, string>, languageDirection?: TextDirection): string {
	const direction = languageDirection && (firstStrongDirection(text.replace(PLACEHOLDER, '')) ?? languageDirection);
	return text.replace(PLACEHOLDER, (whole, key: string) => {
		if (!Object.hasOwn(values, key)) return whole;
		return direction ? inDirection(values[key], direction) : values[key];
	});
}

/** Two units at most, the smaller left out when it is zero ("1 min", not "1 min 0 s"). */
function formatDuration(seconds: number, strings: Record<string, string>): string {
	const hours = Math.floor(seconds / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	const values = { hours: String(hours), minutes: String(minutes), seconds: String(seconds % 60) };
	if (seconds < 60) return fill(strings.durationSeconds ?? '{seconds} s', values);
	if (hours === 0) {
		const whole = seconds % 60 === 0 && strings.durationWholeMinutes;
		return fill(whole || (strings.durationMinutes ?? '{minutes} min {seconds} s'), values);
	}
	const whole = minutes === 0 && strings.durationWholeHours;
	return fill(whole || (strings.durationHours ?? '{hours} h {minutes} min'), values);
}

/** `text`: instead of the seconds written out, e.g. when the end is not known (the seconds are then only the trigger's estimate). */
function durationElement(name: string, seconds: number, strings: Record<string, string>, text?: string): XmlElement {
	return el(name, [el('seconds', seconds), el('text', text ?? formatDuration(seconds, strings))]);
}

/**
 * The mail's points in time in the recipient's zone and language. A call's times recur (a leg rings
 * from the call's start, the answer ends a leg; each is also measured for durations), and luxon
 * parses and converts anew each time: each ISO text is read once per mail.
 */
class MailClock {
	private readonly read = new Map<string, DateTime | undefined>();

	constructor(
		private readonly zone: string,
		private readonly locale: string,
	) {}

	/** `iso` in the recipient's zone and language; undefined when it is no time. */
	local(iso: unknown): DateTime | undefined {
		if (typeof iso !== 'string') return undefined;
		if (!this.read.has(iso)) {
			const parsed = DateTime.fromISO(iso, { zone: 'utc' });
			this.read.set(iso, parsed.isValid ? parsed.setZone(this.zone).setLocale(this.locale) : undefined);
		}
		return this.read.get(iso);
	}
}

/** Enough for every zone, language and season in use; bounded, as zones and languages come from user data. */
const MAX_ZONE_NAMES = 1_000;
const zoneNames = new Map<string, string>();

/**
 * The zone's short name at that time ("MEZ", "MESZ", "GMT+5:30"). luxon builds a new Intl formatter
 * for each (~0.1 ms, eight times a mail) to get one of a handful of answers; the name follows from
 * the zone, language and offset (the year too, for the rare zone renamed at an unchanged offset).
 */
function zoneName(local: DateTime): string {
	const key = `${local.zoneName}|${local.locale}|${local.offset}|${local.year}`;
	let name = zoneNames.get(key);
	if (name === undefined) {
		name = local.toFormat('ZZZZ');
		if (zoneNames.size < MAX_ZONE_NAMES) zoneNames.set(key, name);
	}
	return name;
}

function formatDate(local: DateTime, { formats }: Language): string {
	return local.toFormat(local.day === 1 && formats.dateFirstOfMonth ? formats.dateFirstOfMonth : formats.date);
}

/**
 * A point in time: raw ISO as received, plus local ISO, date, times and the zone's short name in
 * the recipient's zone and language ("MEZ", "EST", "GMT+5:30"): a time alone cannot tell a
 * recipient whose zone is not set that the mail uses another.
 */
function timeElement(name: string, iso: unknown, clock: MailClock, language: Language): XmlElement {
	const local = clock.local(iso);
	if (!local) return el(name, [el('iso', cleanLine(iso))]);
	return el(name, [
		el('iso', cleanLine(iso)),
		el('local', local.toISO() ?? ''),
		el('date', formatDate(local, language)),
		el('time', local.toFormat(language.formats.time)),
		el('timeWithSeconds', local.toFormat(language.formats.timeWithSeconds)),
		el('zone', zoneName(local)),
	]);
}

function secondsBetween(from: DateTime | undefined, until: DateTime | undefined): number {
	return from && until ? Math.max(0, Math.round(until.diff(from).as('seconds'))) : 0;
}

/** How long the legs rang: the union of their ringing periods (parallel ringing counts once). */
function ringSeconds(legs: OwnedLeg[], clock: MailClock): number {
	const periods = legs.flatMap((leg) => {
		const from = clock.local(leg.ringingFrom)?.toMillis();
		const until = clock.local(leg.ringingUntil)?.toMillis();
		return from !== undefined && until !== undefined ? [[from, until] as const] : [];
	});
	return Math.round(coveredMs(periods) / 1000);
}

const CONTACT_FIELDS: (keyof Contact)[] = [
	'name', 'firstName', 'lastName', 'company', 'title', 'phone', 'mobile', 'url', 'street', 'city',
	'postalCode', 'state', 'country',
];

/**
 * A website a template may link: one with a scheme other than http(s) (`javascript:`, `data:`) is
 * dropped; one without any (`www.example.com`) stays, as a relative link runs nothing.
 */
function linkableUrl(url: string): string {
	const scheme = /^([a-z][a-z\d+.-]*):/i.exec(url)?.[1].toLowerCase();
	return scheme === undefined || scheme === 'http' || scheme === 'https' ? url : '';
}

function contactElement(contact: Contact, linkPrefix: string | null): XmlElement[] {
	const fields = CONTACT_FIELDS.flatMap((field) => {
		const value = cleanLine(contact[field]);
		return optional(field, field === 'url' ? linkableUrl(value) : value);
	});
	// Templates link it as mailto:, so only one plain address gets in: `x@evil.com?bcc=…&body=…`
	// from a CRM would otherwise pre-fill a hidden Bcc and a text when the recipient clicks it.
	const email = sendableAddress(cleanLine(contact.email));
	if (email) fields.push(el('email', email));
	const phoneLinks = (['phone', 'mobile'] as const).flatMap((field) => {
		const number = cleanLine(contact[field]);
		return optional(`${field}Link`, telephonyHref(linkPrefix, { number, e164: null, restricted: false }));
	});
	const note = cleanMultiline(contact.note);
	const address = postalAddressLines({
		street: cleanLine(contact.street),
		postalCode: cleanLine(contact.postalCode),
		city: cleanLine(contact.city),
		state: cleanLine(contact.state),
		country: cleanLine(contact.country),
	});
	const children = [
		...fields,
		...(address.length ? [el('addressLines', address.map((line) => el('line', line)))] : []),
		...optional('note', note),
		// For HTML, which runs lines together: XSLT 1.0 could split the note only by recursion, which
		// xslt-processor makes slower with every level (a note of 300 short lines took 10 s).
		...(note ? [el('noteLines', note.split('\n').map((line) => el('line', line)))] : []),
		...phoneLinks,
		...optional('displayName', contactDisplayName(contact)),
	];
	return children.length ? [el('contact', children)] : [];
}

function legResultText(result: string, strings: Record<string, string>): string {
	return strings[`legResult${result.charAt(0).toUpperCase()}${result.slice(1)}`] ?? result;
}

/** Builds the notification document; every value in it has passed through the text cleaning. */
export function buildNotificationXml(notification: Notification, options: NotificationXmlOptions): string {
	const { language } = options;
	// Checked here too, so that no caller of this module can put `javascript:` into an href.
	const linkPrefix = options.linkPrefix === null ? null : validateCustomPrefix(options.linkPrefix);
	const strings = language.strings;
	const languageDirection = localeDirection(language.locale);
	const { recipient, call } = notification;
	const caller = notification.caller ?? { number: '', e164: null, display: '', name: '', restricted: true };
	const contact = notification.contact ?? null;
	const legs = Array.isArray(notification.legs) ? notification.legs : [];
	const { zone } = mailTimeZone(notification, options.defaultTimeZone);

	const withheldText = strings.withheldNumber ?? '';
	// The caller chose not to show the number; some PBXs send it along with the flag all the same.
	const shown = caller.restricted === true ? { number: '', e164: '', display: '' } : caller;
	// No display form when no filter made one: the number as the PBX sent it, spaced to read if it can be.
	const display = cleanLine(shown.display) || readableNumber(cleanLine(shown.number), notification.country);
	// No number at all. One with nothing to dial (`+1-800-FLOWERS`, a SIP address) is still shown, unlinked.
	const withheld = caller.restricted === true || isWithheld(numberOf(display));
	// A withheld caller without a name is "Unknown"; the withheld note says why there is no number.
	const knownLabel = contactDisplayName(contact) || callerIdName(caller.name) || (withheld ? '' : display);
	const callerLabel = knownLabel || (strings.unknownCaller ?? '');
	const answeredBy = call?.answeredBy ?? null;
	const answeredByUser = notification.answeredByUser ?? null;
	// A line and the number dialled are ours, whatever host a SIP address gives: `sip:200@pbx` is our 200.
	const answeredByLabel = cleanLine(answeredByUser?.name) || readableNumber(numberOf(cleanLine(answeredBy?.line)), notification.country);
	const clock = new MailClock(zone, language.locale);
	const startedAt = clock.local(call?.startedAt);
	const ringDuration = ringSeconds(legs, clock);
	// A call resolved by silence had its still-ringing legs closed when it was given up: how long they
	// rang is not known, and the estimate (up to the silence timeout) must not read as a fact.
	const endUnknown = (leg: OwnedLeg) => leg.stillRinging === true;
	const ringText = (rang: OwnedLeg[], seconds: number) =>
		rang.some(endUnknown) ? (strings.ringDurationUnknown ?? '') : formatDuration(seconds, strings);
	const callRingText = ringText(legs, ringDuration);
	const isMine = (leg: OwnedLeg) => leg.owner != null && leg.owner.id === recipient?.id;
	// How long it rang for the recipient: a forward or a hunt group rang others before or after them.
	const myLegs = legs.filter(isMine);
	const mySeconds = ringSeconds(myLegs, clock);
	const myRingText = myLegs.length ? ringText(myLegs, mySeconds) : null;

	// A line that rang in the call is named by its owner: a voicemail box, a forward's target.
	const ownerOfLine = new Map(legs.map((leg) => [cleanLine(leg.line), cleanLine(leg.owner?.name)]));
	const voicemailLine = cleanLine(call?.voicemail);
	const voicemailOwner = ownerOfLine.get(voicemailLine) ?? '';

	const placeholders: Record<string, string> = {
		caller: callerLabel,
		company: cleanLine(contact?.company),
		number: withheld ? withheldText : display,
		date: startedAt ? formatDate(startedAt, language) : '',
		time: startedAt?.toFormat(language.formats.time) ?? '',
		// As the summary gives it: the recipient's own, else the call's.
		duration: myRingText ?? callRingText,
		answeredBy: answeredByLabel,
		recipient: cleanLine(recipient?.name),
		voicemailLine,
		voicemailOwner,
	};

	// The line that took the call by pickup. A PBX reports no ringing for it, so its leg opens at the
	// answer: "0 s, answered" would read as if it had rung.
	const pickupLine = answeredBy?.pickup === true ? cleanLine(answeredBy.line) : null;

	const legElements = legs.map((leg) => {
		const line = cleanLine(leg.line);
		const result = cleanLine(leg.result);
		const divertedTo = cleanLine(leg.divertedTo);
		// Picked up by its own owner on another device: answered elsewhere, not by a colleague.
		const pickedUpByOwner = result === 'pickedUp' && leg.owner != null && leg.owner.id === answeredByUser?.id;
		const tookByPickup = result === 'answered' && line === pickupLine;
		const seconds = secondsBetween(clock.local(leg.ringingFrom), clock.local(leg.ringingUntil));
		const durationText = endUnknown(leg) ? strings.durationUnknown : tookByPickup && seconds === 0 ? '' : undefined;
		return el('leg', [
			el('line', line),
			...optional('ownerId', cleanLine(leg.owner?.id)),
			...optional('ownerName', cleanLine(leg.owner?.name)),
			el('mine', isMine(leg)),
			timeElement('ringingFrom', leg.ringingFrom, clock, language),
			timeElement('ringingUntil', leg.ringingUntil, clock, language),
			durationElement('duration', seconds, strings, durationText),
			el('result', result),
			el('resultText', legResultText(pickedUpByOwner ? 'answeredElsewhere' : tookByPickup ? 'answeredByPickup' : result, strings)),
			...optional('divertedTo', divertedTo),
			...optional('divertedToDisplay', readableNumber(divertedTo, notification.country)),
			...optional('divertedToName', ownerOfLine.get(divertedTo) ?? ''),
		]);
	});

	const document = el('notification', [
		el('recipient', [
			el('id', cleanLine(recipient?.id)),
			el('name', cleanLine(recipient?.name)),
			el('email', cleanLine(recipient?.email)),
			el('language', language.tag),
			el('timeZone', zone),
			...(myRingText === null ? [] : [durationElement('ringDuration', mySeconds, strings, myRingText)]),
		]),
		el('call', [
			el('callId', cleanLine(call?.callId)),
			el('reason', cleanLine(notification.reason)),
			el('direction', cleanLine(call?.direction)),
			el('outcome', cleanLine(call?.outcome)),
			el('called', cleanLine(call?.called)),
			el('calledDisplay', readableNumber(numberOf(cleanLine(call?.called)), notification.country)),
			timeElement('startedAt', call?.startedAt, clock, language),
			timeElement('resolvedAt', call?.resolvedAt, clock, language),
			durationElement('ringDuration', ringDuration, strings, callRingText),
			...(answeredBy
				? [
						el('answeredBy', [
							el('line', cleanLine(answeredBy.line)),
							...optional('userId', cleanLine(answeredByUser?.id)),
							...optional('userName', cleanLine(answeredByUser?.name)),
							el('label', answeredByLabel),
							el('pickup', answeredBy.pickup === true),
							timeElement('at', answeredBy.at, clock, language),
						]),
					]
				: []),
			...(voicemailLine
				? [el('voicemail', [el('line', voicemailLine), ...optional('ownerName', voicemailOwner)])]
				: []),
			el('incomplete', call?.incomplete === true),
			el('legs', legElements),
		]),
		el('caller', [
			el('number', cleanLine(shown.number)),
			el('e164', cleanLine(shown.e164)),
			el('display', display),
			el('name', callerIdName(caller.name)),
			el('restricted', caller.restricted === true),
			...optional('withheld', withheld ? withheldText : ''),
			el('dial', withheld ? '' : dialString(caller)),
			el('link', telephonyHref(linkPrefix, caller)),
			el('label', callerLabel),
			el('unknown', !knownLabel),
		]),
		...(contact ? contactElement(contact, linkPrefix) : []),
		el('vcardAttached', options.vcardAttached === true),
		el(
			'strings',
			Object.entries(strings).map(([key, text]) => el(key, fill(text, placeholders, languageDirection))),
		),
	]);
	return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(document)}`;
}
