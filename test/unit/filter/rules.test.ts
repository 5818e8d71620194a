/**
 * SPEC §4.1–§4.4, row by row. Every expectation is worked out by hand from the scenario in its test;
 * the office is in fixtures.ts (anna: 201 + w0, Berlin; ben: 202, instance zone UTC; carla: 203,
 * notify false; dirk: 204, no e-mail; 299 belongs to nobody).
 */
import fc from 'fast-check';

import type { CallRecord } from '../../../nodes/shared/callModel';
import type { Contact } from '../../../nodes/shared/notification';
import { decideCall, decidePresence, type CallDecision, type FilterSettings } from '../../../nodes/MissedCallFilter/rules';
import { openFilterState, type FilterStateSession } from '../../../nodes/MissedCallFilter/state';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { answeredCall, CALLER, CALLER_E164, caught, leg, missedCall, office } from './fixtures';

const CONTACT: Contact = { name: 'Eva Kunde', company: 'Kunde GmbH', email: 'eva@kunde.example' };
const NOTIFIED_CALLER = { number: CALLER, e164: '+49301234567', display: '030 1234567', name: 'Kunde GmbH', restricted: false };

function freshMemory(now?: number): FilterStateSession {
	return openFilterState('rules.test', {}, { shared: false, ...(now === undefined ? {} : { now: () => now }) });
}

function decide(
	call: CallRecord,
	settings: Partial<FilterSettings> = {},
	options: { contact?: Contact | null; memory?: FilterStateSession; internalPattern?: string } = {},
): CallDecision {
	const filter = office(settings, options.internalPattern);
	const contact = options.contact === undefined ? CONTACT : options.contact;
	return decideCall(call, contact, { ...filter, memory: options.memory ?? freshMemory() });
}

const recipients = (decision: CallDecision) => decision.notifications.map((notification) => notification.recipient.id);
const reasons = (decision: CallDecision) => decision.suppressed.map((item) => [item.user?.id ?? null, item.reason]);
const journal = (decision: CallDecision) => decision.journal.map((entry) => [entry.user.id, entry.rule]);

