/**
 * docs/events.md is the format PBX integrators write against: its examples and its error table are
 * read from the document and run through the trigger's parser and call assembly, so the document
 * cannot drift from what the trigger does. Expected values come from the document (the record it
 * shows, the prose under each example), not from the code.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';
import { parseWebhookRequest } from '../../../nodes/CallEventTrigger/sources';
import type { TriggerRecord } from '../../../nodes/shared/callModel';
import { inputError } from './events';

const doc = readFileSync(path.resolve(__dirname, '../../../docs/events.md'), 'utf8');
const RECEIVED = Date.UTC(2024, 4, 6, 9, 0, 0);

/** The text from a heading line to the next heading of the same or a higher level. */
function section(heading: string): string {
	const start = doc.indexOf(`\n${heading}\n`);
	if (start < 0) throw new Error(`docs/events.md has no heading "${heading}"`);
	const level = heading.match(/^#+/)![0].length;
	const rest = doc.slice(start + heading.length + 2);
	const next = rest.search(new RegExp(`\\n#{1,${level}} `));
	return next < 0 ? rest : rest.slice(0, next);
}

function jsonBlocks(text: string): unknown[] {
	return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map(([, json]) => JSON.parse(json));
}

function recordsOf(events: unknown): TriggerRecord[] {
	const parsed = parseWebhookRequest('generic', 'application/json', events, RECEIVED);
	return new CallAssembler().pushBatch(parsed, RECEIVED);
}

function onlyCall(events: unknown) {
	const records = recordsOf(events);
	expect(records).toHaveLength(1);
	const [record] = records;
	if (record.kind !== 'call') throw new Error('expected a call record');
	return record;
}

describe('docs/events.md §2, examples', () => {
	it('"A missed call": the events give the record shown (the fields it shows)', () => {
		const [events, record] = jsonBlocks(section('### A missed call (group of two, one rejects)'));
		expect(onlyCall(events)).toMatchObject(record as object);
	});

	it('"An answered call": emitted at the answer; 201 answered elsewhere, w0 answered, both until 08:00:04', () => {
		const [events] = jsonBlocks(section('### An answered call'));
		const call = onlyCall(events);
		expect(call).toMatchObject({
			outcome: 'answered',
			answeredBy: { line: 'w0', at: '2024-05-06T08:00:04.000Z', pickup: false },
		});
		expect(call.legs).toEqual([
			expect.objectContaining({ line: '201', result: 'answeredElsewhere', ringingUntil: '2024-05-06T08:00:04.000Z' }),
			expect.objectContaining({ line: 'w0', result: 'answered', ringingUntil: '2024-05-06T08:00:04.000Z' }),
		]);
	});

	it('"A pickup": 201 picked up, 202 answered elsewhere, 203 answered with a zero-length leg', () => {
		const [events] = jsonBlocks(section('### A pickup'));
		const call = onlyCall(events);
		expect(call.answeredBy).toEqual({ line: '203', at: '2024-05-06T08:00:06.000Z', pickup: true, from: '201' });
		expect(call.legs).toEqual([
			expect.objectContaining({ line: '201', result: 'pickedUp' }),
			expect.objectContaining({ line: '202', result: 'answeredElsewhere' }),
			expect.objectContaining({
				line: '203',
				result: 'answered',
				ringingFrom: '2024-05-06T08:00:06.000Z',
				ringingUntil: '2024-05-06T08:00:06.000Z',
			}),
		]);
	});

	it('"A forward during ringing": missed; 201 diverted to 202 at 08:00:10, 202 not answered until 08:00:30', () => {
		const [events] = jsonBlocks(section('### A forward during ringing'));
		const call = onlyCall(events);
		expect(call.outcome).toBe('missed');
		expect(call.legs).toEqual([
			expect.objectContaining({
				line: '201',
				ringingFrom: '2024-05-06T08:00:01.000Z',
				ringingUntil: '2024-05-06T08:00:10.000Z',
				result: 'diverted',
				divertedTo: '202',
			}),
			expect.objectContaining({
				line: '202',
				ringingFrom: '2024-05-06T08:00:10.000Z',
				ringingUntil: '2024-05-06T08:00:30.000Z',
				result: 'notAnswered',
			}),
		]);
	});
});

/** A valid event, for the table's `…` and `{…}` (events before the faulty one). */
const FILLER = '{"type":"ringing","callId":"c0","line":"201"}';

interface ErrorRow {
	request: string;
	status: number;
	message: string;
}

function errorRows(): ErrorRow[] {
	return section('### Errors')
		.split('\n')
		.filter((line) => /^\| .* \| \d{3} \| `.*` \|$/.test(line))
		.map((line) => {
			const [request, status, message] = line.slice(2, -2).split(' | ');
			return { request, status: Number(status), message: message.slice(1, -1) };
		});
}

/** The request a row describes: JSON in backticks (with `…` for valid events), or its words. */
function requestOf(row: ErrorRow): unknown {
	const json = row.request.match(/^`(.*)`$/);
	if (json) return JSON.parse(json[1].replace(/\{…\}|…/g, FILLER));
	const longLine = row.request.match(/^a `line` of (\d+) characters$/);
	if (longLine) return { type: 'ringing', callId: 'c1', line: 'x'.repeat(Number(longLine[1])) };
	const many = row.request.match(/^(\d+) events$/);
	if (many) return Array.from({ length: Number(many[1]) }, () => JSON.parse(FILLER));
	throw new Error(`docs/events.md: no test knows the request "${row.request}"`);
}

describe('docs/events.md §1, the error table', () => {
	const rows = errorRows();

	it('has the rows this test reads', () => {
		expect(rows.length).toBeGreaterThanOrEqual(10);
	});

	it.each(rows.map((row) => [row.request, row]))('%s → the status and message shown', (_request, row) => {
		const { request, status, message } = row as ErrorRow;
		const answer = inputError(() => parseWebhookRequest('generic', 'application/json', requestOf(row), RECEIVED));
		expect({ request, ...answer }).toEqual({ request, status, message });
	});
});

describe("docs/events.md §1, the trigger's options", () => {
	it('lists every option the node offers, by its name in the editor, with its default', () => {
		const collection = new CallEventTrigger().description.properties.find((property) => property.name === 'options');
		const offered = (collection?.options ?? []).map((option) => {
			const { displayName, default: value } = option as { displayName: string; default: unknown };
			return [displayName, value === true ? 'on' : value === false ? 'off' : String(value)];
		});
		const documented = section("### The trigger's options")
			.split('\n')
			.filter((line) => line.startsWith('| *'))
			.map((line) => {
				const [name, value] = line.slice(2).split(' | ');
				return [name.replace(/^\*|\*$/g, ''), value.replace(/\s/g, '')];
			});
		expect(documented.sort()).toEqual(offered.sort());
	});
});
