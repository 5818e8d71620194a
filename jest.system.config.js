/** `npm run test:system`: the long reliability and security suite against a real n8n (issue 6). */
const base = require('./jest.config');

module.exports = {
	...base,
	testMatch: ['<rootDir>/test/system/**/*.test.ts'],
	testPathIgnorePatterns: [],
	testTimeout: 600000,
};
