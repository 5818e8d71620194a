/** Unit tests run on the machine's Node; end-to-end tests start a real n8n (Node 24) themselves. */
module.exports = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	// The system suite is long: `npm run test:system` (also run by .ci/run).
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/system/'],
	globalSetup: '<rootDir>/test/support/globalSetup.ts',
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
	testTimeout: 30000,
};
