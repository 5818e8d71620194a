/**
 * The user directory (SPEC §3): who owns which line. Validated and indexed once per execution, so
 * every leg and caller is one map lookup, and a bad entry is reported before any call is decided.
 */
import type { DirectoryUser } from '../shared/notification';
import { ConfigurationError, type CompiledNumberingPlan } from '../shared/phoneNumbers';
import { isTimeZone } from '../shared/timeZone';

export interface Directory {
	readonly users: readonly DirectoryUser[];
	/** The user owning a line (extension, full number or device id), or null. */
	ownerOfLine(line: string): DirectoryUser | null;
}

const SETTING = 'directory';
// Deliberately loose: the mail server is the judge; this only catches typos and header injection.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

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
 * Returns undefined for those, the string otherwise; anything else is an error.
 */
function optionalString(entry: Record<string, unknown>, field: string, where: string): string | undefined {
	const value = entry[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') fail(`${where}: "${field}" must be a string, got ${JSON.stringify(value)}`);
	const text = value.trim();
	return text === '' ? undefined : text;
}

function validateUser(raw: unknown, index: number): DirectoryUser {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`entry ${index} is not an object`);
	const entry = raw as Record<string, unknown>;
	const id = optionalString(entry, 'id', `entry ${index}`);
	if (id === undefined) fail(`entry ${index} has no "id"`);
	const where = `entry ${index} (id "${id}")`;

	const user: DirectoryUser = { id };
	const name = optionalString(entry, 'name', where);
	if (name !== undefined) user.name = name;
	const email = optionalString(entry, 'email', where);
	if (email !== undefined) {
		if (!EMAIL.test(email)) fail(`${where}: "email" ${JSON.stringify(email)} is not an e-mail address`);
		user.email = email;
	}
	const language = optionalString(entry, 'language', where);
	if (language !== undefined) user.language = language;
	const timeZone = optionalString(entry, 'timeZone', where);
	if (timeZone !== undefined) {
		if (!isTimeZone(timeZone)) {
			fail(`${where}: "timeZone" ${JSON.stringify(timeZone)} is not an IANA time zone such as Europe/Berlin`);
		}
		user.timeZone = timeZone;
	}
	const lines = entry.lines;
	if (lines !== undefined && lines !== null) {
		if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) {
			fail(`${where}: "lines" must be an array of strings, e.g. ["201", "+49 89 1234 201"]`);
		}
		user.lines = lines.map((line) => line.trim()).filter((line) => line !== '');
	}
	const notify = entry.notify;
	if (notify !== undefined && notify !== null) {
		if (typeof notify !== 'boolean') {
			fail(`${where}: "notify" must be true or false, got ${JSON.stringify(notify)}`);
		}
		user.notify = notify;
	}
	return user;
}

/** `input`: the directory parameter, as a JSON string or already parsed. */
export function compileDirectory(input: unknown, plan: CompiledNumberingPlan): Directory {
	const users = parseEntries(input).map(validateUser);
	const byId = new Map<string, number>();
	const byLine = new Map<string, { user: DirectoryUser; line: string }>();
	users.forEach((user, index) => {
		const first = byId.get(user.id);
		if (first !== undefined) fail(`entry ${index}: id "${user.id}" is already used by entry ${first}`);
		byId.set(user.id, index);
		for (const line of user.lines ?? []) {
			const lineKey = plan.key(line);
			if (lineKey === null) fail(`entry ${index} (id "${user.id}"): line "${line}" is a withheld-number word`);
			const owner = byLine.get(lineKey);
			if (owner !== undefined && owner.user !== user) {
				fail(
					`entry ${index} (id "${user.id}"): line "${line}" is already owned by "${owner.user.id}" ` +
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
			return lineKey === null ? null : (byLine.get(lineKey)?.user ?? null);
		},
	};
}
