/**
 * eslint-plugin-n8n-nodes-base ships eslintrc-style configs; this maps its three rule sets onto
 * ESLint 9 flat config, each on the files it is meant for (as n8n-nodes-starter does).
 */
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const plugins = { 'n8n-nodes-base': n8nNodesBase };

module.exports = [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', '*.js'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins,
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The rule's own text: "Only applicable to nodes in the main repository"; ours link to our docs.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Our credentials are an SMTP account, a webhook secret and an AMI login, not HTTP APIs
			// (n8n's own Smtp and HttpHeaderAuth credentials carry no "Api" suffix either).
			'n8n-nodes-base/cred-class-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-name-unsuffixed': 'off',
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
		},
	},
	{
		// The node rules read node classes and parameter descriptions; the plain modules beside them
		// (call model, assembly, rules, rendering) are not node code and would only meet false positives.
		files: ['nodes/**/*.node.ts', 'nodes/**/description.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Same credentials as above: not HTTP APIs.
			'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off',
		},
	},
];
