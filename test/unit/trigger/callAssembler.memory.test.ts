/**
 * Memory stays flat under sustained load (SPEC §2.3): sizes are counted, never timed.
 */
import { CallAssembler } from '../../../nodes/CallEventTrigger/assembly/CallAssembler';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { T0 } from './events';

const CALLS = 200_000;

describe('CallAssembler under sustained load', () => {
	it('200k calls that resolve: one record each, every memory bounded by its cap', () => {
		const assembler = new CallAssembler({
			maxRememberedCallIds: 50_000,
			maxRememberedEventIds: 100_000,
		});
		let records = 0;
		let answered = 0;
		let maxPending = 0;
		let maxQueue = 0;
		for (let i = 0; i < CALLS; i++) {
			// Calls overlap: each starts 100 ms after the previous one and lasts 3 s.
			const start = T0 + i * 100;
			const callId = `call-${i}`;
			const push = (event: Parameters<CallAssembler['push']>[0]) => {
				for (const record of assembler.push(event)) {
					records++;
					if ((record as CallRecord).outcome === 'answered') answered++;
				}
				maxPending = Math.max(maxPending, assembler.pendingCount);
				maxQueue = Math.max(maxQueue, assembler.stats().evictionQueue);
			};
			const caller = { number: `+49301${i}` };
			push({ type: 'offered', callId, time: start, eventId: `${callId}/0`, caller });
			push({ type: 'ringing', callId, time: start + 100, line: '201', eventId: `${callId}/1` });
			push({ type: 'ringing', callId, time: start + 100, line: '202', eventId: `${callId}/2` });
			const end = start + 3000;
			if (i % 2 === 0) push({ type: 'answered', callId, time: end, line: '202', eventId: `${callId}/3` });
			else push({ type: 'ended', callId, time: end, eventId: `${callId}/3` });
			if (i % 1000 === 0) records += assembler.sweep(start + 3000).length;
		}
		expect(records).toBe(CALLS);
		expect(answered).toBe(CALLS / 2);
		expect(maxPending).toBe(1);
		expect(maxQueue).toBeLessThanOrEqual(2 * 1 + 64);
		expect(assembler.stats()).toMatchObject({
			pendingCalls: 0,
			waitingCalls: 0,
			rememberedCallIds: 50_000,
			rememberedEventIds: 100_000,
			evictedCalls: 0,
			lateEvents: 0,
			duplicateEvents: 0,
			ignoredEvents: 0,
		});
	});

	it('200k calls that never resolve: pending stays at its cap, every call still gets a record', () => {
		const assembler = new CallAssembler({ maxPendingCalls: 10_000, maxRememberedCallIds: 50_000 });
		let records = 0;
		let incomplete = 0;
		let maxPending = 0;
		let maxQueue = 0;
		for (let i = 0; i < CALLS; i++) {
			const event = { type: 'ringing' as const, callId: `lost-${i}`, time: T0 + i, line: '201' };
			for (const record of assembler.push(event)) {
				records++;
				if ((record as CallRecord).incomplete) incomplete++;
			}
			maxPending = Math.max(maxPending, assembler.pendingCount);
			maxQueue = Math.max(maxQueue, assembler.stats().evictionQueue);
		}
		expect(maxPending).toBe(10_000);
		expect(maxQueue).toBeLessThanOrEqual(2 * 10_000 + 64);
		expect(records).toBe(CALLS - 10_000);
		expect(incomplete).toBe(CALLS - 10_000);
		expect(assembler.stats()).toMatchObject({
			pendingCalls: 10_000,
			rememberedCallIds: 50_000,
			evictedCalls: CALLS - 10_000,
		});
		// Silent for the default 30 minutes: every one of them resolves.
		expect(assembler.sweep(Date.now() + 30 * 60_000)).toHaveLength(10_000);
		expect(assembler.pendingCount).toBe(0);
	});

	it('with a reorder window, calls held for it stay few and all are released', () => {
		const assembler = new CallAssembler({ reorderWindowMs: 500 });
		let records = 0;
		let maxWaiting = 0;
		for (let i = 0; i < 20_000; i++) {
			const start = T0 + i * 100;
			records += assembler.push({ type: 'ringing', callId: `w-${i}`, time: start, line: '201' }).length;
			records += assembler.push({ type: 'ended', callId: `w-${i}`, time: start + 50 }).length;
			maxWaiting = Math.max(maxWaiting, assembler.stats().waitingCalls);
		}
		records += assembler.sweep(T0 + 20_000 * 100 + 1000).length;
		expect(records).toBe(20_000);
		// Ends 100 ms apart, each held 500 ms: at most 6 wait at any moment.
		expect(maxWaiting).toBeLessThanOrEqual(6);
		expect(assembler.stats().waitingCalls).toBe(0);
	});
});
