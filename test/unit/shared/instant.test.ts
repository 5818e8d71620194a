import fc from 'fast-check';
import { DateTime } from 'luxon';
import { readIsoInstant } from '../../../nodes/shared/instant';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

describe('readIsoInstant', () => {
	// The trigger's own form takes a fast path through Date.parse, which rolls impossible dates over
	// (29 February 2023 → 1 March); it must read every such string exactly as luxon does.
	it('reads plain UTC times as luxon does, impossible dates included', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1999, max: 2101 }),
				fc.integer({ min: 0, max: 13 }),
				fc.integer({ min: 0, max: 32 }),
				fc.integer({ min: 0, max: 24 }),
				fc.integer({ min: 0, max: 60 }),
				fc.integer({ min: 0, max: 60 }),
				fc.option(fc.integer({ min: 0, max: 999 })),
				(year, month, day, hour, minute, second, millis) => {
					const text =
						`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}` +
						`${millis === null ? '' : `.${pad(millis, 3)}`}Z`;
					const luxon = DateTime.fromISO(text, { setZone: true });
					expect(readIsoInstant(text)).toEqual(luxon.isValid ? { millis: luxon.toMillis() } : undefined);
				},
			),
			{ numRuns: 5000 },
		);
	});
});
