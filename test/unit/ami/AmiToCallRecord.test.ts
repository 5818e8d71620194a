/**
 * The whole AMI path short of the socket: capture bytes → AmiParser → AmiCallMapper →
 * CallAssembler → call records. The captures in ../shared/fixtures/ami come from the public
 * repository sweeney/asterisk-mqtt (testdata/fixtures/*.raw, commit
 * 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT licence); the expected records were worked out by
 * reading them (message N of a capture arrives at T0 + N seconds).
 */
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import { AmiCallMapper } from '../../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import { AmiParser } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import type { CallRecord, TriggerRecord } from '../../../nodes/shared/callModel';
import { seededRandom } from '../../support/amiReplayServer';
import { chan, dialBegin, dialEnd, event, hangup, newchannel, snapshot } from './amiEvents';
import { CAPTURES, readCapture, splitRandomly, type CaptureName } from './captures';

const T0 = Date.UTC(2026, 1, 12, 9, 30, 0);
const iso = (index: number) => new Date(T0 + index * 1000).toISOString();

function records(chunks: Buffer[]): TriggerRecord[] {
	const parser = new AmiParser();
	const mapper = new AmiCallMapper();
	const assembler = new CallAssembler();
	const out: TriggerRecord[] = [];
	let index = 0;
	for (const chunk of chunks) {
		for (const message of parser.push(chunk)) {
			for (const event of mapper.map(message, T0 + index * 1000)) {
				out.push(...assembler.push(event));
			}
			index++;
		}
	}
	// Nothing may be left pending to surface later as a second, "incomplete" record.
	out.push(...assembler.sweep(T0 + 24 * 3_600_000));
	expect(assembler.pendingCount).toBe(0);
	return out;
}

const recordOf = (name: CaptureName) => records([readCapture(name)]);
const martin = { number: '1986', name: 'Martin', restricted: false };

describe('AMI captures → call records', () => {
	it('hunt group: exactly one missed call with six legs, all not answered', () => {
		const lines = ['11', '12', '21', '41', '42', '51'];
		expect(recordOf('unanswered-huntgroup')).toEqual([
			{
				kind: 'call',
				callId: '1770888635.49',
				direction: 'internal',
				caller: martin,
				called: '666',
				startedAt: iso(0),
				resolvedAt: iso(52),
				outcome: 'missed',
				answeredBy: null,
				voicemail: null,
				incomplete: false,
				// DialBegin messages 13–18, DialEnd NOANSWER messages 39–44.
				legs: lines.map((line, i) => ({
					line,
					ringingFrom: iso(13 + i),
					ringingUntil: iso(39 + i),
					result: 'notAnswered',
				})),
			},
		]);
	});

	it('cancel: one missed call, the one leg not answered', () => {
		expect(recordOf('unanswered-cancel')).toEqual([
			{
				kind: 'call',
				callId: '1770888559.46',
				direction: 'internal',
				caller: martin,
				called: '21',
				startedAt: iso(0),
				resolvedAt: iso(14),
				outcome: 'missed',
				answeredBy: null,
				voicemail: null,
				incomplete: false,
				legs: [{ line: '21', ringingFrom: iso(5), ringingUntil: iso(10), result: 'notAnswered' }],
			},
		]);
	});

	const kitchen = { number: '21', name: 'Kitchen', restricted: false };
	it.each([
		['answered-internal', '1770888534.43', kitchen, '1986'],
		['answered-outbound', '1770888509.40', martin, '21'],
	] as const)('%s: answered at the DialEnd ANSWER, no missed call', (name, callId, caller, line) => {
		expect(recordOf(name)).toEqual([
			{
				kind: 'call',
				callId,
				direction: 'internal',
				caller,
				called: line,
				startedAt: iso(0),
				resolvedAt: iso(10),
				outcome: 'answered',
				answeredBy: { line, at: iso(10), pickup: false },
				voicemail: null,
				incomplete: false,
				legs: [{ line, ringingFrom: iso(5), ringingUntil: iso(10), result: 'answered' }],
			},
		]);
	});

	it('all four captures in one stream, cut at random: one record per call, two missed', () => {
		const stream = Buffer.concat(CAPTURES.map(readCapture));
		for (const seed of [3, 17, 4242]) {
			const result = records(splitRandomly(stream, seededRandom(seed), 300)) as CallRecord[];
			expect(result.map((r) => [r.callId, r.outcome, r.legs.length])).toEqual([
				['1770888635.49', 'missed', 6],
				['1770888559.46', 'missed', 1],
				['1770888534.43', 'answered', 1],
				['1770888509.40', 'answered', 1],
			]);
		}
	});
});

