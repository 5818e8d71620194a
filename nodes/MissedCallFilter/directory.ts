/**
 * The user directory (SPEC §3): who owns which line. Validated and indexed once per execution, so
 * every leg and caller is one map lookup, and a bad entry is reported before any call is decided.
 */
import type { DirectoryUser } from '../shared/notification';
import { ConfigurationError } from '../shared/errors';
import { isDialString, type CompiledNumberingPlan } from '../shared/phoneNumbers';
import { isEmailAddress } from '../shared/emailAddress';
import { timeZoneProblem } from '../shared/timeZone';

export interface Directory {
	readonly users: readonly DirectoryUser[];
	/**
	 * The user owning a line (extension, full number or device id), else the user whose id it is
	 * (SPEC §2.1: an event's `line` may be a user id, as PBXs that report logins per user send) unless
	 * that id reads as a number, or null.
	 */
	ownerOfLine(line: string): DirectoryUser | null;
}

const SETTING = 'directory';

/** A call met an empty directory (see readFilterItem). */
export class EmptyDirectoryError extends Error {
	constructor() {
		super(
			'The directory is empty: nobody can be notified. If it comes from an expression, check that the node before returned users.',
		);
		this.name = 'EmptyDirectoryError';
	}
}

function fail(message: string): never {
	throw new ConfigurationError(SETTING, `Directory: ${message}`);
}

function parseEntries(input: unknown): unknown[] {
	let value = input;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch (error) {
			fail(`not valid JSON (${(error as Error).message})`);
		}
	}
	if (!Array.isArray(value)) fail('must be an array of users, e.g. [{ "id": "anna", "lines": ["201"] }]');
	return value;
}

/**
 * Empty cells of a sheet or database arrive as "" or null: they mean "not set", not "invalid".
 * Returns undefined for those, the string otherwise; numbers are taken as their digits where
 * `numbers` allows (a sheet gives an id or extension such as 201 as a number); anything else is an
 * error.
 */
function optionalString(
	entry: Record<string, unknown>,
	field: string,
	where: string,
	numbers = false,
): string | undefined {
	const value = entry[field];
	if (value === undefined || value === null) return undefined;
	const text = numbers && typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
	if (typeof text !== 'string') fail(`${where}: "${field}" must be a string, got ${JSON.stringify(value)}`);
	return text.trim() === '' ? undefined : text.trim();
}

/** A list of lines, or one cell listing them ("201, +49 89 1234 201"), as sheets and LDAP give them. */
function lineList(value: unknown, where: string): string[] {
	const cells = typeof value === 'string' ? value.split(/[,;\r\n]/) : typeof value === 'number' ? [value] : value;
	const valid = (cell: unknown) => typeof cell === 'string' || (typeof cell === 'number' && Number.isFinite(cell));
	if (!Array.isArray(cells) || !cells.every(valid)) {
		fail(`${where}: "lines" must be a list of lines, e.g. ["201", "+49 89 1234 201"] or "201, +49 89 1234 201"`);
	}
	return cells.map((line) => String(line).trim()).filter((line) => line !== '');
}

// A Map, not an object literal: a cell reading "constructor" must not find Object.prototype's.
const NOTIFY_WORDS = new Map([['true', true], ['yes', true], ['1', true], ['false', false], ['no', false], ['0', false]]);

/** `notify` as JSON, a checkbox (TRUE/FALSE) or a database flag (1/0); empty means not set. */
function notifyFlag(value: unknown, where: string): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (value === undefined || value === null || value === '') return undefined;
	const flag = typeof value === 'object' ? undefined : NOTIFY_WORDS.get(String(value).trim().toLowerCase());
	if (flag === undefined) fail(`${where}: "notify" must be true or false, got ${JSON.stringify(value)}`);
	return flag;
}

/** Entries are counted from 1, as a sheet's rows and a reader count them. */
function entryName(index: number): string {
	return `entry ${index + 1}`;
}

const FIELDS = ['id', 'name', 'email', 'language', 'timeZone', 'lines', 'notify'];

/** A sheet's header as a field name: `ID`, `E-Mail` and `Time Zone` are `id`, `email` and `timeZone`. */
function fieldKey(key: string): string {
	return key.replace(/[\s_-]/g, '').toLowerCase();
}

const FIELD_BY_KEY = new Map(FIELDS.map((field) => [fieldKey(field), field]));

