/**
 * How the Asterisk source wires its parts: the AMI mapper keeps as many calls as the trigger's Max
 * Pending Calls, not its own lower default (1000), so an office with more calls at once loses no
 * caller's hang-up to the mapper forgetting the call; a published trigger's calls outlive its
 * publication.
 */
import { AmiCallMapper } from '../../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import { mapperOptions, startPublishedCalls, stopPublishedCalls, type AmiCallState } from '../../../nodes/AsteriskAmiTrigger/amiCallSource';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { chan, dialBegin, newchannel } from './amiEvents';

const T0 = Date.UTC(2024, 4, 6, 8, 0, 0);

function callsTracked(mapper: AmiCallMapper, calls: number): number {
	for (let n = 1; n <= calls; n++) {
		mapper.map(newchannel(chan(`PJSIP/sipgate-${n}`, `9${n}.1`, `9${n}.1`, { num: '+49301234567', context: 'from-pstn' })), T0);
	}
	return mapper.trackedCalls;
}

describe('mapperOptions', () => {
	it("bounds the mapper by the trigger's Max Pending Calls", () => {
		const options = mapperOptions({ assembly: { maxPendingCalls: 1500 }, mapping: { trunkPattern: '^sipgate' } });
		expect(options).toEqual({ maxCalls: 1500, trunkPattern: '^sipgate' });
		expect(callsTracked(new AmiCallMapper(options), 1200)).toBe(1200);
		expect(callsTracked(new AmiCallMapper(mapperOptions({ assembly: { maxPendingCalls: 20 } })), 30)).toBe(20);
	});

	it('leaves the mapper its own default when the trigger sets no bound', () => {
		expect(callsTracked(new AmiCallMapper(mapperOptions({})), 1200)).toBe(1000);
	});
});

describe('startPublishedCalls', () => {
	/** Calls from sipgate ringing at 201, one a second from T0 on. */
	function ring(state: AmiCallState, calls: number): void {
		for (let n = 1; n <= calls; n++) {
			const caller = chan(`PJSIP/sipgate-${n}`, `7${n}.1`, `7${n}.1`, { num: '+49301234567', context: 'from-pstn' });
			const time = T0 + n * 1000;
			state.mapper.map(newchannel(caller), time);
			for (const event of state.mapper.map(dialBegin(caller, chan(`PJSIP/201-${n}`, `7${n}.2`, `7${n}.1`), '201'), time)) {
				state.assembler.push(event, time);
			}
		}
	}

	it('gives a trigger published again its calls, and resolves the oldest a lower Max Pending Calls leaves no room for', () => {
		const { state } = startPublishedCalls('amiCallSource.test:n1', { assembly: { maxPendingCalls: 20 } }, T0);
		ring(state, 15);
		expect(startPublishedCalls('amiCallSource.test:n1', { assembly: { maxPendingCalls: 20 } }, T0 + 20_000)).toMatchObject({ state, resolved: [] });
		const again = startPublishedCalls('amiCallSource.test:n1', { assembly: { maxPendingCalls: 10 } }, T0 + 30_000);
		expect(again.state).toBe(state);
		expect((again.resolved as CallRecord[]).map((record) => [record.callId, record.incomplete])).toEqual(
			[1, 2, 3, 4, 5].map((n) => [`7${n}.1`, true]),
		);
		expect([state.assembler.pendingCount, state.mapper.trackedCalls]).toEqual([10, 10]);
		// Another node, or another workflow, has calls of its own.
		expect(startPublishedCalls('amiCallSource.test:n2', {}, T0).state).not.toBe(state);
		expect(startPublishedCalls('amiCallSource.test2:n1', {}, T0).state).not.toBe(state);
	});

	it('forgets the calls of a trigger stopped for longer than their silence timeout, instead of giving them up late as missed', () => {
		const options = { assembly: { silenceMs: 60_000 } };
		const { state, lease } = startPublishedCalls('amiCallSource.test:n4', options, T0);
		ring(state, 3);
		stopPublishedCalls('amiCallSource.test:n4', lease, T0 + 5_000);
		const later = startPublishedCalls('amiCallSource.test:n4', options, T0 + 5_000 + 61_000);
		expect(later.state).not.toBe(state);
		expect([later.state.assembler.pendingCount, later.state.mapper.trackedCalls, later.resolved]).toEqual([0, 0, []]);
	});

	it('a Trunk Pattern that is no regular expression fails the publishing and changes nothing', () => {
		const options = { mapping: { trunkPattern: '^sipgate$' }, assembly: { maxPendingCalls: 20 } };
		const { state } = startPublishedCalls('amiCallSource.test:n3', options, T0);
		ring(state, 15);
		const broken = { mapping: { trunkPattern: '(' }, assembly: { maxPendingCalls: 10 } };
		expect(() => startPublishedCalls('amiCallSource.test:n3', broken, T0)).toThrow(/Trunk Pattern/);
		expect(state.assembler.pendingCount).toBe(15);
		// Tried again when published again with the same options.
		expect(() => startPublishedCalls('amiCallSource.test:n3', broken, T0)).toThrow(/Trunk Pattern/);
	});
});
