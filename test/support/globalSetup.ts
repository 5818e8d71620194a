/**
 * Installs Node 24 and n8n into the cache before any test runs (minutes on a fresh machine, instant
 * afterwards), so that no end-to-end test's timeout pays for the first install.
 */
import { ensureN8n } from '../../scripts/lib/n8nHost';

export default async function globalSetup(): Promise<void> {
	const started = Date.now();
	const runtime = await ensureN8n();
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	process.stdout.write(`\nn8n runtime ready in ${seconds} s: ${runtime.n8nBin}\n`);
}
