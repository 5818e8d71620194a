/**
 * How the Asterisk source wires its parts: the AMI mapper keeps as many calls as the trigger's Max
 * Pending Calls, not its own lower default (1000), so an office with more calls at once loses no
 * caller's hang-up to the mapper forgetting the call.
 */
import { AmiCallMapper } from '../../../nodes/AsteriskAmiTrigger/ami/AmiCallMapper';
import { mapperOptions } from '../../../nodes/AsteriskAmiTrigger/amiCallSource';
import { chan, newchannel } from './amiEvents';

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
