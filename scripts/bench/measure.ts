/**
 * What every bench section shares: a stopwatch that adds up only the timed work, heap readings
 * after a forced collection, the workload checks, and the plain-text tables.
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Adds up the time spent inside `time()`, so input generation and checks stay out of the figure. */
export class Stopwatch {
	private nanoseconds = 0n;

	time<T>(work: () => T): T {
		const start = process.hrtime.bigint();
		try {
			return work();
		} finally {
			this.nanoseconds += process.hrtime.bigint() - start;
		}
	}

	async timeAsync<T>(work: () => Promise<T>): Promise<T> {
		const start = process.hrtime.bigint();
		try {
			return await work();
		} finally {
			this.nanoseconds += process.hrtime.bigint() - start;
		}
	}

	get seconds(): number {
		return Number(this.nanoseconds) / 1e9;
	}
}

// A heap figure is only comparable after a full collection. `--expose-gc` set at run time and a
// fresh context hand out `gc` without re-starting node under tsx with other flags.
setFlagsFromString('--expose-gc');
const collectGarbage = (globalThis.gc ?? runInNewContext('gc')) as () => void;

/** Heap in use after a full collection, in bytes. */
export function heapUsedAfterGc(): number {
	collectGarbage();
	collectGarbage();
	return process.memoryUsage().heapUsed;
}

/**
 * Workload checks: a benchmark asserts nothing about speed, but figures measured on a workload that
 * went wrong are worthless, so the run reports it and exits non-zero.
 */
export class Checks {
	readonly failures: string[] = [];

	verify(ok: boolean, what: string): void {
		if (ok) return;
		this.failures.push(what);
		console.log(`  WRONG: ${what}`);
	}
}

/** Node version, CPU model, core count and date: the figures hold for this machine only. */
export function machineSummary(): string {
	const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
	return `node ${process.version} | ${model} | ${cpus().length} cores | ${new Date().toISOString()}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function count(value: number): string {
	return integer.format(value);
}

export function perSecond(items: number, seconds: number): string {
	return `${count(items / seconds)}/s`;
}

export function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function duration(seconds: number): string {
	if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} µs`;
	return seconds < 1 ? `${(seconds * 1e3).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

/** `part / whole` as a factor, e.g. "3.42×". */
export function times(part: number, whole: number): string {
	const factor = part / whole;
	return `${factor.toFixed(factor < 10 ? 2 : 1)}×`;
}

export function rateHeader(unit: string): string[] {
	return ['workload', `${unit}/s`, `per ${unit}`, 'total', 'cost vs baseline'];
}

/** The workload's rate, its time per item and total, and its cost as a multiple of the baseline's. */
export function rateRow(name: string, items: number, time: Stopwatch, baseline: Stopwatch): string[] {
	return [
		name,
		perSecond(items, time.seconds),
		duration(time.seconds / items),
		duration(time.seconds),
		times(time.seconds, baseline.seconds),
	];
}

/** Left-aligned first column, right-aligned figures. */
export function printTable(title: string, header: string[], rows: string[][]): void {
	const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]) =>
		cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
	console.log(`\n${title}`);
	console.log(`  ${line(header)}`);
	console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
	for (const row of rows) console.log(`  ${line(row)}`);
}