describe('§4.1 recipients', () => {
	it('group call: a user whose two phones rang in parallel gets one e-mail', () => {
		const decision = decide(missedCall([leg('201', 0, 20), leg('w0', 0, 20), leg('202', 0, 20)]));
		expect(recipients(decision)).toEqual(['anna', 'ben']);
		expect(decision.suppressed).toEqual([]);
	});

	it('cyclic distribution: a user rung twice counts once, in order of first ringing', () => {
		const decision = decide(missedCall([leg('202', 0, 10), leg('201', 10, 20), leg('202', 20, 30)]));
		expect(recipients(decision)).toEqual(['ben', 'anna']);
	});

	it('orders users by first ringing even when the legs arrive unordered', () => {
		const decision = decide(missedCall([leg('202', 10, 20), leg('201', 0, 10)]), { recipients: 'first' });
		expect(recipients(decision)).toEqual(['anna']);
	});

	// A group's phones ring at the same instant; which the PBX reports first is happenstance.
	it.each(['first', 'last'] as const)('picks the %s of users whose phones rang together by directory order, whatever the report order', (mode) => {
		const reported = [leg('202', 0, 20), leg('201', 0, 20)];
		const picked = [reported, [...reported].reverse()].map((legs) => recipients(decide(missedCall(legs), { recipients: mode })));
		expect(picked).toEqual(mode === 'first' ? [['anna'], ['anna']] : [['ben'], ['ben']]);
	});

	describe('sequential hunt anna → ben → carla (opted out), not answered', () => {
		const hunt = missedCall([leg('201', 0, 15), leg('202', 15, 30), leg('203', 30, 45)]);

		it.each([
			['all: everybody who rang, carla dropped for her own choice', 'all', ['anna', 'ben'], [['carla', 'optedOut']]],
			['first: anna', 'first', ['anna'], [['ben', 'notSelected'], ['carla', 'notSelected']]],
			[
				'last: carla is chosen and opted out, so nobody gets it (no substitution)',
				'last',
				[],
				[['anna', 'notSelected'], ['ben', 'notSelected'], ['carla', 'optedOut']],
			],
			['none: nobody, each told why', 'none', [], [['anna', 'notSelected'], ['ben', 'notSelected'], ['carla', 'notSelected']]],
		] as const)('%s', (_case, mode, mailed, why) => {
			const decision = decide(hunt, { recipients: mode });
			expect(recipients(decision)).toEqual(mailed);
			expect(reasons(decision)).toEqual(why);
		});

		it('says why in words', () => {
			expect(decide(hunt, { recipients: 'none' }).suppressed[0].detail).toBe('Recipient mode is "none"; nobody is chosen.');
			expect(decide(hunt, { recipients: 'first' }).suppressed[0].detail).toBe('Recipient mode is "first"; Anna Berg was chosen.');
		});
	});

	it('opt-out of the first user in mode first is not passed on to the next user', () => {
		const decision = decide(missedCall([leg('203', 0, 10), leg('201', 10, 20)]), { recipients: 'first' });
		expect(recipients(decision)).toEqual([]);
		expect(reasons(decision)).toEqual([
			['anna', 'notSelected'],
			['carla', 'optedOut'],
		]);
		expect(decision.suppressed[1].detail).toBe('Carla Diaz chose not to receive missed-call e-mails (notify: false).');
	});

	it('a user without e-mail address is dropped', () => {
		const decision = decide(missedCall([leg('204', 0, 10)]));
		expect(recipients(decision)).toEqual([]);
		expect(reasons(decision)).toEqual([['dirk', 'noEmail']]);
	});

	it('forward during the ring phase: anna diverts to ben, mode last mails ben only', () => {
		const diverted = { ...leg('201', 0, 10, 'diverted'), divertedTo: '202' };
		const decision = decide(missedCall([diverted, leg('202', 10, 30)]), { recipients: 'last' });
		expect(recipients(decision)).toEqual(['ben']);
		expect(reasons(decision)).toEqual([['anna', 'notSelected']]);
	});

	describe('pickup: anna rings, ben picks the call up from his line', () => {
		const pickup = answeredCall([leg('201', 0, 8, 'pickedUp')], '202', 8, true);

		it('without "also when answered by a third party": no e-mail', () => {
			const decision = decide(pickup);
			expect(recipients(decision)).toEqual([]);
			expect(reasons(decision)).toEqual([['anna', 'answered']]);
			expect(decision.suppressed[0].detail).toBe(
				'The call was answered by Ben Cole (line 202); e-mails when a third party answers are off.',
			);
		});

		it('with the option: anna is mailed, naming ben as the one who answered', () => {
			const decision = decide(pickup, { alsoWhenAnsweredByThirdParty: true });
			expect(recipients(decision)).toEqual(['anna']);
			expect(decision.notifications[0].reason).toBe('answeredByThirdParty');
			expect(decision.notifications[0].answeredByUser).toEqual({ id: 'ben', name: 'Ben Cole' });
			expect(decision.suppressed).toEqual([]);
		});
	});

	describe('group call answered by anna on her second device', () => {
		const call = answeredCall(
			[leg('201', 0, 6, 'answeredElsewhere'), leg('w0', 0, 6, 'answered'), leg('202', 0, 6, 'answeredElsewhere')],
			'w0',
			6,
		);

		it('with the option on: anna is no third party and gets nothing; ben does', () => {
			const decision = decide(call, { alsoWhenAnsweredByThirdParty: true });
			expect(recipients(decision)).toEqual(['ben']);
			expect(reasons(decision)).toEqual([['anna', 'answered']]);
			expect(decision.suppressed[0].detail).toBe('Anna Berg answered the call (line w0).');
		});

		it('with the option off: nobody', () => {
			const decision = decide(call);
			expect(reasons(decision)).toEqual([
				['anna', 'answered'],
				['ben', 'answered'],
			]);
		});
	});

	it('an answer by a line nobody owns makes every user who rang a third party', () => {
		const call = answeredCall([leg('201', 0, 8, 'answeredElsewhere')], '299', 8);
		expect(recipients(decide(call, { alsoWhenAnsweredByThirdParty: true }))).toEqual(['anna']);
	});

	describe('minimum ringing time uses the union of a user\'s legs', () => {
		it('a 1 s blip before a later 10 s ring of the same user: still a candidate, and the first', () => {
			const call = missedCall([leg('201', 0, 1), leg('202', 1, 11), leg('w0', 20, 30)]);
			const decision = decide(call, { recipients: 'first', minRingSeconds: 2 });
			expect(recipients(decision)).toEqual(['anna']);
			expect(reasons(decision)).toEqual([['ben', 'notSelected']]);
		});

		it('overlapping legs count once: 0–1.5 s and 0.5–1.8 s is 1.8 s, not 2.3 s', () => {
			const call = missedCall([leg('201', 0, 1.5), leg('w0', 0.5, 1.8), leg('202', 0, 10)]);
			const decision = decide(call, { recipients: 'first', minRingSeconds: 2 });
			// anna is no candidate at all, so "first" is ben.
			expect(recipients(decision)).toEqual(['ben']);
			expect(reasons(decision)).toEqual([['anna', 'shortRing']]);
			expect(decision.suppressed[0].detail).toBe(
				"Anna Berg's phones rang 1.8 s, less than the minimum of 2 s.",
			);
		});

		it('a busy line says it was busy, not only that it rang 0 s', () => {
			const decision = decide(missedCall([leg('201', 0, 0, 'busy'), leg('202', 0, 10)]), { minRingSeconds: 2 });
			expect(recipients(decision)).toEqual(['ben']);
			expect(decision.suppressed.map((suppression) => suppression.detail)).toEqual([
				"Anna Berg's line was busy (it rang 0.0 s, less than the minimum of 2 s).",
			]);
		});

		it('exactly the minimum is enough', () => {
			expect(recipients(decide(missedCall([leg('201', 0, 2)]), { minRingSeconds: 2 }))).toEqual(['anna']);
		});

		it('0 switches the rule off', () => {
			expect(recipients(decide(missedCall([leg('201', 0, 0.3)]), { minRingSeconds: 0 }))).toEqual(['anna']);
		});

		it('defaults to 2 s', () => {
			expect(reasons(decide(missedCall([leg('201', 0, 1.9)])))).toEqual([['anna', 'shortRing']]);
		});

		// The trigger gave up on the call while 201 rang (its end never came, or the PBX clock is
		// ahead of n8n's): the leg ends at resolvedAt and says nothing about how long it rang.
		it('a phone still ringing when the trigger gave up is not too short; one that stopped is', () => {
			const call = missedCall([leg('202', 0, 1), { ...leg('201', 1.5, 2), stillRinging: true }], { incomplete: true });
			expect(recipients(decide(call, { recipients: 'all', minRingSeconds: 2 }))).toEqual(['anna']);
			expect(reasons(decide(call, { recipients: 'all', minRingSeconds: 2 }))).toEqual([['ben', 'shortRing']]);
			// Ben's leg ended when the call was given up (the last thing heard), but it had stopped: too short.
			const stoppedLast = missedCall([leg('202', 0, 2.5), leg('201', 1.5, 2.5, 'busy')], { incomplete: true });
			expect(reasons(decide(stoppedLast, { recipients: 'all', minRingSeconds: 2 }))).toEqual([['anna', 'shortRing']]);
			// The same legs in a call that ended: both too short.
			const ended = missedCall([leg('202', 0, 1), leg('201', 1.5, 2)]);
			expect(reasons(decide(ended, { recipients: 'all', minRingSeconds: 2 }))).toEqual([
				['ben', 'shortRing'],
				['anna', 'shortRing'],
			]);
		});
	});

	it('builds the notification the composer expects, and remembers it for a repeat rule', () => {
		const call = missedCall([leg('201', 0, 20), leg('202', 5, 20)]);
		const decision = decide(call, { skipRepeatedSameDay: true });
		const aboutTheCall = {
			kind: 'notification',
			reason: 'missed',
			caller: NOTIFIED_CALLER,
			contact: CONTACT,
			call,
			legs: [
				{ ...leg('201', 0, 20), owner: { id: 'anna', name: 'Anna Berg' } },
				{ ...leg('202', 5, 20), owner: { id: 'ben', name: 'Ben Cole' } },
			],
			answeredByUser: null,
			// The numbering plan's: the mail shows this country's numbers as dialled there.
			country: 'DE',
		};
		expect(decision.notifications).toEqual([
			{
				...aboutTheCall,
				recipient: { id: 'anna', name: 'Anna Berg', email: 'anna@example.com', language: 'de', timeZone: 'Europe/Berlin' },
			},
			{ ...aboutTheCall, recipient: { id: 'ben', name: 'Ben Cole', email: 'ben@example.com', timeZone: 'UTC' } },
		]);
		expect(decision.remember).toEqual({
			callId: 'call-1',
			notified: [
				{ userId: 'anna', callerKey: CALLER_E164, at: Date.parse('2024-03-05T09:00:20Z') },
				{ userId: 'ben', callerKey: CALLER_E164, at: Date.parse('2024-03-05T09:00:20Z') },
			],
		});
	});

	it('remembers no notification while both repeat rules are off (nothing would read it)', () => {
		const decision = decide(missedCall([leg('201', 0, 20), leg('202', 5, 20)]));
		expect(recipients(decision)).toEqual(['anna', 'ben']);
		expect(decision.remember).toEqual({ callId: 'call-1', notified: [] });
	});

	it('resolves a user\'s time zone: own zone, then the setting, then the instance', () => {
		const decision = decide(missedCall([leg('201', 0, 20), leg('202', 0, 20)]), { defaultTimeZone: 'America/New_York' });
		expect(decision.notifications.map((notification) => notification.recipient.timeZone)).toEqual([
			'Europe/Berlin',
			'America/New_York',
		]);
	});

	it('reports a missed call in which no line rang, so it is not dropped without a trace', () => {
		const decision = decide(missedCall([leg('201', 0, 20)], { legs: [], caller: { number: '', name: '', restricted: true } }));
		expect(decision.notifications).toEqual([]);
		expect(decision.journal).toEqual([]);
		expect(decision.suppressed).toEqual([
			expect.objectContaining({ reason: 'noRingingLine', user: null, line: null, callId: 'call-1' }),
		]);
		expect(decision.suppressed[0].detail).toMatch(/No line was seen ringing in call call-1.*received only the end of the call/);
		// Given up after the silence timeout with only its start: it says so, not that only the end came.
		const onlyStart = decide(missedCall([leg('201', 0, 20)], { legs: [], incomplete: true }));
		expect(onlyStart.suppressed.map((suppression) => suppression.detail)).toEqual([
			'No line was seen ringing in call call-1, so nobody can be notified; the trigger received no ringing line and no end ' +
				'for it and gave it up unfinished (did the PBX send only the start of the call?).',
		]);
		// An answered call without legs missed nobody: nothing to report.
		const answered = decide(missedCall([leg('201', 0, 20)], { legs: [], outcome: 'answered' }));
		expect(answered.suppressed).toEqual([]);
	});

	it('treats a call the office placed as nobody\'s missed call: no e-mail, no journal, no alarm about its lines', () => {
		// Click-to-dial rings the user's own phone first; an unanswered call out rings only the far end.
		const ownPhoneFirst = decide(missedCall([leg('202', 0, 20)], { direction: 'outbound', caller: { number: '202', name: 'Ben', restricted: false } }));
		const farEnd = decide(missedCall([leg('+49303000099', 0, 20)], { direction: 'outbound' }));
		const nothingRang = decide(missedCall([leg('202', 0, 20)], { direction: 'outbound', legs: [] }));
		for (const decision of [ownPhoneFirst, farEnd, nothingRang]) {
			expect(decision.notifications).toEqual([]);
			expect(decision.journal).toEqual([]);
			expect(reasons(decision)).toEqual([[null, 'outboundCall']]);
			expect(decision.remember).toEqual({ callId: 'call-1' });
		}
		expect(farEnd.suppressed[0].detail).toBe("Call call-1 was placed by the office (direction outbound); it is nobody's missed call.");
		// The same call inbound is mailed.
		expect(recipients(decide(missedCall([leg('202', 0, 20)])))).toEqual(['ben']);
	});

	it('reports each line nobody owns once', () => {
		const decision = decide(missedCall([leg('299', 0, 10), leg('201', 0, 20), leg('299', 15, 20)]));
		expect(recipients(decision)).toEqual(['anna']);
		expect(decision.suppressed).toEqual([
			expect.objectContaining({ reason: 'unownedLine', user: null, line: '299', detail: 'Line 299 rang but has no owner in the directory.' }),
		]);
		// 299 and 201 started ringing together: the owned line goes first (directory order).
		expect(decision.notifications[0].legs.map((owned) => owned.owner?.id ?? null)).toEqual(['anna', null, null]);
	});
});

