/**
 * The trigger's note that n8n is stopping. Run in a child process: the signal goes to a process of
 * its own, not to the test runner.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MODULE = path.resolve(__dirname, '../../../nodes/CallEventTrigger/shutdown.ts');

function stoppingAround(signal: NodeJS.Signals): string {
	const script = `
		const { isStopping } = require(${JSON.stringify(MODULE)});
		const before = isStopping();
		process.kill(process.pid, ${JSON.stringify(signal)});
		// Signals arrive asynchronously; the listener has run by the next turn.
		setTimeout(() => console.log(JSON.stringify([before, isStopping()])), 100);
	`;
	const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
	expect(child.stderr).toBe('');
	return child.stdout.trim();
}

describe('isStopping', () => {
	it.each(['SIGTERM', 'SIGINT'] as const)('turns true on %s, and only notes it (the process goes on)', (signal) => {
		expect(stoppingAround(signal)).toBe('[false,true]');
	});
});
