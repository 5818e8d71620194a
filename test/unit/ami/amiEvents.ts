/** Hand-written AMI events for what the captures do not show; fields as Asterisk 12+ sends them. */
import type { AmiMessage } from '../../../nodes/AsteriskAmiTrigger/ami/AmiParser';

export interface Snapshot {
	channel: string;
	uniqueid: string;
	linkedid: string;
	num?: string;
	name?: string;
	context?: string;
	exten?: string;
}

export const chan = (
	channel: string,
	uniqueid: string,
	linkedid: string,
	more: Partial<Snapshot> = {},
): Snapshot => ({ channel, uniqueid, linkedid, ...more });

/** A channel snapshot as AMI writes it, with the given key prefix ('', 'Dest', 'Target'). */
export function snapshot(prefix: string, s: Snapshot): AmiMessage {
	return {
		[`${prefix}Channel`]: s.channel,
		[`${prefix}CallerIDNum`]: s.num ?? '<unknown>',
		[`${prefix}CallerIDName`]: s.name ?? '<unknown>',
		[`${prefix}Context`]: s.context ?? 'from-internal',
		[`${prefix}Exten`]: s.exten ?? 's',
		[`${prefix}Uniqueid`]: s.uniqueid,
		[`${prefix}Linkedid`]: s.linkedid,
	};
}

export const event = (name: string, ...parts: AmiMessage[]): AmiMessage =>
	Object.assign({ Event: name }, ...parts);
export const newchannel = (s: Snapshot) => event('Newchannel', snapshot('', s));
export const hangup = (s: Snapshot) => event('Hangup', snapshot('', s), { Cause: '16' });
export const dialBegin = (from: Snapshot, to: Snapshot, dialString: string) =>
	event('DialBegin', snapshot('', from), snapshot('Dest', to), { DialString: dialString });
export const dialEnd = (from: Snapshot, to: Snapshot, status: string, extra: AmiMessage = {}) =>
	event('DialEnd', snapshot('', from), snapshot('Dest', to), { DialStatus: status }, extra);

/**
 * Messages as a PBX with `timestampevents = yes` sends them: CRLF lines, a blank line after each,
 * each with its `Timestamp` (epoch seconds).
 */
export function onTheWire(...stamped: Array<[seconds: number, message: AmiMessage]>): Buffer {
	const text = stamped.map(
		([seconds, message]) =>
			`${Object.entries({ ...message, Timestamp: seconds.toFixed(6) })
				.map(([key, value]) => `${key}: ${value}\r\n`)
				.join('')}\r\n`,
	);
	return Buffer.from(text.join(''), 'utf8');
}

/**
 * Two calls around the publishing of a workflow, on a PBX whose clock reads `T` (epoch seconds,
 * whole) when call A's caller channel is made; Asterisk's unique ids carry that clock too. FreePBX
 * dials from macro-dial-one at extension `s`, so the number dialled is in the Newchannel only.
 *
 * Call A rings 201 and 202; 201 answers before the publishing, its late events (202 stops ringing,
 * a short talk) come after it. Call B rings 203 from T + 3.5 s on, across the publishing, and ends
 * after it with `status`.
 */
export function callsAcrossPublishing(T: number) {
	const iso = (seconds: number) => new Date((T + seconds) * 1000).toISOString();
	const dialling = (caller: Snapshot): Snapshot => ({ ...caller, context: 'macro-dial-one', exten: 's' });
	const callerA = chan('PJSIP/sipgate-00000070', `${T}.70`, `${T}.70`, {
		num: '+4930111222',
		name: 'Erika Mustermann',
		context: 'from-pstn',
		exten: '4989100',
	});
	const phone201 = chan('PJSIP/201-00000071', `${T + 1}.71`, `${T}.70`);
	const phone202 = chan('PJSIP/202-00000072', `${T + 1}.72`, `${T}.70`);
	const callerB = chan('PJSIP/sipgate-00000080', `${T + 2}.80`, `${T + 2}.80`, {
		num: '+4930333444',
		name: 'Max Muster',
		context: 'from-pstn',
		exten: '4989200',
	});
	const phone203 = chan('PJSIP/203-00000081', `${T + 3}.81`, `${T + 2}.80`);

	const callB = {
		kind: 'call',
		callId: `${T + 2}.80`,
		direction: 'inbound',
		caller: { number: '+4930333444', name: 'Max Muster', restricted: false },
		called: '4989200',
		startedAt: iso(2.4),
		voicemail: null,
		incomplete: false,
	};
	return {
		callIdA: `${T}.70`,
		/** Call A answered by 201, call B ringing 203. */
		beforePublishing: onTheWire(
			[T + 0.3, newchannel(callerA)],
			[T + 1.2, dialBegin(dialling(callerA), phone201, '201/sip:201@192.0.2.21:5060')],
			[T + 1.2, dialBegin(dialling(callerA), phone202, '202/sip:202@192.0.2.22:5060')],
			[T + 2.4, newchannel(callerB)],
			[T + 3.5, dialBegin(dialling(callerB), phone203, '203/sip:203@192.0.2.23:5060')],
			[T + 6, dialEnd(dialling(callerA), phone201, 'ANSWER')],
		),
		/** Call A's late events, then call B ends with `status`. */
		afterPublishing: (status: 'NOANSWER' | 'ANSWER') =>
			onTheWire(
				[T + 6, dialEnd(dialling(callerA), phone202, 'CANCEL')],
				[T + 6, hangup(phone202)],
				[T + 9, hangup(phone201)],
				[T + 9, hangup(callerA)],
				[T + 20, dialEnd(dialling(callerB), phone203, status)],
				[T + 80, hangup(phone203)],
				[T + 80, hangup(callerB)],
			),
		/** Call B's record after NOANSWER. */
		missedB: {
			...callB,
			resolvedAt: iso(80),
			outcome: 'missed',
			answeredBy: null,
			legs: [{ line: '203', ringingFrom: iso(3.5), ringingUntil: iso(20), result: 'notAnswered' }],
		},
		/** Call B's record after ANSWER. */
		answeredB: {
			...callB,
			resolvedAt: iso(20),
			outcome: 'answered',
			answeredBy: { line: '203', at: iso(20), pickup: false },
			legs: [{ line: '203', ringingFrom: iso(3.5), ringingUntil: iso(20), result: 'answered' }],
		},
	};
}
