/**
 * What the composer's mails count for in the filter's repeat rules, with the filter's real memory:
 * a call rings Anna and Ben, the composer gets both notifications, and the caller calls again.
 */
import { compileFilter, filterCall } from '../../../nodes/MissedCallFilter/filter';
import { openFilterState, type FilterStateSession } from '../../../nodes/MissedCallFilter/state';
import { Deliveries, sentMailsOf } from '../../../nodes/XslMailComposer/deliveries';
import { DIRECTORY, leg, missedCall } from '../filter/fixtures';

const NOW = Date.parse('2024-03-05T12:00:00Z');
const filter = compileFilter({
	numberingPlan: { country: 'DE', baseNumber: '+49 89 1234' },
	directory: DIRECTORY,
	workflowTimeZone: 'Europe/Berlin',
	settings: { skipRepeatedSameDay: true, recipients: 'all' },
});
const contact = { company: 'Kunde GmbH' };
let keys = 0;

/** The first call's deliveries (Anna's item, then Ben's), and the next call's recipients in the same memory. */
function afterFirstCall(): { deliveries: Deliveries; nextCallReaches: () => string[] } {
	const state: FilterStateSession = openFilterState(`deliveries/${++keys}`, {}, { now: () => NOW });
	const first = filterCall(missedCall([leg('201', 0, 20), leg('202', 0, 20)], { callId: 'c1' }), contact, filter, state);
	expect(first.notifications.map((notification) => notification.recipient.id)).toEqual(['anna', 'ben']);
	let calls = 1;
	return {
		deliveries: new Deliveries(first.notifications.map((notification) => notification.remembered)),
		nextCallReaches: () =>
			filterCall(missedCall([leg('201', 600, 620), leg('202', 600, 620)], { callId: `c${++calls}` }), contact, filter, state)
				.notifications.map((notification) => notification.recipient.id),
	};
}

describe('Deliveries', () => {
	it('a mail delivered counts for the repeat rule; one not delivered does not', () => {
		const { deliveries, nextCallReaches } = afterFirstCall();
		deliveries.delivered(0);
		deliveries.notDelivered(1);
		expect(nextCallReaches()).toEqual(['ben']);
	});

	it('sending fails at Ben: Anna\'s mail went out and counts, Ben\'s does not', () => {
		const { deliveries, nextCallReaches } = afterFirstCall();
		deliveries.delivered(0);
		deliveries.failedAt(1, true);
		expect(nextCallReaches()).toEqual(['ben']);
	});

	it('composing only fails at Ben: the node passes no mail on, so neither counts', () => {
		const { deliveries, nextCallReaches } = afterFirstCall();
		deliveries.delivered(0);
		deliveries.failedAt(1, false);
		expect(nextCallReaches()).toEqual(['anna', 'ben']);
	});

	it('a mail sent on a retry after it had been taken back counts again', () => {
		const { deliveries, nextCallReaches } = afterFirstCall();
		deliveries.failedAt(0, true);
		deliveries.delivered(0);
		deliveries.delivered(1);
		expect(nextCallReaches()).toEqual([]);
	});

	it('items the filter did not remember (built by hand) are passed over', () => {
		const { nextCallReaches } = afterFirstCall();
		const byHand = new Deliveries([undefined, { userId: 'anna' }, 'x']);
		byHand.delivered(0);
		byHand.notDelivered(1);
		byHand.failedAt(0, false);
		// Anna's and Ben's notifications of the first call still count.
		expect(nextCallReaches()).toEqual([]);
	});
});

describe('sentMailsOf', () => {
	it('is one memory per execution and node: a retry finds what was sent, another composer does not', () => {
		const sent = sentMailsOf('exec-1', 'composer-a');
		sent.set('mail', { messageId: '<1@example.com>', accepted: ['anna@example.com'], rejected: [], response: '250 OK' });
		expect(sentMailsOf('exec-1', 'composer-a').get('mail')).toBe(sent.get('mail'));
		expect(sentMailsOf('exec-1', 'composer-b').size).toBe(0);
		expect(sentMailsOf('exec-2', 'composer-a').size).toBe(0);
	});
});
