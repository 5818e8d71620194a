/**
 * The filter's input items, checked before any rule sees them: records usually come from the Call
 * Event Trigger, but anyone can feed hand-made JSON, and a bad field must be named, not crash a rule.
 */
import type {
	AnsweredBy,
	CallDirection,
	CallLeg,
	CallOutcome,
	CallRecord,
	LegResult,
	PresenceRecord,
	TriggerRecord,
} from '../shared/callModel';
import { implausibleTime, readIsoInstant } from '../shared/instant';
import type { Contact } from '../shared/notification';

/** An input item that is not a call or presence record; `field` is the path of the bad field. */
export class InvalidRecordError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'InvalidRecordError';
	}
}

const DIRECTIONS: readonly CallDirection[] = ['inbound', 'internal', 'outbound'];
const OUTCOMES: readonly CallOutcome[] = ['answered', 'missed'];
const LEG_RESULTS: readonly LegResult[] = [
	'answered',
	'notAnswered',
	'busy',
	'rejected',
	'diverted',
	'answeredElsewhere',
	'pickedUp',
];

/** Reads fields of one object, naming them by their path in error messages. */
class Reader {
	constructor(
		private readonly value: Record<string, unknown>,
		private readonly path: string,
	) {}

	static of(value: unknown, path: string): Reader {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			throw new InvalidRecordError(path, `${path || 'The item'} must be an object`);
		}
		return new Reader(value as Record<string, unknown>, path);
	}

	private fail(field: string, expected: string): never {
		const at = this.path ? `${this.path}.${field}` : field;
		throw new InvalidRecordError(at, `"${at}" must be ${expected}, got ${JSON.stringify(this.value[field])}`);
	}

	has(field: string): boolean {
		return this.value[field] !== undefined && this.value[field] !== null;
	}

	string(field: string, fallback?: string): string {
		const value = this.value[field];
		if (typeof value === 'string' && (value !== '' || fallback !== undefined)) return value;
		if (!this.has(field) && fallback !== undefined) return fallback;
		return this.fail(field, fallback === undefined ? 'a non-empty string' : 'a string');
	}

	boolean(field: string, fallback: boolean): boolean {
		const value = this.value[field];
		if (typeof value === 'boolean') return value;
		return this.has(field) ? this.fail(field, 'true or false') : fallback;
	}

	/**
	 * Read as the trigger reads its events' times (a time without offset would be n8n's zone here and
	 * UTC in the mail), and passed on in the trigger's form, UTC, so that every later step reads it alike.
	 */
	time(field: string): string {
		const value = this.value[field];
		const reading = typeof value === 'string' ? readIsoInstant(value) : undefined;
		if (!reading || !('millis' in reading)) return this.fail(field, 'an ISO 8601 time with a UTC offset (Z or +02:00)');
		// As the trigger bounds its events' times: a call dated years ahead would hold back the repeat rules.
		const problem = implausibleTime(reading.millis, Date.now(), "ahead of n8n's clock");
		if (problem) {
			const at = this.path ? `${this.path}.${field}` : field;
			throw new InvalidRecordError(at, `"${at}" ${JSON.stringify(value)} ${problem}`);
		}
		return new Date(reading.millis).toISOString();
	}

	oneOf<T extends string>(field: string, allowed: readonly T[]): T {
		const value = this.value[field];
		if (allowed.includes(value as T)) return value as T;
		return this.fail(field, `one of ${allowed.join(', ')}`);
	}

	object(field: string): Reader {
		return Reader.of(this.value[field], this.path ? `${this.path}.${field}` : field);
	}

	array(field: string): unknown[] {
		const value = this.value[field];
		return Array.isArray(value) ? value : this.fail(field, 'an array');
	}
}

function readLeg(value: unknown, index: number): CallLeg {
	const leg = Reader.of(value, `legs[${index}]`);
	const ringingFrom = leg.time('ringingFrom');
	const ringingUntil = leg.time('ringingUntil');
	if (Date.parse(ringingUntil) < Date.parse(ringingFrom)) {
		const field = `legs[${index}].ringingUntil`;
		throw new InvalidRecordError(field, `"${field}" is before its ringingFrom`);
	}
	return {
		line: leg.string('line'),
		ringingFrom,
		ringingUntil,
		result: leg.oneOf('result', LEG_RESULTS),
		...(leg.has('divertedTo') ? { divertedTo: leg.string('divertedTo') } : {}),
		...(leg.boolean('stillRinging', false) ? { stillRinging: true as const } : {}),
	};
}

function readAnsweredBy(record: Reader): AnsweredBy | null {
	if (!record.has('answeredBy')) return null;
	const answeredBy = record.object('answeredBy');
	return {
		line: answeredBy.string('line'),
		at: answeredBy.time('at'),
		pickup: answeredBy.boolean('pickup', false),
		...(answeredBy.has('from') ? { from: answeredBy.string('from') } : {}),
	};
}

function readCall(record: Reader): CallRecord {
	const caller = record.object('caller');
	return {
		kind: 'call',
		callId: record.string('callId'),
		direction: record.oneOf('direction', DIRECTIONS),
		caller: {
			number: caller.string('number', ''),
			name: caller.string('name', ''),
			restricted: caller.boolean('restricted', false),
		},
		called: record.string('called', ''),
		startedAt: record.time('startedAt'),
		resolvedAt: record.time('resolvedAt'),
		outcome: record.oneOf('outcome', OUTCOMES),
		answeredBy: readAnsweredBy(record),
		voicemail: record.has('voicemail') ? record.string('voicemail') : null,
		incomplete: record.boolean('incomplete', false),
		legs: record.array('legs').map(readLeg),
	};
}

function readPresence(record: Reader): PresenceRecord {
	return {
		kind: 'presence',
		type: record.oneOf('type', ['login', 'logout'] as const),
		line: record.string('line'),
		at: record.time('at'),
	};
}

/** A call or presence record as the Call Event Trigger emits it; defaults fill optional fields. */
export function readTriggerRecord(value: unknown): TriggerRecord {
	const record = Reader.of(value, '');
	return record.oneOf('kind', ['call', 'presence'] as const) === 'call' ? readCall(record) : readPresence(record);
}

const CONTACT_FIELDS = [
	'name',
	'firstName',
	'lastName',
	'company',
	'title',
	'email',
	'phone',
	'mobile',
	'url',
	'street',
	'city',
	'postalCode',
	'state',
	'country',
	'note',
] as const satisfies readonly (keyof Contact)[];

/**
 * The caller's contact from the item (missing = none). CRM nodes return more fields and numbers for
 * postal codes: only the known fields are kept, numbers as text.
 */
export function readContact(value: unknown, field: string): Contact | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new InvalidRecordError(field, `"${field}" must be an object with the caller's contact data`);
	}
	const source = value as Record<string, unknown>;
	const contact: Contact = {};
	for (const name of CONTACT_FIELDS) {
		const text = source[name];
		if (typeof text === 'string' || typeof text === 'number') contact[name] = String(text);
	}
	return contact;
}
