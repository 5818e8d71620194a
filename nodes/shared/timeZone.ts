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
