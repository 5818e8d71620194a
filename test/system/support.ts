/**
 * Shared pieces of the system suite (issue 6): the n8n environment it runs with, a seeded random
 * generator, bounded-concurrency posting, the executions of the internal REST API, and parsing of
 * received mails. Stacks themselves come from ../e2e/support.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import { sleep } from '../../scripts/lib/n8nHost';
import type { ReceivedMail } from '../../scripts/lib/smtpSink';
import type { Stack } from '../e2e/support';

/**
 * n8n's legacy expression engine. Every production webhook request evaluates the trigger's
 * `path` expression; the default 2.x engine makes an isolate for that, which costs ≈50 ms of n8n CPU
 * per request on this 2-core machine (measured: 4000 requests answered 202 at concurrency 16 in
 * 201 s, against 6 s with this setting). The suite's 30 000 requests would not fit the CI budget
 * otherwise. What the nodes do is the same on both engines: the workflows use no expressions.
 */
export const SYSTEM_ENV: Record<string, string> = { N8N_EXPRESSION_ENGINE: 'legacy' };

/** Every execution saved, so that "no execution was started" can be counted. */
export const SAVE_ALL_EXECUTIONS: Record<string, string> = {
	...SYSTEM_ENV,
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
	EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
};

export const OWNER = {
	email: 'owner@example.com',
	password: 'System-Suite-0wner!',
	firstName: 'System',
	lastName: 'Suite',
};

export interface DirectoryEntry {
	id: string;
	email: string;
	lines: string[];
	timeZone?: string;
}

/** The Missed Call Filter's directory parameter (JSON text). */
export function directoryJson(users: DirectoryEntry[]): string {
	return JSON.stringify(
		users.map((user) => ({ name: user.id, language: 'en', timeZone: 'Europe/Berlin', ...user })),
	);
}

/** mulberry32: small, fast and reproducible; the seed is printed with every failure that matters. */
export class Random {
	private state: number;

	constructor(readonly seed: number) {
		this.state = seed >>> 0;
	}

	/** In [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	pick<T>(values: readonly T[]): T {
		return values[Math.floor(this.next() * values.length)];
	}

	/** Picks by weight: `[[3, a], [1, b]]` gives a three times as often as b. */
	weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
		const total = choices.reduce((sum, [weight]) => sum + weight, 0);
		let point = this.next() * total;
		for (const [weight, value] of choices) {
			point -= weight;
			if (point < 0) return value;
		}
		return choices[choices.length - 1][1];
	}

	/** A string of `length` characters drawn from `alphabet`. */
	string(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
		let text = '';
		for (let i = 0; i < length; i++) text += alphabet[Math.floor(this.next() * alphabet.length)];
		return text;
	}

	shuffle<T>(values: T[]): T[] {
		for (let i = values.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			[values[i], values[j]] = [values[j], values[i]];
		}
		return values;
	}
}

/** Runs `work` over `items` with at most `concurrency` at a time, in order of the list. */
export async function runPool<T>(
	items: readonly T[],
	concurrency: number,
	work: (item: T, index: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			await work(items[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function isReady(stack: Stack): Promise<boolean> {
	try {
		return (await fetch(`${stack.n8n.baseUrl}/healthz/readiness`)).ok;
	} catch {
		return false;
	}
}

/** Waits until no new mail has arrived for `quietMs` (a mail that should not come has had time). */
export async function mailsSettled(mails: () => number, quietMs = 1500, timeoutMs = 120_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	let seen = mails();
	let since = Date.now();
	while (Date.now() - since < quietMs) {
		if (Date.now() > deadline) throw new Error(`mails still arriving after ${timeoutMs} ms`);
		await sleep(100);
		if (mails() !== seen) {
			seen = mails();
			since = Date.now();
		}
	}
	return seen;
}

export interface HtmlElement {
	name: string;
	attribs: Record<string, string>;
}

/** Every element of the mail's HTML part, parsed by htmlparser2 as a mail client's parser would. */
export function htmlElements(mail: ReceivedMail): HtmlElement[] {
	const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
	return DomUtils.findAll(() => true, parseDocument(html).children).map((element) => ({
		name: element.name,
		attribs: element.attribs,
	}));
}

/** The numbers behind the mail's telephony links (`tel:+4930…`), `%23` read back as `#`. */
export function telephonyLinkNumbers(mail: ReceivedMail): string[] {
	return htmlElements(mail)
		.map((element) => element.attribs.href ?? '')
		.filter((href) => href.startsWith('tel:'))
		.map((href) => decodeURIComponent(href.slice('tel:'.length)));
}
