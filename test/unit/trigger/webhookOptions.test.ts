/**
 * The Call Event Trigger's source and options as its webhook reads them: defaults when left out, and a clear
 * refusal for values an expression may give outside the editor's bounds (a NaN would otherwise
 * switch the body limit or the silence timeout off without a word).
 */
import { CallEventTrigger } from '../../../nodes/CallEventTrigger/CallEventTrigger.node';
import { ConfigurationError } from '../../../nodes/shared/errors';
import {
	MAX_BODY_KB,
	REORDER_WINDOW_MS,
	webhookSettingsFrom,
} from '../../../nodes/CallEventTrigger/webhookOptions';

const optionsCollection = new CallEventTrigger().description.properties.find((property) => property.name === 'options');
const option = (name: string) => (optionsCollection?.options ?? []).find((entry) => entry.name === name) as {
	default: unknown;
	typeOptions?: { minValue?: number; maxValue?: number };
};

describe('webhookSettingsFrom', () => {
	it('an empty options collection gives the defaults the editor shows', () => {
		expect(webhookSettingsFrom({ source: 'generic', options: {} }, 'production')).toEqual({
			source: 'generic',
			emitPresence: option('emitPresence').default,
			maxBodyBytes: (option('maxBodyKb').default as number) * 1024,
			// Only the sipgate source answers a newCall with XML.
			subscribeAnswerHangup: false,
			assembly: {
				silenceMs: (option('silenceMinutes').default as number) * 60_000,
				maxPendingCalls: option('maxPendingCalls').default,
				reorderWindowMs: option('reorderWindowMs').default,
			},
		});
	});

	it('checks the bounds the editor shows', () => {
		expect(option('maxBodyKb')).toMatchObject({
			default: MAX_BODY_KB.default,
			typeOptions: { minValue: MAX_BODY_KB.min, maxValue: MAX_BODY_KB.max },
		});
		expect(option('reorderWindowMs')).toMatchObject({
			default: REORDER_WINDOW_MS.default,
			typeOptions: { minValue: REORDER_WINDOW_MS.min, maxValue: REORDER_WINDOW_MS.max },
		});
	});

	it('passes set values on; a test run holds no call back', () => {
		const options = { emitPresence: false, maxBodyKb: 2, maxPendingCalls: 50, reorderWindowMs: 2000, silenceMinutes: 1 };
		expect(webhookSettingsFrom({ source: 'sipgate', options }, 'production')).toEqual({
			source: 'sipgate',
			emitPresence: false,
			maxBodyBytes: 2048,
			subscribeAnswerHangup: option('subscribeAnswerHangup').default,
			assembly: { silenceMs: 60_000, maxPendingCalls: 50, reorderWindowMs: 2000 },
		});
		expect(webhookSettingsFrom({ source: 'sipgate', options }, 'test').assembly.reorderWindowMs).toBe(0);
		const zammadStyle = { ...options, subscribeAnswerHangup: false };
		expect(webhookSettingsFrom({ source: 'sipgate', options: zammadStyle }, 'production').subscribeAnswerHangup).toBe(false);
	});

	it.each([
		[{ maxBodyKb: Number.NaN }, 'maxBodyKb', /^Options → Max Body Size \(KB\) is NaN/],
		[{ maxBodyKb: 0 }, 'maxBodyKb', /from 1 to 16384/],
		[{ maxPendingCalls: 9 }, 'maxPendingCalls', /^Options → Max Pending Calls is 9; it must be a whole number, 10 or more/],
		[{ reorderWindowMs: 'two seconds' }, 'reorderWindowMs', /^Options → Reorder Window \(Milliseconds\) is "two seconds"/],
		[{ reorderWindowMs: 120_000 }, 'reorderWindowMs', /from 0 to 60000/],
		[{ silenceMinutes: 'thirty' }, 'silenceMinutes', /^Options → Silence Timeout \(Minutes\) is "thirty"; it must be a number of minutes, 1 or more/],
		[{ source: 'asterisk', options: {} }, 'source', /^Source is "asterisk"; it must be one of generic, sipgate$/],
		[{ source: 'constructor', options: {} }, 'source', /^Source is "constructor"; it must be one of generic, sipgate$/],
	])('refuses %p, naming the parameter', (options, setting, message) => {
		const parameters = 'source' in options ? options : { source: 'generic', options };
		let caught: unknown;
		try {
			webhookSettingsFrom(parameters as never, 'production');
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ConfigurationError);
		expect((caught as ConfigurationError).setting).toBe(setting);
		expect((caught as ConfigurationError).message).toMatch(message);
	});
});