/**
 * Names LDAP and sheets give the fields without which nobody is mailed, silently (`noEmail`,
 * `unownedLine`). They are refused, naming the field to use, not read: an LDAP entry may have
 * several of them, and a silent choice would hide which.
 */
const ALIASES = new Map([
	['uid', 'id'],
	['userid', 'id'],
	['samaccountname', 'id'],
	['mail', 'email'],
	['emailaddress', 'email'],
	['line', 'lines'],
	['extension', 'lines'],
	['telephonenumber', 'lines'],
	['phone', 'lines'],
]);

/** The entry's fields under their documented names; other keys (a sheet's further columns) are left out. */
function entryFields(entry: Record<string, unknown>, entryAt: string): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	const keyOf = new Map<string, string>();
	for (const [key, value] of Object.entries(entry)) {
		const field = FIELD_BY_KEY.get(fieldKey(key));
		if (field === undefined) continue;
		const other = keyOf.get(field);
		if (other !== undefined) fail(`${entryAt} has both "${other}" and "${key}", which are the same field "${field}"; keep one`);
		keyOf.set(field, key);
		fields[field] = value;
	}
	for (const key of Object.keys(entry)) {
		const field = ALIASES.get(fieldKey(key));
		if (field !== undefined && !keyOf.has(field)) {
			fail(
				`${entryAt} has "${key}" but no "${field}": name that field "${field}" ` +
					`(field names: ${FIELDS.join(', ')}; capitals, spaces, - and _ do not matter)`,
			);
		}
	}
	return fields;
}

function validateUser(raw: unknown, index: number): DirectoryUser {
	const entryAt = entryName(index);
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${entryAt} is not an object`);
	const entry = entryFields(raw as Record<string, unknown>, entryAt);
	const id = optionalString(entry, 'id', entryAt, true);
	if (id === undefined) fail(`${entryAt} has no "id"`);
	const where = `${entryAt} (id "${id}")`;

	const user: DirectoryUser = { id };
	const name = optionalString(entry, 'name', where);
	if (name !== undefined) user.name = name;
	const email = optionalString(entry, 'email', where);
	if (email !== undefined) {
		if (!isEmailAddress(email)) fail(`${where}: "email" ${JSON.stringify(email)} is not an e-mail address the composer can send to`);
		user.email = email;
	}
	const language = optionalString(entry, 'language', where);
	if (language !== undefined) user.language = language;
	const timeZone = optionalString(entry, 'timeZone', where);
	if (timeZone !== undefined) {
		const problem = timeZoneProblem(timeZone);
		if (problem) fail(`${where}: "timeZone" ${JSON.stringify(timeZone)} ${problem}`);
		user.timeZone = timeZone;
	}
	if (entry.lines !== undefined && entry.lines !== null) user.lines = lineList(entry.lines, where);
	const notify = notifyFlag(entry.notify, where);
	if (notify !== undefined) user.notify = notify;
	return user;
}

/** `input`: the directory parameter, as a JSON string or already parsed. */
export function compileDirectory(input: unknown, plan: CompiledNumberingPlan): Directory {
	const users = parseEntries(input).map(validateUser);
	const byId = new Map<string, number>();
	const byLine = new Map<string, { user: DirectoryUser; line: string }>();
	users.forEach((user, index) => {
		const first = byId.get(user.id);
		if (first !== undefined) fail(`${entryName(index)}: id "${user.id}" is already used by ${entryName(first)}`);
		byId.set(user.id, index);
		for (const line of user.lines ?? []) {
			const lineKey = plan.key(line);
			if (lineKey === null) fail(`${entryName(index)} (id "${user.id}"): line "${line}" is a withheld-number word`);
			const owner = byLine.get(lineKey);
			if (owner !== undefined && owner.user !== user) {
				fail(
					`${entryName(index)} (id "${user.id}"): line "${line}" is already owned by "${owner.user.id}" ` +
						`(as "${owner.line}"); a line has one owner`,
				);
			}
			byLine.set(lineKey, { user, line });
		}
	});
	return {
		users,
		ownerOfLine(line: string): DirectoryUser | null {
			const lineKey = plan.key(line);
			if (lineKey === null) return null;
			const owner = byLine.get(lineKey);
			if (owner !== undefined) return owner.user;
			// Only an id that cannot be dialled stands for its user: a database's ids 1, 12 … would
			// otherwise own the extensions 1, 12 … that nobody listed.
			const byUserId = isDialString(line) ? undefined : byId.get(line.trim());
			return byUserId === undefined ? null : users[byUserId];
		},
	};
}
