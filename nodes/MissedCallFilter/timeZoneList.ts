/**
 * The filter editor's list of time zones. Apart from the shared time zone check, and loaded only
 * when the editor asks, because the tz database's list is only needed there (loading takes ~10 ms).
 */
import { timeZonesNames } from '@vvo/tzdb';

import { isTimeZone } from '../shared/timeZone';

/**
 * UTC first, then the places by name. The names are the tz database's current ones (`Asia/Kolkata`,
 * `Europe/Kyiv`), which a user types; Node's own list keeps the names ICU froze years ago
 * (`Asia/Calcutta`, `Europe/Kiev`). A `current` zone the filter takes in another name
 * (`Asia/Calcutta`, `US/Eastern`) is listed too, so that the editor does not mark it as unsupported.
 */
export function listedTimeZones(current?: unknown): string[] {
	const zones = timeZonesNames.filter((zone) => zone !== 'UTC' && isTimeZone(zone));
	if (typeof current === 'string' && current !== 'UTC' && !zones.includes(current) && isTimeZone(current)) zones.push(current);
	return ['UTC', ...zones.sort()];
}