describe('§4.2 exceptions', () => {
	const toAnna = (overrides: Partial<CallRecord> = {}) => missedCall([leg('201', 0, 20)], overrides);

	describe('internal callers', () => {
		it('direction internal', () => {
			const decision = decide(toAnna({ direction: 'internal' }), { skipInternalCallers: true });
			expect(recipients(decision)).toEqual([]);
			expect(decision.suppressed).toEqual([
				expect.objectContaining({ reason: 'internalCaller', user: null, detail: 'Internal call. No e-mail for Anna Berg.' }),
			]);
		});

		it('the caller number is a directory line, in any spelling', () => {
			const caller = { number: '0891234202', name: '', restricted: false };
			const decision = decide(toAnna({ caller }), { skipInternalCallers: true });
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'internalCaller',
					detail: 'The caller 0891234202 is a line of Ben Cole. No e-mail for Anna Berg.',
				}),
			]);
		});

		it('the switch off: a colleague calling from a line of theirs is named as the directory names them', () => {
			const fromBen = decide(toAnna({ caller: { number: '202', name: '', restricted: false }, direction: 'internal' }));
			expect(fromBen.notifications.map((notification) => notification.caller.name)).toEqual(['Ben Cole']);
			// A name the PBX sent stays; a number nobody owns has none.
			const named = decide(toAnna({ caller: { number: '202', name: 'Reception', restricted: false } }));
			expect(named.notifications.map((notification) => notification.caller.name)).toEqual(['Reception']);
			for (const placeholder of ['<unknown>', 'Anonymous', '202']) {
				const sent = decide(toAnna({ caller: { number: '202', name: placeholder, restricted: false } }));
				expect(sent.notifications.map((notification) => notification.caller.name)).toEqual(['Ben Cole']);
			}
			const unowned = decide(toAnna({ caller: { number: '299', name: '', restricted: false } }));
			expect(unowned.notifications.map((notification) => notification.caller.name)).toEqual(['']);
		});

		it('the caller number matches the internal pattern', () => {
			const caller = { number: '2999', name: '', restricted: false };
			const settings = { skipInternalCallers: true };
			expect(reasons(decide(toAnna({ caller }), settings, { internalPattern: '^\\d{2,4}$' }))).toEqual([
				[null, 'internalCaller'],
			]);
			const outside = { number: '29999', name: '', restricted: false };
			expect(recipients(decide(toAnna({ caller: outside }), settings, { internalPattern: '^\\d{2,4}$' }))).toEqual(['anna']);
		});

		it('the switch off: internal calls are mailed', () => {
			expect(recipients(decide(toAnna({ direction: 'internal' })))).toEqual(['anna']);
		});
	});

	describe('suppressed numbers', () => {
		it('restricted', () => {
			const caller = { number: CALLER, name: '', restricted: true };
			const decision = decide(toAnna({ caller }), { skipWithheldNumbers: true });
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'suppressedNumber',
					user: null,
					detail: 'The caller withheld the number. No e-mail for Anna Berg.',
				}),
			]);
		});

		it.each(['', 'anonymous', 'Unknown', 'private', 'restricted', 'unavailable', '<unknown>', 'sip:anonymous@anonymous.invalid'])(
			'number %j',
			(number) => {
				const decision = decide(toAnna({ caller: { number, name: '', restricted: false } }), {
					skipWithheldNumbers: true,
				});
				expect(reasons(decision)).toEqual([[null, 'suppressedNumber']]);
			},
		);

		it('a SIP address with a number is no withheld number: the item carries the number', () => {
			const decision = decide(toAnna({ caller: { number: 'sip:+49301234567@pbx.example.com', name: '', restricted: false } }), {
				skipWithheldNumbers: true,
			});
			expect(decision.notifications.map((notification) => notification.caller)).toEqual([
				{ number: 'sip:+49301234567@pbx.example.com', e164: '+49301234567', display: '030 1234567', name: '', restricted: false },
			]);
		});

		it('the switch off: mailed, without showing a restricted caller\'s number', () => {
			const decision = decide(toAnna({ caller: { number: CALLER, name: '', restricted: true } }));
			expect(decision.notifications[0].caller).toEqual({
				number: CALLER,
				e164: null,
				display: '',
				name: '',
				restricted: true,
			});
		});
	});

	describe('no contact data', () => {
		it.each<[string, Contact | null]>([
			['no contact', null],
			['only a phone number', { phone: '+49301234567' }],
			['a blank name', { name: '  ' }],
			// What the mail would show of it: nothing, so the mail would not name the caller either.
			['a name of only a right-to-left override', { name: '\u202E' }],
			['a company of only a control character', { company: '\u0007' }],
		])('%s: skipped', (_case, contact) => {
			const decision = decide(toAnna(), { skipWithoutContact: true }, { contact });
			expect(reasons(decision)).toEqual([[null, 'noContact']]);
		});

		it.each<[string, Contact]>([
			['a name', { name: 'Eva Kunde' }],
			['a last name', { lastName: 'Kunde' }],
			['a first name', { firstName: 'Eva' }],
			['a company', { company: 'Kunde GmbH' }],
			['an e-mail', { email: 'eva@kunde.example' }],
		])('%s: mailed', (_case, contact) => {
			expect(recipients(decide(toAnna(), { skipWithoutContact: true }, { contact }))).toEqual(['anna']);
		});
	});

	describe('repeated call the same day, in the user\'s time zone', () => {
		it('already notified this morning: skipped', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-05T08:00:00Z'));
			const decision = decide(toAnna(), { skipRepeatedSameDay: true }, { memory });
			expect(recipients(decision)).toEqual([]);
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'repeatedSameDay',
					user: { id: 'anna', name: 'Anna Berg' },
					detail: 'Anna Berg was already notified about this caller today (2024-03-05 09:00 Europe/Berlin).',
				}),
			]);
		});

		it('notified yesterday, or about another caller: mailed', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-04T16:00:00Z'));
			memory.recordNotification('anna', '+49301111111', Date.parse('2024-03-05T08:00:00Z'));
			expect(recipients(decide(toAnna(), { skipRepeatedSameDay: true }, { memory }))).toEqual(['anna']);
		});

		it('23:30 UTC is already the next day in Berlin, but not in UTC', () => {
			const memory = freshMemory();
			// 22:30 UTC = 23:30 in Berlin, both on 5 March.
			memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-05T22:30:00Z'));
			memory.recordNotification('ben', CALLER_E164, Date.parse('2024-03-05T22:30:00Z'));
			const late = (line: string) => ({
				line,
				ringingFrom: '2024-03-05T23:30:00.000Z',
				ringingUntil: '2024-03-05T23:30:20.000Z',
				result: 'notAnswered' as const,
			});
			// Resolved 23:30:20 UTC: 6 March 00:30 for anna (Berlin), still 5 March for ben (UTC).
			const decision = decide(missedCall([late('201'), late('202')]), { skipRepeatedSameDay: true }, { memory });
			expect(recipients(decision)).toEqual(['anna']);
			expect(reasons(decision)).toEqual([['ben', 'repeatedSameDay']]);
		});

		it('is applied after the recipient choice: the first user already notified, the next is not chosen instead', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-05T08:00:00Z'));
			const decision = decide(
				missedCall([leg('201', 0, 20), leg('202', 0, 20)]),
				{ skipRepeatedSameDay: true, recipients: 'first' },
				{ memory },
			);
			expect(recipients(decision)).toEqual([]);
			expect(reasons(decision)).toEqual([
				['ben', 'notSelected'],
				['anna', 'repeatedSameDay'],
			]);
		});
	});

	describe('repeated call while not logged in', () => {
		const notifiedAt = Date.parse('2024-03-04T10:00:00Z');

		it('notified before and no login seen since: skipped', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, notifiedAt);
			const decision = decide(toAnna(), { skipRepeatedUntilLogin: true }, { memory });
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'repeatedNotLoggedIn',
					detail: 'Anna Berg was already notified about this caller (2024-03-04 11:00 Europe/Berlin) and has not logged in since.',
				}),
			]);
		});

		it('a login after the notification re-enables e-mails', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, notifiedAt);
			memory.recordLogin('anna', Date.parse('2024-03-05T07:30:00Z'));
			expect(recipients(decide(toAnna(), { skipRepeatedUntilLogin: true }, { memory }))).toEqual(['anna']);
		});

		it('a login before the notification does not', () => {
			const memory = freshMemory();
			memory.recordLogin('anna', Date.parse('2024-03-04T07:30:00Z'));
			memory.recordNotification('anna', CALLER_E164, notifiedAt);
			expect(reasons(decide(toAnna(), { skipRepeatedUntilLogin: true }, { memory }))).toEqual([
				['anna', 'repeatedNotLoggedIn'],
			]);
		});

		// A sender that writes local time with "Z" stamps logins hours ahead (accepted up to 24 h). Read
		// as "logged in since", such a login mailed every repeated call until its stamp. It has not
		// happened yet by the call's clock nor by n8n's.
		it('a login timed after this call and after the filter\'s clock does not count (yet), and the detail says so', () => {
			const memory = freshMemory(Date.parse('2024-03-05T09:00:30Z'));
			memory.recordNotification('anna', CALLER_E164, notifiedAt);
			memory.recordLogin('anna', Date.parse('2024-03-05T10:00:00Z'));
			const decision = decide(toAnna(), { skipRepeatedUntilLogin: true }, { memory });
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'repeatedNotLoggedIn',
					detail:
						'Anna Berg was already notified about this caller (2024-03-04 11:00 Europe/Berlin) and has not ' +
						'logged in since; the last login (2024-03-05 11:00 Europe/Berlin) is timed after this call and ' +
						'after this moment, so it does not count yet (is the clock of the sender of logins ahead?).',
				}),
			]);
			// A call timed after that login is the first one it counts for.
			const later = toAnna({ resolvedAt: '2024-03-05T10:00:20.000Z' });
			expect(recipients(decide(later, { skipRepeatedUntilLogin: true }, { memory }))).toEqual(['anna']);
		});

		// Only the newest login is kept: a call decided late (a reorder window, a concurrent execution)
		// may meet a login newer than itself that hides an earlier one. A login already past by the
		// filter's clock has happened, so it counts: better a mail too many than one lost.
		it('a login timed after this call but already past counts, as the earlier login it may hide would', () => {
			const memory = freshMemory(Date.parse('2024-03-05T09:31:00Z'));
			memory.recordNotification('anna', CALLER_E164, notifiedAt);
			memory.recordLogin('anna', Date.parse('2024-03-05T08:30:00Z'));
			memory.recordLogin('anna', Date.parse('2024-03-05T09:30:00Z'));
			expect(recipients(decide(toAnna(), { skipRepeatedUntilLogin: true }, { memory }))).toEqual(['anna']);
		});

		it('with both repeat rules on, a same-day repeat is reported as such even after a login', () => {
			const memory = freshMemory();
			memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-05T08:00:00Z'));
			memory.recordLogin('anna', Date.parse('2024-03-05T08:30:00Z'));
			const settings = { skipRepeatedSameDay: true, skipRepeatedUntilLogin: true };
			expect(reasons(decide(toAnna(), settings, { memory }))).toEqual([['anna', 'repeatedSameDay']]);
		});
	});

	it('restricted callers are never the same caller: nothing to compare, nothing remembered', () => {
		const memory = freshMemory();
		const call = toAnna({ caller: { number: CALLER, name: '', restricted: true } });
		memory.recordNotification('anna', CALLER_E164, Date.parse('2024-03-05T08:00:00Z'));
		const decision = decide(call, { skipRepeatedSameDay: true, skipRepeatedUntilLogin: true }, { memory });
		expect(recipients(decision)).toEqual(['anna']);
		expect(decision.remember).toEqual({ callId: 'call-1', notified: [] });
	});

	describe('caller number in the excluded list', () => {
		it('a prefix pattern written nationally excludes the caller written internationally', () => {
			const decision = decide(toAnna(), { excludedNumbers: ['+49891234999', '030 1234*'] });
			expect(decision.suppressed).toEqual([
				expect.objectContaining({
					reason: 'excludedNumber',
					user: null,
					detail: 'The caller 030 1234567 is on the excluded numbers list. No e-mail for Anna Berg.',
				}),
			]);
		});

		it('the door intercom by its extension', () => {
			const caller = { number: '+49 89 1234 290', name: 'Tür', restricted: false };
			expect(reasons(decide(toAnna({ caller }), { excludedNumbers: '290' }))).toEqual([[null, 'excludedNumber']]);
		});

		it('other callers still mailed', () => {
			expect(recipients(decide(toAnna(), { excludedNumbers: '+49891234999, 0301234568' }))).toEqual(['anna']);
		});
	});

	it('call-level exceptions are checked only for the users still candidates', () => {
		const call = missedCall([leg('201', 0, 1), leg('202', 0, 20)], { direction: 'internal' });
		const decision = decide(call, { skipInternalCallers: true });
		expect(reasons(decision)).toEqual([
			['anna', 'shortRing'],
			[null, 'internalCaller'],
		]);
		expect(decision.suppressed[1].detail).toBe('Internal call. No e-mail for Ben Cole.');
	});

	it('an answered call reports "answered", not a caller exception', () => {
		const call = answeredCall([leg('201', 0, 5, 'answered')], '201', 5, false, { direction: 'internal' });
		expect(reasons(decide(call, { skipInternalCallers: true }))).toEqual([['anna', 'answered']]);
	});
});

