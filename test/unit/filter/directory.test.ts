import { compileDirectory } from '../../../nodes/MissedCallFilter/directory';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { compileNumberingPlan } from '../../../nodes/shared/phoneNumbers';

const plan = compileNumberingPlan({ country: 'DE', baseNumber: '+49891234' });

describe('compileDirectory', () => {
	const directory = compileDirectory(
		JSON.stringify([
			{ id: 'anna', name: 'Anna Berg', email: 'anna@example.com', lines: ['201', '+49 89 1234 201', 'w0'] },
			{ id: 'ben', lines: ['0891234202'] },
		]),
		plan,
	);

	it('finds the owner of a line in any spelling', () => {
		for (const line of ['201', '0891234201', '+49891234201', 'w0', 'W0']) {
			expect(directory.ownerOfLine(line)?.id).toBe('anna');
		}
		expect(directory.ownerOfLine('202')?.id).toBe('ben');
	});

	it('has no owner for unknown lines and withheld numbers', () => {
		expect(directory.ownerOfLine('299')).toBeNull();
		expect(directory.ownerOfLine('anonymous')).toBeNull();
	});

	it('accepts an already parsed array and treats empty cells as not set', () => {
		const fromSheet = compileDirectory(
			[{ id: 'anna', name: '', email: '', timeZone: '', language: null, lines: ['201', ''], notify: null }],
			plan,
		);
		expect(fromSheet.users).toEqual([{ id: 'anna', lines: ['201'] }]);
	});

	it('takes a directory in the shapes a sheet, a database or LDAP give it', () => {
		const fromSheet = compileDirectory(
			[
				{ id: 7, lines: '201, +49 89 1234 201; w0', notify: 'FALSE' },
				{ id: 'ben', lines: [202, '203'], notify: 1 },
				{ id: 'cleo', lines: '204\n205', notify: 'yes' },
				{ id: 'dora', lines: 206, notify: '' },
			],
			plan,
		);
		expect(fromSheet.users).toEqual([
			{ id: '7', lines: ['201', '+49 89 1234 201', 'w0'], notify: false },
			{ id: 'ben', lines: ['202', '203'], notify: true },
			{ id: 'cleo', lines: ['204', '205'], notify: true },
			{ id: 'dora', lines: ['206'] },
		]);
		expect(fromSheet.ownerOfLine('+49891234202')?.id).toBe('ben');
	});

	it('takes a user id where a line is expected, a line of that spelling first', () => {
		const byId = compileDirectory([{ id: 'anna', lines: ['201'] }, { id: '201' }, { id: 'ben' }], plan);
		expect(byId.ownerOfLine('ben')?.id).toBe('ben');
		expect(byId.ownerOfLine('201')?.id).toBe('anna');
		expect(byId.ownerOfLine('carla')).toBeNull();
	});

	it('takes no id that reads as a number for a line: a database\'s ids 1, 12 are no extensions', () => {
		const fromDatabase = compileDirectory([{ id: 1, lines: 10 }, { id: 12, lines: 11 }, { id: '+49 89 1234 299' }], plan);
		for (const line of ['1', '12', ' 12 ', '+49 89 1234 299']) expect(fromDatabase.ownerOfLine(line)).toBeNull();
		expect(fromDatabase.ownerOfLine('11')?.id).toBe('12');
	});

	it('reads a sheet\'s headers as the fields they name, whatever their case, spaces, - and _', () => {
		const fromSheet = compileDirectory(
			[{ ID: 7, Name: 'Anna Berg', 'E-Mail': 'anna@example.com', Language: 'de', 'Time Zone': 'Europe/Berlin', LINES: '201', Notify: 'yes', Department: 'Sales' }],
			plan,
		);
		expect(fromSheet.users).toEqual([
			{ id: '7', name: 'Anna Berg', email: 'anna@example.com', language: 'de', timeZone: 'Europe/Berlin', lines: ['201'], notify: true },
		]);
	});

	it('keeps every valid field', () => {
		const user = {
			id: 'anna',
			name: 'Anna Berg',
			email: 'anna@example.com',
			language: 'de-AT',
			timeZone: 'Europe/Vienna',
			lines: ['201'],
			notify: false,
		};
		expect(compileDirectory([user], plan).users).toEqual([user]);
	});
});

