/**
 * Section `ami` (Call Event Trigger): the Asterisk source's hot path, AMI bytes → AmiParser →
 * AmiCallMapper → CallAssembler, in events per second on one core. Baseline, same run, same events:
 * JSON.parse of each event serialised as one JSON line.
 *
 * The events are real captures: ../shared/fixtures/ami/*.raw, from the public repository
 * sweeney/asterisk-mqtt (testdata/fixtures, commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT
 * licence). A round is one copy of each capture, interleaved message by message (four calls in
 * flight, as on a busy PBX); every copy gets fresh Uniqueid/Linkedid values and channel names, so
 * each copy is a new call. Rounds repeat until TARGET_EVENTS events are processed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { AmiCallMapper } from '../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import { AmiParser } from '../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import { CallAssembler } from '../../nodes/CallEventTrigger/assembly/CallAssembler';
import type { CallOutcome, TriggerRecord } from '../../nodes/shared/callModel';
import {
	Checks,
	count,
	heapUsedAfterGc,
	megabytes,
	printTable,
	rateHeader,
	rateRow,
	Stopwatch,
} from './measure';

const FIXTURES_DIR = path.resolve(__dirname, '../../../shared/fixtures/ami');
const CAPTURES = ['unanswered-huntgroup', 'unanswered-cancel', 'answered-internal', 'answered-outbound'];
const TARGET_EVENTS = 1_000_000;
/** What a TCP socket typically hands over at once. */
const CHUNK_BYTES = 4096;
/** The captures carry no Timestamp: the receive clock advances this much per event. */
const EVENT_SPACING_MS = 20;
/** Fresh Uniqueids look like Asterisk's own (`<epoch>.<sequence>`), one epoch second per copy. */
const FIRST_EPOCH = 1_800_000_000;

type Field = [key: string, value: string];
type Message = Field[];

/** Values that name the call, its channels and legs: rewritten per copy. */
const UNIQUEID_KEYS = ['Uniqueid', 'Linkedid', 'DestUniqueid', 'DestLinkedid'];
const CHANNEL_KEYS = ['Channel', 'DestChannel'];
const ID_KEYS = [...UNIQUEID_KEYS, ...CHANNEL_KEYS].join('|');
const AMI_ID_FIELD = new RegExp(`^(${ID_KEYS}): (.*)$`, 'gm');
const JSON_ID_FIELD = new RegExp(`"(${ID_KEYS})":"([^"]*)"`, 'g');
/** `PJSIP/11-00000020`: the endpoint is the line and stays; the hex sequence makes it unique. */
const CHANNEL_SEQUENCE = /-[0-9a-f]+$/;

interface Capture {
	name: string;
	/** Each message as AMI text (ending in its blank line) and as one JSON line. */
	ami: string[];
	json: string[];
	linkedid: string;
	/** Whether one copy yields a call record, and which; read off the capture, not the code. */
	outcome: CallOutcome | null;
}

/** Blocks and `Key: Value` lines, split independently of the AmiParser under test. */
function splitCapture(text: string): Message[] {
	return text
		.split('\n\n')
		.filter((block) => block !== '')
		.map((block) =>
			block.split('\n').map((line): Field => {
				const colon = line.indexOf(': ');
				return [line.slice(0, colon), line.slice(colon + 2)];
			}),
		);
}

function toAmiText(messages: Message[]): string {
	return messages.map((message) => `${message.map(([key, value]) => `${key}: ${value}\n`).join('')}\n`).join('');
}

function field(message: Message, key: string): string | undefined {
	return message.find(([name]) => name === key)?.[1];
}

/** SPEC §2.2: a call is a Linkedid that dialled someone; answered when a DialEnd says ANSWER. */
function expectedOutcome(messages: Message[]): CallOutcome | null {
	if (!messages.some((message) => field(message, 'Event') === 'DialBegin')) return null;
	const answered = messages.some(
		(message) => field(message, 'Event') === 'DialEnd' && field(message, 'DialStatus') === 'ANSWER',
	);
	return answered ? 'answered' : 'missed';
}

