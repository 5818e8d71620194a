/**
 * The real Asterisk AMI captures in ../shared/fixtures/ami, read in place (not copied).
 * Source: public repository sweeney/asterisk-mqtt, testdata/fixtures/*.raw,
 * commit 386d8dc91fe945b437e6a390bd395ec6eff9bf44, MIT licence.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

const PROJECT_ROOT = path.resolve(__dirname, '../../..');
const CAPTURE_DIR = path.resolve(PROJECT_ROOT, '../shared/fixtures/ami');

export const CAPTURES = [
	'unanswered-huntgroup',
	'unanswered-cancel',
	'answered-internal',
	'answered-outbound',
] as const;
export type CaptureName = (typeof CAPTURES)[number];

export function readCapture(name: CaptureName): Buffer {
	return readFileSync(path.join(CAPTURE_DIR, `${name}.raw`));
}

/** Cuts `bytes` into pieces of 1…maxChunk bytes. */
export function splitRandomly(bytes: Buffer, random: () => number, maxChunk: number): Buffer[] {
	const pieces: Buffer[] = [];
	for (let start = 0; start < bytes.length; ) {
		const size = 1 + Math.floor(random() * maxChunk);
		pieces.push(bytes.subarray(start, start + size));
		start += size;
	}
	return pieces;
}
