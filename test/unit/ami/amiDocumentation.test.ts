/**
 * Where the Asterisk AMI credential and node send users must exist in what npm installs: the
 * package ships only `dist` (package.json `files`), so a path such as docs/asterisk.md is no help,
 * and a README anchor must match one of the README's headings as npm renders it.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { AsteriskAmi } from '../../../credentials/AsteriskAmi.credentials';
import { AsteriskAmiTrigger } from '../../../nodes/AsteriskAmiTrigger/AsteriskAmiTrigger.node';

const ROOT = path.resolve(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
};

/** The anchors npm (like GitHub) gives the README's headings. */
function readmeAnchors(): string[] {
	return readFileSync(path.join(ROOT, 'README.md'), 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) =>
			line
				.replace(/^#+ /, '')
				.trim()
				.toLowerCase()
				.replace(/[^\p{L}\p{N}\s-]/gu, '')
				.replace(/\s/g, '-'),
		);
}

describe('Asterisk AMI documentation links', () => {
	it("the credential's documentationUrl is the package's npm page at an anchor its README has", () => {
		const url = new URL(new AsteriskAmi().documentationUrl);
		expect(`${url.origin}${url.pathname}`).toBe(`https://www.npmjs.com/package/${packageJson.name}`);
		expect(readmeAnchors()).toContain(url.hash.slice(1));
	});

	it('the node names no file the published package leaves out', () => {
		const texts = new AsteriskAmiTrigger().description.properties.map((p) => p.displayName);
		for (const text of texts) expect(text).not.toMatch(/\bdocs\/|\.md\b/);
	});
});
