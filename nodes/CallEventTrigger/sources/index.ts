/** Picks the source's parser for a webhook request and checks the content type it posts. */
import type { CallEvent } from '../../shared/callModel';
import { choiceSetting } from '../../shared/settings';
import { EventInputError } from './errors';
import { parseGenericEvents } from './generic';
import { parseSipgateEvent, type SipgateCallIds } from './sipgate';

export type CallEventSource = 'generic' | 'sipgate';

const CONTENT_TYPES = new Map<CallEventSource, { accepted: string[]; hint: string }>([
	['generic', { accepted: ['application/json'], hint: 'post call events as application/json' }],
	[
		'sipgate',
		{
			accepted: ['application/x-www-form-urlencoded', 'application/json'],
			hint: 'sipgate.io posts application/x-www-form-urlencoded or JSON',
		},
	],
]);

/** The Source parameter as a source; ConfigurationError for anything an expression may give instead. */
export function callEventSourceOf(value: unknown): CallEventSource {
	return choiceSetting('source', value, [...CONTENT_TYPES.keys()], 'Source');
}

/**
 * Throws EventInputError (4xx) for a content type or body the source does not accept.
 * `sipgateCallIds`: the trigger's memory of forwarded sipgate calls.
 */
export function parseWebhookRequest(
	source: CallEventSource,
	contentType: string,
	body: unknown,
	receivedAt: number,
	sipgateCallIds?: SipgateCallIds,
): CallEvent[] {
	const mediaType = contentType.split(';')[0].trim().toLowerCase();
	const { accepted, hint } = CONTENT_TYPES.get(source)!;
	if (!accepted.includes(mediaType)) {
		throw new EventInputError(
			`Content-Type ${mediaType || '(none)'} is not supported: ${hint}`,
			415,
		);
	}
	return source === 'sipgate'
		? parseSipgateEvent(body as Record<string, unknown>, receivedAt, sipgateCallIds)
		: parseGenericEvents(body, receivedAt);
}
