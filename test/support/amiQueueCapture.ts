/**
 * An AMI stream of a queue call, written as Asterisk 12+ writes it (app_queue on plain Asterisk:
 * members are `PJSIP/<ext>` interfaces), for what the real captures do not show: a caller who
 * waits while the queue rings its members round after round. Every event carries a `Timestamp`
 * (`timestampevents = yes`), so a wait of many minutes replays in a moment.
 */
import type { AmiMessage } from '../../nodes/AsteriskAmiTrigger/ami/AmiParser';
import { chan, dialBegin, dialEnd, event, hangup, newchannel, snapshot, type Snapshot } from '../unit/ami/amiEvents';

export interface QueueCallOptions {
	/** Epoch seconds of the caller's channel. */
	start: number;
	callerNumber: string;
	members: string[];
	/** Rounds in which every member rings `ringSeconds` and nobody answers, `pauseSeconds` apart. */
	rounds: number;
	ringSeconds: number;
	pauseSeconds: number;
	/** The member who answers in the round after them, 4 s into it. */
	answeredBy: string;
}

function write(message: AmiMessage, time: number): string {
	const fields = { Event: message.Event, Timestamp: time.toFixed(6), ...message };
	return `${Object.entries(fields)
		.map(([key, value]) => `${key}: ${value}`)
		.join('\r\n')}\r\n\r\n`;
}

export function queueCallCapture(options: QueueCallOptions): Buffer {
	const linkedid = `${options.start}.100`;
	const caller: Snapshot = chan('PJSIP/trunk-00000100', linkedid, linkedid, {
		num: options.callerNumber,
		name: 'Queue Caller',
		context: 'from-pstn',
		exten: '400',
	});
	const out: string[] = [write(newchannel(caller), options.start)];
	let channel = 0x200;
	let counter = 101;
	const member = (name: string, line: string, phone: Snapshot) =>
		event(name, snapshot('', caller), snapshot('Dest', phone), { Queue: 'support', MemberName: `PJSIP/${line}`, Interface: `PJSIP/${line}` });
	const ring = (time: number) =>
		options.members.map((line) => {
			const phone = chan(`PJSIP/${line}-${(channel++).toString(16).padStart(8, '0')}`, `${Math.floor(time)}.${counter++}`, linkedid);
			out.push(write(member('AgentCalled', line, phone), time), write(dialBegin(caller, phone, `PJSIP/${line}`), time));
			return { line, phone };
		});
	let time = options.start + 1;
	for (let round = 0; round < options.rounds; round++) {
		const phones = ring(time);
		time += options.ringSeconds;
		for (const { line, phone } of phones) {
			out.push(write(member('AgentRingNoAnswer', line, phone), time), write(dialEnd(caller, phone, 'NOANSWER'), time), write(hangup(phone), time));
		}
		time += options.pauseSeconds;
	}
	const phones = ring(time);
	time += 4;
	for (const { line, phone } of phones) {
		if (line === options.answeredBy) {
			out.push(write(dialEnd(caller, phone, 'ANSWER'), time), write(member('AgentConnect', line, phone), time));
		} else {
			out.push(write(dialEnd(caller, phone, 'CANCEL'), time), write(hangup(phone), time));
		}
	}
	time += 60;
	out.push(write(hangup(caller), time));
	return Buffer.from(out.join(''), 'utf8');
}
