/**
 * Installs Node 24 and n8n into the cache before any test runs (minutes on a fresh machine, instant
 * afterwards), so that no end-to-end test's timeout pays for the first install; and packs the built
 * package once for every test process that starts an n8n (removed again by the global teardown).
 */
import { ensureN8n, isBuilt, PACKED_TARBALL_ENV, packIntoTempFolder } from '../../scripts/lib/n8nHost';

export default async function globalSetup(): Promise<void> {
	const started = Date.now();
	const runtime = await ensureN8n();
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	process.stdout.write(`\nn8n runtime ready in ${seconds} s: ${runtime.n8nBin}\n`);
	// Without a build only the unit tests can run; a test that starts n8n then says to build.
	if (isBuilt()) process.env[PACKED_TARBALL_ENV] = await packIntoTempFolder();
}