describe('§4.5 duplicate call records', () => {
	it('a call already processed produces only a duplicateCall item', () => {
		const memory = freshMemory();
		memory.claimCall('call-1');
		const decision = decide(missedCall([leg('201', 0, 20)]), {}, { memory });
		expect(decision).toEqual({
			notifications: [],
			journal: [],
			suppressed: [
				expect.objectContaining({
					reason: 'duplicateCall',
					user: null,
					callId: 'call-1',
					detail: 'Call call-1 was already processed; this repeated delivery is ignored.',
				}),
			],
			remember: null,
		});
	});
});

describe('§4.3 journal', () => {
	it('unanswered calls for all participants, whatever the e-mail exceptions say', () => {
		const call = missedCall([leg('201', 0, 1), leg('203', 0, 20), leg('204', 0, 20)], { direction: 'internal' });
		const decision = decide(call, { skipInternalCallers: true, journalUnanswered: 'all' });
		expect(recipients(decision)).toEqual([]);
		expect(journal(decision)).toEqual([
			['anna', 'unanswered'],
			['carla', 'unanswered'],
			['dirk', 'unanswered'],
		]);
	});

	it.each([
		['first', [['anna', 'unanswered']]],
		['last', [['ben', 'unanswered']]],
		['none', []],
	] as const)('unanswered calls for the %s participant', (choice, expected) => {
		const decision = decide(missedCall([leg('201', 0, 10), leg('202', 10, 20)]), { journalUnanswered: choice });
		expect(journal(decision)).toEqual(expected);
	});

	describe('forwarded and answered: hunt anna → ben → dirk, dirk answers', () => {
		const call = answeredCall(
			[leg('201', 0, 10), leg('202', 10, 20), leg('204', 20, 25, 'answered')],
			'204',
			25,
		);

		it.each([
			['all', [['anna', 'forwardedOrAnswered'], ['ben', 'forwardedOrAnswered']]],
			['first', [['anna', 'forwardedOrAnswered']]],
			['last', [['ben', 'forwardedOrAnswered']]],
			['none', []],
		] as const)('%s: the users who rang and did not answer', (choice, expected) => {
			const decision = decide(call, { journalForwardedOrAnswered: choice, journalUnanswered: 'all' });
			expect(journal(decision)).toEqual(expected);
		});

		it('is off by default', () => {
			expect(decide(call).journal).toEqual([]);
		});
	});

	it('an entry carries the user, how long their phones rang and the call', () => {
		const call = missedCall([leg('201', 0, 4), leg('w0', 2, 6), leg('204', 0, 20)]);
		const decision = decide(call, { journalUnanswered: 'first' }, { contact: null });
		expect(decision.journal).toEqual([
			{
				kind: 'journal',
				rule: 'unanswered',
				user: {
					id: 'anna',
					name: 'Anna Berg',
					email: 'anna@example.com',
					language: 'de',
					timeZone: 'Europe/Berlin',
					ringSeconds: 6,
				},
				caller: NOTIFIED_CALLER,
				contact: null,
				call,
				legs: [
					{ ...leg('201', 0, 4), owner: { id: 'anna', name: 'Anna Berg' } },
					{ ...leg('204', 0, 20), owner: { id: 'dirk', name: 'Dirk Ernst' } },
					{ ...leg('w0', 2, 6), owner: { id: 'anna', name: 'Anna Berg' } },
				],
				answeredByUser: null,
			},
		]);
	});

	// Its end is where the trigger gave up, not where the phone stopped: a journal that sums ring
	// times must not take that guess for a measurement (the mail says "unknown" for the same leg).
	it('a user whose phone still rang when the trigger gave up has no ring time', () => {
		const call = missedCall([leg('202', 0, 8), { ...leg('201', 0, 1800), stillRinging: true }], { incomplete: true });
		const decision = decide(call, { journalUnanswered: 'all' }, { contact: null });
		expect(decision.journal.map(({ user }) => [user.id, user.ringSeconds])).toEqual([
			['anna', null],
			['ben', 8],
		]);
	});
});