function loadCapture(name: string, checks: Checks): Capture {
	const text = readFileSync(path.join(FIXTURES_DIR, `${name}.raw`), 'utf8');
	const messages = splitCapture(text);
	checks.verify(toAmiText(messages) === text, `${name}.raw does not split into Key: Value messages losslessly`);
	return {
		name,
		ami: messages.map((message) => toAmiText([message])),
		json: messages.map((message) => JSON.stringify(Object.fromEntries(message))),
		linkedid: field(messages[0], 'Linkedid') ?? '',
		outcome: expectedOutcome(messages),
	};
}

/** Hands out ids no earlier copy used; one renaming per copy, so AMI text and JSON agree. */
class FreshIds {
	private copies = 0;
	private channels = 0;

	forCopy(): (key: string, value: string) => string {
		const epoch = FIRST_EPOCH + this.copies++;
		const renamed = new Map<string, string>();
		let uniqueids = 0;
		return (key, value) => {
			let id = renamed.get(value);
			if (id === undefined) {
				id = UNIQUEID_KEYS.includes(key)
					? `${epoch}.${uniqueids++}`
					: value.replace(CHANNEL_SEQUENCE, `-${(this.channels++).toString(16).padStart(8, '0')}`);
				renamed.set(value, id);
			}
			return id;
		};
	}
}

/** Round-robin by message: each call keeps its own order, the calls overlap. */
function interleave(copies: string[][]): string[] {
	const longest = Math.max(...copies.map((copy) => copy.length));
	const merged: string[] = [];
	for (let index = 0; index < longest; index++) {
		for (const copy of copies) if (index < copy.length) merged.push(copy[index]);
	}
	return merged;
}

interface Round {
	ami: Buffer;
	json: Buffer;
	events: number;
	/** callId → expected outcome, for the copies that yield a record. */
	calls: Map<string, CallOutcome>;
}

function makeRound(captures: Capture[], ids: FreshIds): Round {
	const calls = new Map<string, CallOutcome>();
	const copies = captures.map((capture) => {
		const fresh = ids.forCopy();
		if (capture.outcome !== null) calls.set(fresh('Linkedid', capture.linkedid), capture.outcome);
		return {
			ami: capture.ami.map((text) => text.replace(AMI_ID_FIELD, (_, key, value) => `${key}: ${fresh(key, value)}`)),
			json: capture.json.map((line) => line.replace(JSON_ID_FIELD, (_, key, value) => `"${key}":"${fresh(key, value)}"`)),
		};
	});
	const ami = interleave(copies.map((copy) => copy.ami));
	return {
		ami: Buffer.from(ami.join('')),
		json: Buffer.from(interleave(copies.map((copy) => copy.json)).join('\n')),
		events: ami.length,
		calls,
	};
}

/** The Asterisk trigger's pipeline as amiCallSource.ts wires it, with the defaults. */
class Pipeline {
	readonly parser = new AmiParser();
	readonly mapper = new AmiCallMapper();
	readonly assembler = new CallAssembler();
	private clock = Date.UTC(2025, 2, 4, 8);

	feed(bytes: Buffer): { events: number; records: TriggerRecord[] } {
		const records: TriggerRecord[] = [];
		let events = 0;
		for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
			for (const message of this.parser.push(bytes.subarray(offset, offset + CHUNK_BYTES))) {
				events++;
				this.clock += EVENT_SPACING_MS;
				for (const event of this.mapper.map(message, this.clock)) {
					records.push(...this.assembler.push(event, this.clock));
				}
			}
		}
		return { events, records };
	}
}

/** The baseline: bytes of JSON lines in, one object per event out. */
function parseJsonLines(bytes: Buffer): number {
	let events = 0;
	for (const line of bytes.toString('utf8').split('\n')) {
		if ((JSON.parse(line) as { Event?: string }).Event !== undefined) events++;
	}
	return events;
}

/** Records that differ from the round's expected calls (missing, extra, duplicate, wrong outcome). */
function unexpectedRecords(records: TriggerRecord[], calls: Map<string, CallOutcome>): number {
	const seen = new Set<string>();
	let wrong = 0;
	for (const record of records) {
		const ok =
			record.kind === 'call' &&
			!seen.has(record.callId) &&
			calls.get(record.callId) === record.outcome &&
			!record.incomplete;
		if (record.kind === 'call') seen.add(record.callId);
		if (!ok) wrong++;
	}
	const missing = [...calls.keys()].filter((callId) => !seen.has(callId)).length;
	return wrong + missing;
}

