/**
 * What an execution's mails count for. The filter remembered each notification for its repeat rules
 * when it emitted it: a mail that is not sent (or, composing only, not passed on) is taken back, so
 * that the caller's next call is mailed; a mail sent, perhaps on a retry after it had been taken
 * back, counts (again). And n8n's Retry On Fail runs the whole node again: the mails a node already
 * sent in the execution are remembered here, so that none is sent twice.
 */
import { confirmNotification, forgetNotification } from '../MissedCallFilter/state';
import type { SendResult } from './smtp';

export class Deliveries {
	/** `remembered`: each item's, as the filter put it on the notification (anything else is ignored). */
	constructor(private readonly remembered: readonly unknown[]) {}

	/** Sent, or composed and passed on. */
	delivered(itemIndex: number): void {
		confirmNotification(this.remembered[itemIndex]);
	}

	notDelivered(itemIndex: number): void {
		forgetNotification(this.remembered[itemIndex]);
	}

	/**
	 * The node fails at `itemIndex`. Sending, the mails before it went out; composing only, none
	 * did: a node that fails passes no item on.
	 */
	failedAt(itemIndex: number, sending: boolean): void {
		for (let item = sending ? itemIndex : 0; item < this.remembered.length; item++) this.notDelivered(item);
	}
}

/** Per node, since another composer of the same execution gets the same items and must send its own mails. */
const sentByNodeInExecution = new Map<string, Map<string, SendResult>>();
/** Retries follow within minutes: the most recent runs are enough. */
const REMEMBERED_RUNS = 200;

/** The mails this node sent in this execution so far, by a key of what the mail is. */
export function sentMailsOf(executionId: string, nodeId: string): Map<string, SendResult> {
	const run = `${executionId}/${nodeId}`;
	let sent = sentByNodeInExecution.get(run);
	if (!sent) {
		sent = new Map();
		sentByNodeInExecution.set(run, sent);
		if (sentByNodeInExecution.size > REMEMBERED_RUNS) {
			sentByNodeInExecution.delete(sentByNodeInExecution.keys().next().value as string);
		}
	}
	return sent;
}