describe('§4.4 every user who rang is accounted for', () => {
	it('gets an e-mail, or a suppression of their own, or is named in a call-level suppression', () => {
		const call = missedCall([leg('201', 0, 1), leg('202', 0, 20), leg('203', 0, 20), leg('204', 0, 20), leg('299', 0, 20)]);
		const decision = decide(call, { recipients: 'all' });
		expect(recipients(decision)).toEqual(['ben']);
		expect(reasons(decision)).toEqual([
			[null, 'unownedLine'],
			['anna', 'shortRing'],
			['carla', 'optedOut'],
			['dirk', 'noEmail'],
		]);
	});
});

describe('presence', () => {
	const untilLogin = office({ skipRepeatedUntilLogin: true });
	const presence = (type: 'login' | 'logout', line: string) =>
		({ kind: 'presence', type, line, at: '2024-03-05T07:00:00Z' }) as const;

	it('a login of a directory line is remembered for its owner', () => {
		expect(decidePresence(presence('login', 'w0'), untilLogin)).toEqual({
			suppressed: [],
			remember: { login: { userId: 'anna', at: Date.parse('2024-03-05T07:00:00Z') } },
		});
	});

	it('a logout changes nothing', () => {
		expect(decidePresence(presence('logout', '201'), untilLogin)).toEqual({ suppressed: [], remember: null });
	});

	// "Anna logged in and still gets no mails": the login's line id does not match hers. Without
	// a trace the administrator cannot see why.
	it('a login of a line nobody owns is a Suppressed item naming the line', () => {
		expect(decidePresence(presence('login', '299'), untilLogin)).toEqual({
			suppressed: [
				{
					detail:
						'A login of line 299 was not remembered: nobody in the directory has that line or id, so ' +
						'Exceptions → Repeated Call While Not Logged In cannot count it for anyone.',
					user: null,
					reason: 'unownedLine',
					kind: 'suppressed',
					callId: null,
					line: '299',
					caller: null,
				},
			],
			remember: null,
		});
		expect(decidePresence(presence('logout', '299'), untilLogin)).toEqual({ suppressed: [], remember: null });
	});

	// Only that rule reads logins; n8n loads and saves the whole state with every call.
	it('without the until-login rule a login is neither remembered nor reported', () => {
		const off = office();
		expect(decidePresence(presence('login', 'w0'), off)).toEqual({ suppressed: [], remember: null });
		expect(decidePresence(presence('login', '299'), off)).toEqual({ suppressed: [], remember: null });
	});
});

