/** Unit tests run on the machine's Node; end-to-end tests start a real n8n (Node 24) themselves. */
module.exports = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	// The system suite runs on its own, in band, after these (`npm test`; `npm run test:system`).
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/system/'],
	globalSetup: '<rootDir>/test/support/globalSetup.ts',
	globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
	testTimeout: 30000,
};
