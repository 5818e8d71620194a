import { DateTime } from 'luxon';

/**
 * A date and time of day followed by `Z` or a numeric offset; anything else is local time of an
 * unknown zone: ambiguous.
 */
const HAS_OFFSET = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const ZONE_SUFFIX = /\[[^\]]*\]$/;
/** `2024-05-06T08:00:01.000Z`: UTC with whole or milli-seconds, which Date.parse reads exactly. */
const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** RFC 3339 allows a space between date and time (`2026-03-29 10:00:00+02:00`); luxon wants a `T`. */
const SPACE_SEPARATOR = /^(\d{4}-\d{2}-\d{2}) (?=\d)/;
/** The offsets clocks use run from −12:00 to +14:00; `+25:00` is a typing error, not a place. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Reads an ISO 8601 / RFC 3339 time with a UTC offset: the one reading of a time string for the
 * trigger's events and the filter's records, so both read a time alike. Undefined for text that is
 * no ISO 8601 time at all; `problem` completes "time "…" …" in a message for one that is ambiguous.
 */
export function readIsoInstant(value: string): { millis: number } | { problem: string } | undefined {
	// The form the trigger writes (and most senders): read by V8 at a twentieth of luxon's cost. V8
	// rolls 29 February 2023 over into March, so only a date that reads back the same is taken here.
	if (PLAIN_UTC.test(value)) {
		const millis = Date.parse(value);
		if (!Number.isNaN(millis) && new Date(millis).toISOString().slice(0, 19) === value.slice(0, 19)) return { millis };
	}
	const text = value.trim().replace(SPACE_SEPARATOR, '$1T');
	const parsed = DateTime.fromISO(text, { setZone: true });
	if (!parsed.isValid) return undefined;
	// RFC 9557 (Java's ZonedDateTime) names the zone after the offset: `…+01:00[Europe/Berlin]`.
	if (!HAS_OFFSET.test(text.replace(ZONE_SUFFIX, ''))) return { problem: 'has no UTC offset; add Z or an offset such as +02:00' };
	if (Math.abs(parsed.offset) > MAX_OFFSET_MINUTES) {
		return { problem: 'has an offset beyond ±14:00, which no clock uses' };
	}
	return { millis: parsed.toMillis() };
}

/** No PBX reports a call from before 2000: such a time is a zero, a unit or a clock gone wrong. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
/**
 * How far a time may lie after `reference` (its receipt, or n8n's clock). A PBX clock set to the
 * wrong zone is hours ahead; a call dated a year ahead would stay "newer" than every login until
 * then and hold back the repeat rule "while not logged in".
 */
const MAX_AHEAD_MS = 24 * 3_600_000;

/**
 * Why an event time cannot be right, completing "time "…" …" in a message; undefined when it can.
 * `relation` says what `reference` is to the time ("after its receipt").
 */
export function implausibleTime(time: number, reference: number, relation: string): string | undefined {
	if (time < EARLIEST_MS) return 'is before 2000; is it a zero or in another unit?';
	if (time <= reference + MAX_AHEAD_MS) return undefined;
	const hours = (time - reference) / 3_600_000;
	const ahead = hours < 48 ? `${Math.floor(hours)} hours` : `${Math.floor(hours / 24)} days`;
	return `is more than ${ahead} ${relation}; are the PBX's clock and time zone right?`;
}
