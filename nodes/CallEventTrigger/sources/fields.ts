/** Field checks shared by the webhook sources; every failure names the field, for a 4xx answer. */

export const MAX_ID_LENGTH = 256;
export const MAX_NAME_LENGTH = 512;

export type Fail = (problem: string) => never;

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads own properties only, so keys such as `__proto__` or `constructor` never reach through to
 * Object.prototype. JSON `null` counts as absent (senders write it for "no value").
 */
export function ownValue(source: Record<string, unknown>, key: string): unknown {
	if (!Object.prototype.hasOwnProperty.call(source, key)) return undefined;
	const value = source[key];
	return value === null ? undefined : value;
}

/** A value for an error message: JSON-quoted and shortened, never echoing a huge input. */
export function quote(value: unknown): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? String(value);
	} catch {
		// Thousands of nesting levels overflow the stack: the refusal must still be a 400.
		text = Array.isArray(value) ? '[deeply nested array]' : '{deeply nested object}';
	}
	return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A string field, trimmed; undefined when absent. The only coercion anywhere is the trim. */
export function readText(
	value: unknown,
	name: string,
	maxLength: number,
	fail: Fail,
): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') {
		// A JSON number loses what makes a phone number (a leading 0 or +): only a string is taken.
		fail(Number.isSafeInteger(value) ? `${name} must be a string, in quotes ("${value}", not ${value})` : `${name} must be a string`);
	}
	const text = (value as string).trim();
	if (text.length > maxLength) fail(`${name} is longer than ${maxLength} characters`);
	return text;
}

export function oneOf<T extends string>(
	value: string,
	name: string,
	allowed: readonly T[],
	fail: Fail,
): T {
	if (!(allowed as readonly string[]).includes(value)) {
		fail(`unknown ${name} ${quote(value)} (expected one of ${allowed.join(', ')})`);
	}
	return value as T;
}
