/** Unit tests run on the machine's Node; end-to-end tests start a real n8n (Node 24) themselves. */
module.exports = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	// The end-to-end suites share one n8n install and start their own servers: run files one by one
	// only where it matters (see test/e2e); unit tests are fast either way.
	testTimeout: 30000,
};
