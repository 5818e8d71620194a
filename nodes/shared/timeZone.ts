import { IANAZone } from 'luxon';

const MAX_REMEMBERED = 1_000;
const known = new Map<string, boolean>();

/**
 * Whether `name` is an IANA time zone (Europe/Berlin): the one check for the directory, the rules and
 * the mail. Luxon asks Intl anew on every call, which was most of compiling the filter's settings
 * (done in every execution); the answer cannot change while the process runs, so it is remembered
 * (for a bounded number of names, as they come from user input).
 */
export function isTimeZone(name: string): boolean {
	let valid = known.get(name);
	if (valid === undefined) {
		valid = IANAZone.isValidZone(name);
		if (known.size < MAX_REMEMBERED) known.set(name, valid);
	}
	return valid;
}

/** `UTC+2`, `GMT-5`, `+02:00`: an offset where a zone was asked for. */
const FIXED_OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/**
 * Why `name` is no time zone, completing `"…" …` in a message; undefined when it is one. An offset
 * gets a hint: it is wrong half the year where clocks change, and the IANA name of a fixed offset
 * turns its sign around (`Etc/GMT-2` is UTC+2), which nobody guesses.
 */
export function timeZoneProblem(name: string): string | undefined {
	if (isTimeZone(name)) return undefined;
	const problem = 'is not an IANA time zone such as Europe/Berlin';
	const offset = FIXED_OFFSET.exec(name.trim());
	if (!offset) return problem;
	const [, sign, hours, minutes] = offset;
	const wholeHours = minutes === undefined || Number(minutes) === 0;
	const fixed = `Etc/GMT${sign === '+' ? '-' : '+'}${Number(hours)}`;
	let alternative = '';
	if (wholeHours && Number(hours) === 0) alternative = ', or UTC';
	else if (wholeHours && isTimeZone(fixed)) alternative = `, or ${fixed} for this fixed offset (its sign is reversed)`;
	return `${problem}: an offset is wrong half the year where clocks change; give the place's zone${alternative}`;
}
