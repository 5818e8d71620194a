/**
 * The webhook's authentication: what a request must send, and which credentials are refused because
 * they cannot protect the webhook (the trigger then answers 500 and does not publish).
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';
import {
	checkRequest,
	credentialProblem,
	MIN_SECRET_LENGTH,
	unusableCredentialAnswer,
	urlWithCredentials,
} from '../../../nodes/CallEventTrigger/webhookAuth';

const SECRET = 'pbx-shared-secret-0123456789';
const header = { name: 'X-Call-Event-Secret', value: SECRET };
const basic = { user: 'pbx', password: 'pbx-password-42' };
const basicHeader = (credentials: string) => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });

describe('checkRequest', () => {
	it.each([
		['no header', {}, { ok: false, statusCode: 401, message: 'Header X-Call-Event-Secret is missing' }],
		['a wrong secret', { 'x-call-event-secret': `${SECRET}x` }, { ok: false, statusCode: 403, message: 'Header X-Call-Event-Secret is wrong' }],
		['an empty one', { 'x-call-event-secret': '' }, { ok: false, statusCode: 403, message: 'Header X-Call-Event-Secret is wrong' }],
		['the secret', { 'x-call-event-secret': SECRET }, { ok: true }],
	])('header secret, %s', (_case, headers, verdict) => {
		expect(checkRequest('headerAuth', header, headers)).toEqual(verdict);
	});

	it.each([
		['no Authorization', {}, { ok: false, statusCode: 401, message: 'Basic authentication required' }],
		['another scheme', { authorization: 'Bearer abc' }, { ok: false, statusCode: 401, message: 'Basic authentication required' }],
		['a wrong password', basicHeader('pbx:pbx-password-43'), { ok: false, statusCode: 403, message: 'Wrong user or password' }],
		['a wrong user', basicHeader('pbX:pbx-password-42'), { ok: false, statusCode: 403, message: 'Wrong user or password' }],
		['no colon', basicHeader('pbxpbx-password-42'), { ok: false, statusCode: 403, message: 'Wrong user or password' }],
		['user and password', basicHeader('pbx:pbx-password-42'), { ok: true }],
	])('basic auth, %s', (_case, headers, verdict) => {
		expect(checkRequest('basicAuth', basic, headers)).toEqual(verdict);
	});

	it('none lets every request in', () => {
		expect(checkRequest('none', {}, {})).toEqual({ ok: true });
	});
});

describe('credentialProblem', () => {
	it('accepts sound credentials', () => {
		expect(credentialProblem('headerAuth', header)).toBeNull();
		expect(credentialProblem('headerAuth', { ...header, value: 'x'.repeat(MIN_SECRET_LENGTH) })).toBeNull();
		expect(credentialProblem('basicAuth', basic)).toBeNull();
		expect(credentialProblem('none', {})).toBeNull();
	});

	it.each([
		['headerAuth', { ...header, value: '' }, 'the Secret has 0 characters; at least 16 are needed, so that it cannot be guessed'],
		['headerAuth', { ...header, value: 'x'.repeat(MIN_SECRET_LENGTH - 1) }, 'the Secret has 15 characters; at least 16 are needed, so that it cannot be guessed'],
		['headerAuth', { ...header, name: 'X Secret' }, 'the Header Name "X Secret" is not an HTTP header name'],
		['headerAuth', { ...header, name: '' }, 'the Header Name "" is not an HTTP header name'],
		['basicAuth', { ...basic, user: '' }, 'the User is empty'],
		['basicAuth', { ...basic, user: 'pbx:1' }, 'the User contains ":", which Basic authentication cannot carry'],
		['basicAuth', { ...basic, password: '' }, 'the Password is empty'],
		['jwt', {}, 'Authentication "jwt" is not one of basicAuth, headerAuth, none'],
		['constructor', {}, 'Authentication "constructor" is not one of basicAuth, headerAuth, none'],
	])('%s with %j: %s', (authentication, credentials, problem) => {
		expect(credentialProblem(authentication as never, credentials)).toBe(problem);
	});
});

describe("the credentials' Test button (run by the trigger node)", () => {
	const trigger = new CallEventTrigger();
	const testOf = (type: string) => {
		const method = trigger.description.credentials?.find((credential) => credential.name === type)?.testedBy;
		expect(typeof method).toBe('string');
		const test = trigger.methods.credentialTest[method as keyof typeof trigger.methods.credentialTest];
		return (data: Record<string, unknown>) =>
			test.call({} as ICredentialTestFunctions, { id: '1', name: 'PBX', type, data } as ICredentialsDecrypted);
	};

	it.each([
		['callEventHeaderAuth', header, 'The secret can protect the webhook'],
		['callEventBasicAuth', basic, 'User and password can protect the webhook'],
	])('%s: a sound credential is OK', async (type, data, message) => {
		await expect(testOf(type)(data)).resolves.toEqual({ status: 'OK', message });
	});

	it.each([
		[
			'callEventHeaderAuth',
			{ ...header, value: 'short-secret' },
			'This credential cannot protect the webhook: the Secret has 12 characters; at least 16 are needed, so that it cannot be guessed',
		],
		['callEventHeaderAuth', { ...header, name: 'X Secret' }, 'This credential cannot protect the webhook: the Header Name "X Secret" is not an HTTP header name'],
		['callEventBasicAuth', { ...basic, password: '' }, 'This credential cannot protect the webhook: the Password is empty'],
	])('%s with %j: the problem publishing would name', async (type, data, message) => {
		await expect(testOf(type)(data)).resolves.toEqual({ status: 'Error', message });
	});
});

describe('the answer while the credential cannot protect the webhook', () => {
	const problem = 'the Secret has 12 characters; at least 16 are needed, so that it cannot be guessed';

	it('names the problem on the test URL, which only the administrator uses', () => {
		expect(unusableCredentialAnswer(problem, 'test')).toBe(`The trigger's credential cannot protect this webhook: ${problem}`);
	});

	it('keeps it to n8n on the production URL', () => {
		expect(unusableCredentialAnswer(problem, 'production')).toBe(
			"The trigger's credential cannot protect this webhook; n8n's log says why",
		);
	});
});

// sipgate.io authenticates only by user and password in the URL it posts to.
describe('the webhook URL with credentials in it', () => {
	const url = 'https://n8n.example.com/webhook/sipgate';

	it('carries Basic Auth user and password, percent-encoded where a URL needs it', () => {
		// "%41" would read back as "A" if "%" were not encoded itself (the URL setters leave it).
		const credentials = { user: 'pbx office%', password: 'p@ss:w/rd#1%41' };
		const withCredentials = new URL(urlWithCredentials(url, 'basicAuth', credentials));
		expect(decodeURIComponent(withCredentials.username)).toBe(credentials.user);
		expect(decodeURIComponent(withCredentials.password)).toBe(credentials.password);
		expect(`${withCredentials.origin}${withCredentials.pathname}`).toBe(url);
	});

	it('is the plain URL for the other authentications', () => {
		expect(urlWithCredentials(url, 'headerAuth', header)).toBe(url);
		expect(urlWithCredentials(url, 'none', {})).toBe(url);
	});
});