export async function benchAmi(checks: Checks): Promise<void> {
	const captures = CAPTURES.map((name) => loadCapture(name, checks));
	const eventsPerRound = captures.reduce((sum, capture) => sum + capture.ami.length, 0);
	const rounds = Math.ceil(TARGET_EVENTS / eventsPerRound);
	const ids = new FreshIds();

	const heapBefore = heapUsedAfterGc();
	const pipeline = new Pipeline();
	const pipelineTime = new Stopwatch();
	const baselineTime = new Stopwatch();
	const totals = { generated: 0, events: 0, jsonEvents: 0, amiBytes: 0, jsonBytes: 0, wrongRecords: 0 };
	const resolved = { answered: 0, missed: 0 };
	const expected = { answered: 0, missed: 0 };
	let heapHalfway = 0;
	for (let round = 0; round < rounds; round++) {
		// Flat memory under sustained load (SPEC §2.3) shows as the same heap half-way and at the end.
		if (round === Math.floor(rounds / 2)) heapHalfway = heapUsedAfterGc();
		const { ami, json, events, calls } = makeRound(captures, ids);
		const fed = pipelineTime.time(() => pipeline.feed(ami));
		totals.jsonEvents += baselineTime.time(() => parseJsonLines(json));
		totals.generated += events;
		totals.events += fed.events;
		totals.amiBytes += ami.length;
		totals.jsonBytes += json.length;
		totals.wrongRecords += unexpectedRecords(fed.records, calls);
		for (const record of fed.records) if (record.kind === 'call') resolved[record.outcome]++;
		for (const outcome of calls.values()) expected[outcome]++;
	}
	const heapAfter = heapUsedAfterGc();
	const stats = pipeline.assembler.stats();
	const trackedCalls = pipeline.mapper.trackedCalls;

	checks.verify(
		totals.events === totals.generated && totals.jsonEvents === totals.generated,
		`${totals.generated} events generated; the parser returned ${totals.events}, the baseline ${totals.jsonEvents}`,
	);
	checks.verify(
		resolved.answered === expected.answered && resolved.missed === expected.missed,
		`calls resolved: ${resolved.answered} answered + ${resolved.missed} missed, ` +
			`expected ${expected.answered} + ${expected.missed}`,
	);
	checks.verify(totals.wrongRecords === 0, `${totals.wrongRecords} records missing, duplicated or wrong`);

	printTable(
		`ami: ${count(totals.events)} AMI events, one core (${rounds} rounds of the ${captures.length} captures, ` +
			`fresh ids per copy; ${megabytes(totals.amiBytes)} of AMI text in ${CHUNK_BYTES / 1024} KiB chunks, ` +
			`${megabytes(totals.jsonBytes)} as JSON lines)`,
		rateHeader('event'),
		[
			rateRow('AmiParser → AmiCallMapper → CallAssembler', totals.events, pipelineTime, baselineTime),
			rateRow('baseline: JSON.parse, one JSON line per event', totals.events, baselineTime, baselineTime),
		],
	);
	const perCapture = captures.map((capture) => `${capture.name} → ${capture.outcome ?? 'no record'}`).join(', ');
	printTable(`ami: workload check (per copy: ${perCapture})`, ['', 'expected', 'resolved'], [
		['missed calls', count(expected.missed), count(resolved.missed)],
		['answered calls', count(expected.answered), count(resolved.answered)],
		['records missing, duplicated or wrong', '0', count(totals.wrongRecords)],
	]);
	printTable('ami: memory (heap after a full GC; the pipeline is still alive "after")', ['', 'value'], [
		['heap before', megabytes(heapBefore)],
		['heap half-way', megabytes(heapHalfway)],
		['heap after', megabytes(heapAfter)],
		['retained by the pipeline', megabytes(heapAfter - heapBefore)],
		['calls tracked by the mapper', count(trackedCalls)],
		['pending calls (assembler)', count(stats.pendingCalls)],
		['resolved call ids remembered (assembler, bounded)', count(stats.rememberedCallIds)],
		['late events (after the call resolved)', count(stats.lateEvents)],
	]);
}
