/**
 * `npm run bench` (or `npx tsx scripts/bench.ts [ami|filter|composer|n8n]`): throughput of the
 * three nodes' plain modules and of the whole chain in a real n8n, each as a ratio against a
 * baseline measured in the same run on the same machine (docs/benchmarks.md). Asserts nothing about speed; exits 1 when a workload went wrong.
 */
import { benchAmi } from './bench/ami';
import { benchComposer } from './bench/composer';
import { benchFilter } from './bench/filter';
import { Checks, machineSummary } from './bench/measure';
import { benchN8n } from './bench/n8n';

const SECTIONS: Record<string, (checks: Checks) => Promise<void>> = {
	ami: benchAmi,
	filter: benchFilter,
	composer: benchComposer,
	n8n: benchN8n,
};

async function main(): Promise<number> {
	const requested = process.argv.slice(2);
	const unknown = requested.filter((name) => !(name in SECTIONS));
	if (unknown.length > 0) {
		const usage = `tsx scripts/bench.ts [${Object.keys(SECTIONS).join('|')}]…`;
		console.error(`Unknown section ${unknown.join(', ')}; usage: ${usage}`);
		return 2;
	}
	const names = requested.length > 0 ? requested : Object.keys(SECTIONS);
	console.log(`Machine: ${machineSummary()}`);
	const checks = new Checks();
	for (const name of names) {
		const started = Date.now();
		await SECTIONS[name](checks);
		console.log(`  (${name}: ${((Date.now() - started) / 1000).toFixed(0)} s wall time)`);
	}
	if (checks.failures.length === 0) return 0;
	console.log(`\n${checks.failures.length} workload check(s) failed; the figures above are not valid:`);
	for (const failure of checks.failures) console.log(`  - ${failure}`);
	return 1;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