describe('hand-written AMI → call records', () => {
	const trunk = {
		channel: 'PJSIP/sipgate-00000001',
		uniqueid: '100.1',
		linkedid: '100.1',
		num: '+4917612345',
		context: 'from-pstn',
		exten: '4989123456',
	};
	const local1 = chan('Local/600@from-internal-00000001;1', '100.2', '100.1');
	const local2 = chan('Local/600@from-internal-00000001;2', '100.3', '100.1');
	const phone201 = chan('PJSIP/201-00000002', '100.4', '100.1');
	const phone202 = chan('PJSIP/202-00000003', '100.5', '100.1');
	const picker = chan('PJSIP/203-00000012', '110.1', '110.1', { num: '203' });

	/**
	 * Feeds each group of messages at one time (one TCP read: one Date.now()), into an assembler
	 * that holds a resolution for late events, so what arrives after the answer counts too.
	 */
	function recordsAt(groups: Array<[number, ReturnType<typeof event>[]]>): CallRecord[] {
		const mapper = new AmiCallMapper();
		const assembler = new CallAssembler({ reorderWindowMs: 2000 });
		const out: TriggerRecord[] = [];
		for (const [index, messages] of groups) {
			for (const message of messages) {
				for (const e of mapper.map(message, T0 + index * 1000)) out.push(...assembler.push(e));
			}
		}
		return out as CallRecord[];
	}

	it('ring group via Local: 202 answers; 201, cancelled in the same read, answered elsewhere', () => {
		const records = recordsAt([
			[0, [newchannel(trunk), dialBegin(trunk, local1, '600@from-internal/n')]],
			[1, [dialBegin(local2, phone201, '201/sip:201@h')]],
			[1, [dialBegin(local2, phone202, '202/sip:202@h')]],
			[7, [dialEnd(local2, phone202, 'ANSWER'), dialEnd(local2, phone201, 'CANCEL')]],
			[60, [hangup(trunk)]],
		]);
		expect(records).toHaveLength(1);
		const [record] = records;
		expect(record).toMatchObject({
			direction: 'inbound',
			outcome: 'answered',
			answeredBy: { line: '202', at: iso(7), pickup: false },
			legs: [
				{ line: '201', ringingFrom: iso(1), ringingUntil: iso(7), result: 'answeredElsewhere' },
				{ line: '202', ringingFrom: iso(1), ringingUntil: iso(7), result: 'answered' },
			],
		});
	});

	it('pickup: 203 takes the call from 202 (picked up), 201 answered elsewhere', () => {
		const pickup = event('Pickup', snapshot('', picker), snapshot('Target', phone202), {
			TargetConnectedLineNum: '+4917612345',
		});
		const records = recordsAt([
			[0, [newchannel(trunk), dialBegin(trunk, phone201, '201/sip:201@h')]],
			[0, [dialBegin(trunk, phone202, '202/sip:202@h')]],
			[5, [newchannel(picker), pickup, dialEnd(trunk, phone202, 'ANSWER')]],
			[5, [dialEnd(trunk, phone201, 'CANCEL')]],
			[60, [hangup(trunk)]],
		]);
		expect(records).toHaveLength(1);
		const [record] = records;
		expect(record).toMatchObject({
			outcome: 'answered',
			answeredBy: { line: '203', at: iso(5), pickup: true, from: '202' },
			legs: [
				{ line: '201', result: 'answeredElsewhere' },
				{ line: '202', result: 'pickedUp' },
				{ line: '203', result: 'answered' },
			],
		});
	});
});