describe('settings', () => {
	it.each([
		[{ recipients: 'everybody' as never }, 'recipients', /^Recipients is "everybody"; it must be one of none, first, last, all/],
		[{ journalUnanswered: 'some' as never }, 'journalUnanswered', /^Journal: Unanswered Calls is "some"/],
		[{ minRingSeconds: -1 }, 'minRingSeconds', /^Exceptions → Min Ringing Time \(Seconds\) is -1/],
		[{ defaultTimeZone: 'Mars/Olympus' }, 'defaultTimeZone', /^Options → Time Zone Name or ID: "Mars\/Olympus" is not an IANA time zone such as Europe\/Berlin$/],
		[{ excludedNumbers: ['Tür*x'] }, 'excludedNumbers', /^Exceptions → Excluded Caller Numbers: "Tür\*x" is not a number/],
		[{ skipWithoutContact: 'no' as never }, 'skipWithoutContact', /^Exceptions → No Contact Data is "no"; it must be true or false$/],
		[{ alsoWhenAnsweredByThirdParty: 2 as never }, 'alsoWhenAnsweredByThirdParty', /^Also When Someone Else Answered is 2; it must be true or false$/],
	])('refuses %j naming the setting', (settings, setting, message) => {
		const error = caught(() => office(settings));
		expect(error).toBeInstanceOf(ConfigurationError);
		expect(error).toMatchObject({ setting, message: expect.stringMatching(message) });
	});

	// An expression gives text: taken as it is, "false" would switch the exception on.
	it('reads a switch an expression gives as "false" or "true" as n8n does', () => {
		const withoutContact = missedCall([leg('201', 0, 20)]);
		expect(recipients(decide(withoutContact, { skipWithoutContact: 'false' as never }, { contact: null }))).toEqual(['anna']);
		expect(reasons(decide(withoutContact, { skipWithoutContact: 'TRUE' as never }, { contact: null }))).toEqual([[null, 'noContact']]);
	});

	it('keeps defaults for settings passed as undefined', () => {
		expect(reasons(decide(missedCall([leg('201', 0, 1)]), { minRingSeconds: undefined }))).toEqual([['anna', 'shortRing']]);
	});
});

