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
