import { ConfigurationError } from './errors';

/** What a number setting must be; `unit` words the message ("a number of minutes"). */
export interface NumberRule {
	/** Taken when the setting was left out. */
	default: number;
	min: number;
	max?: number;
	whole?: boolean;
	unit?: string;
	/** Why the bound exists, when that is not obvious; appended to the message. */
	why?: string;
	/** What the editor calls the setting ("Options → Retention (Days)"); default: its name. */
	label?: string;
}

/**
 * A number setting as given, or the rule's default when it was left out (undefined or null). Anything else out
 * of the rule (text or NaN from an expression, a value outside the bounds) is a ConfigurationError
 * naming the setting and the value: n8n's editor bounds do not hold for expressions, and a NaN
 * would silently switch a limit off.
 */
export function numberSetting(name: string, value: unknown, rule: NumberRule): number {
	if (value === undefined || value === null) return rule.default;
	const { min, max, whole, unit, why, label = name } = rule;
	const inBounds =
		typeof value === 'number' &&
		Number.isFinite(value) &&
		value >= min &&
		(max === undefined || value <= max) &&
		(!whole || Number.isInteger(value));
	if (inBounds) return value;
	const kind = whole ? 'a whole number' : unit ? `a number of ${unit}` : 'a number';
	const bounds = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
	throw new ConfigurationError(name, `${label} is ${shown(value)}; it must be ${kind}, ${bounds}${why ? ` (${why})` : ''}`);
}

/**
 * A choice setting as given; anything else is a ConfigurationError naming it (by `label`, what the
 * editor calls it; default its name) and the choices.
 */
export function choiceSetting<T extends string>(name: string, value: unknown, choices: readonly T[], label = name): T {
	if ((choices as readonly unknown[]).includes(value)) return value as T;
	throw new ConfigurationError(name, `${label} is ${shown(value)}; it must be one of ${choices.join(', ')}`);
}

/**
 * A switch as given, or `whenLeftOut` (default off) when it was left out. An expression gives text:
 * "true" and "false" (any case) and 1 and 0 read as n8n reads them for its own switches; anything
 * else is a ConfigurationError naming it. Taken as it is, "false" would switch it on.
 */
export function booleanSetting(name: string, value: unknown, label = name, whenLeftOut = false): boolean {
	if (value === undefined || value === null) return whenLeftOut;
	if (typeof value === 'boolean') return value;
	const text = String(value).trim().toLowerCase();
	if (text === 'true' || text === '1') return true;
	if (text === 'false' || text === '0') return false;
	throw new ConfigurationError(name, `${label} is ${shown(value)}; it must be true or false`);
}

function shown(value: unknown): string {
	return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}