describe('directory errors', () => {
	it.each([
		['not JSON', '[{"id": "anna"', /^Directory: not valid JSON/],
		['not an array', '{"id": "anna"}', /^Directory: must be an array of users/],
		['an entry that is not an object', '["anna"]', /^Directory: entry 1 is not an object$/],
		['a missing id', [{ id: 'anna' }, { name: 'Ben' }], /^Directory: entry 2 has no "id"$/],
		// LDAP's and sheets' names for the fields without which nobody is mailed; a silent noEmail otherwise.
		[
			'LDAP\'s "mail" for "email"',
			[{ id: 'anna', mail: 'anna@example.com', lines: '201' }],
			'Directory: entry 1 has "mail" but no "email": name that field "email" (field names: id, name, email, language, timeZone, lines, notify; capitals, spaces, - and _ do not matter)',
		],
		['LDAP\'s "uid" for "id"', [{ uid: 'anna' }], /^Directory: entry 1 has "uid" but no "id": name that field "id"/],
		['a sheet\'s "Extension" for "lines"', [{ id: 'anna', Extension: 201 }], /^Directory: entry 1 has "Extension" but no "lines": name that field "lines"/],
		['one field under two names', [{ id: 'anna', email: 'a@example.com', Email: 'b@example.com' }], /^Directory: entry 1 has both "email" and "Email", which are the same field "email"; keep one$/],
		['an id that is neither string nor number', [{ id: { uid: 7 } }], /^Directory: entry 1: "id" must be a string, got \{"uid":7\}$/],
		['a duplicate id', [{ id: 'anna' }, { id: 'ben' }, { id: 'anna' }], /entry 3: id "anna" is already used by entry 1/],
		['an e-mail that is no address', [{ id: 'anna', email: 'anna at example' }], /entry 1 \(id "anna"\): "email" "anna at example"/],
		// The composer sends only to plain addresses with a domain; the directory is checked the same way.
		['an e-mail without a domain', [{ id: 'anna', email: 'anna@localhost' }], /entry 1 \(id "anna"\): "email" "anna@localhost" is not an e-mail address the composer can send to/],
		['an e-mail with a non-ASCII local part', [{ id: 'jo', email: 'jürgen@example.de' }], /entry 1 \(id "jo"\): "email" "jürgen@example.de"/],
		['an e-mail that is no string', [{ id: 'anna', email: 42 }], /entry 1 \(id "anna"\): "email" must be a string, got 42/],
		['lines that are no list', [{ id: 'anna', lines: { work: '201' } }], /entry 1 \(id "anna"\): "lines" must be a list of lines/],
		['a line that is an object', [{ id: 'anna', lines: ['201', { n: 202 }] }], /entry 1 \(id "anna"\): "lines" must be a list of lines/],
		['a bad time zone', [{ id: 'anna', timeZone: 'Europe/Munich' }], /entry 1 \(id "anna"\): "timeZone" "Europe\/Munich" is not an IANA time zone/],
		// Etc/GMT-2 is UTC+2: nobody guesses the reversed sign, so the message gives it.
		[
			'a fixed offset for a time zone',
			[{ id: 'anna', timeZone: 'UTC+2' }],
			'Directory: entry 1 (id "anna"): "timeZone" "UTC+2" is not an IANA time zone such as Europe/Berlin: an offset is wrong half the year where clocks change; give the place\'s zone, or Etc/GMT-2 for this fixed offset (its sign is reversed)',
		],
		[
			'a negative offset',
			[{ id: 'dan', timeZone: 'GMT-5' }],
			'Directory: entry 1 (id "dan"): "timeZone" "GMT-5" is not an IANA time zone such as Europe/Berlin: an offset is wrong half the year where clocks change; give the place\'s zone, or Etc/GMT+5 for this fixed offset (its sign is reversed)',
		],
		[
			'a zero offset',
			[{ id: 'lars', timeZone: '+00:00' }],
			'Directory: entry 1 (id "lars"): "timeZone" "+00:00" is not an IANA time zone such as Europe/Berlin: an offset is wrong half the year where clocks change; give the place\'s zone, or UTC',
		],
		// No Etc/ zone has half hours.
		[
			'an offset of hours and minutes',
			[{ id: 'ravi', timeZone: '+05:30' }],
			'Directory: entry 1 (id "ravi"): "timeZone" "+05:30" is not an IANA time zone such as Europe/Berlin: an offset is wrong half the year where clocks change; give the place\'s zone',
		],
		['notify that is not a flag', [{ id: 'anna', notify: 'maybe' }], /entry 1 \(id "anna"\): "notify" must be true or false, got "maybe"/],
		['notify that is a list', [{ id: 'anna', notify: [1] }], /entry 1 \(id "anna"\): "notify" must be true or false, got \[1\]/],
		['notify that names an object property', [{ id: 'anna', notify: 'constructor' }], /entry 1 \(id "anna"\): "notify" must be true or false, got "constructor"/],
		[
			'a line owned by two users (in different spellings)',
			[{ id: 'anna', lines: ['201'] }, { id: 'ben', lines: ['+49 89 1234 201'] }],
			/entry 2 \(id "ben"\): line "\+49 89 1234 201" is already owned by "anna" \(as "201"\)/,
		],
	])('reports %s', (_case, input, message) => {
		expect(() => compileDirectory(input, plan)).toThrow(message);
		expect(() => compileDirectory(input, plan)).toThrow(ConfigurationError);
	});
});
