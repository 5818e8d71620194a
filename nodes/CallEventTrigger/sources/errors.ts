/**
 * Bad call-event input. The webhook answers with `statusCode` (4xx) and the message, and nothing of
 * the request reaches call assembly, so a broken sender never disturbs the calls being tracked.
 */
export class EventInputError extends Error {
	constructor(
		message: string,
		public readonly statusCode = 400,
	) {
		super(message);
		this.name = 'EventInputError';
	}
}