describe('§4.4 for any call and any settings', () => {
	const CALL_LEVEL = ['internalCaller', 'suppressedNumber', 'noContact', 'excludedNumber'];
	const OWNERS: Record<string, string | null> = { '201': 'anna', w0: 'anna', '202': 'ben', '203': 'carla', '204': 'dirk', '299': null };
	const choice = fc.constantFrom('none', 'first', 'last', 'all' as const);
	const settings = fc.record({
		recipients: choice,
		alsoWhenAnsweredByThirdParty: fc.boolean(),
		skipInternalCallers: fc.boolean(),
		skipWithheldNumbers: fc.boolean(),
		skipWithoutContact: fc.boolean(),
		minRingSeconds: fc.constantFrom(0, 2, 5),
		excludedNumbers: fc.constantFrom('', '030*', '299'),
	});
	const legs = fc.array(
		fc.record({ line: fc.constantFrom(...Object.keys(OWNERS)), from: fc.integer({ min: 0, max: 30 }), length: fc.integer({ min: 0, max: 10 }) }),
		{ minLength: 1, maxLength: 6 },
	);
	const caller = fc.constantFrom(CALLER, '202', 'anonymous', '+49 89 1234 299');

	it('each user who rang gets exactly one e-mail or one reason, or is covered by one call-level reason', () => {
		const answeredOn = fc.option(fc.constantFrom('201', '202', '299'), { nil: null });
		fc.assert(
			fc.property(settings, legs, caller, fc.boolean(), answeredOn, (given, rings, number, inbound, answerer) => {
				const ringing = rings.map(({ line, from, length }) => leg(line, from, from + length));
				const overrides: Partial<CallRecord> = {
					caller: { number, name: '', restricted: false },
					direction: inbound ? 'inbound' : 'internal',
				};
				const call =
					answerer === null ? missedCall(ringing, overrides) : answeredCall(ringing, answerer, 45, false, overrides);
				const decision = decide(call, given, { contact: null });

				const rang = new Set(rings.map(({ line }) => OWNERS[line]).filter((id) => id !== null));
				const mailed = recipients(decision);
				const told = decision.suppressed.flatMap((item) => (item.user === null ? [] : [item.user.id]));
				const callLevel = decision.suppressed.filter((item) => CALL_LEVEL.includes(item.reason));
				expect(new Set([...mailed, ...told]).size).toBe(mailed.length + told.length);
				expect([...mailed, ...told].every((id) => rang.has(id))).toBe(true);
				expect(callLevel.length).toBeLessThanOrEqual(1);
				if (callLevel.length === 0) expect(mailed.length + told.length).toBe(rang.size);
				else expect(mailed).toEqual([]);
				// carla opted out and dirk has no address: they can never be mailed.
				expect(mailed.every((id) => id === 'anna' || id === 'ben')).toBe(true);
				const unowned = new Set(rings.filter(({ line }) => OWNERS[line] === null).map(({ line }) => line));
				expect(decision.suppressed.filter((item) => item.reason === 'unownedLine')).toHaveLength(unowned.size);
			}),
		);
	});
});
