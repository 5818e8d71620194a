/** Removes the package the global setup packed. */
import { rmSync } from 'node:fs';
import path from 'node:path';

import { PACKED_TARBALL_ENV } from '../../scripts/lib/n8nHost';

export default function globalTeardown(): void {
	const tarball = process.env[PACKED_TARBALL_ENV];
	if (tarball) rmSync(path.dirname(tarball), { recursive: true, force: true });
}
