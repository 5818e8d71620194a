/**
 * numberSetting, choiceSetting, booleanSetting: the checks every option of the package goes through. n8n's editor keeps
 * typed values in bounds, but an expression can give anything.
 */
import { ConfigurationError } from '../../../nodes/shared/errors';
import { booleanSetting, choiceSetting, numberSetting, type NumberRule } from '../../../nodes/shared/settings';

const minutes: NumberRule = { default: 30, min: 1, unit: 'minutes' };
const window: NumberRule = { default: 0, min: 0, max: 60_000, unit: 'milliseconds' };
const entries: NumberRule = { default: 100, min: 1, whole: true };

function refusal(run: () => unknown): ConfigurationError {
	try {
		run();
	} catch (error) {
		if (error instanceof ConfigurationError) return error;
		throw error;
	}
	throw new Error('expected a ConfigurationError');
}

describe('numberSetting', () => {
	it.each([
		[undefined, 30],
		[null, 30],
		[1, 1],
		[2.5, 2.5],
	])('silenceMinutes %p → %p', (value, expected) => {
		expect(numberSetting('silenceMinutes', value, minutes)).toBe(expected);
	});

	it('takes both bounds as valid', () => {
		expect(numberSetting('reorderWindowMs', 0, window)).toBe(0);
		expect(numberSetting('reorderWindowMs', 60_000, window)).toBe(60_000);
	});

	it.each([
		['thirty', minutes, 'silenceMinutes is "thirty"; it must be a number of minutes, 1 or more'],
		['30', minutes, 'silenceMinutes is "30"; it must be a number of minutes, 1 or more'],
		[Number.NaN, minutes, 'silenceMinutes is NaN; it must be a number of minutes, 1 or more'],
		[Number.POSITIVE_INFINITY, minutes, 'silenceMinutes is Infinity; it must be a number of minutes, 1 or more'],
		[0.5, minutes, 'silenceMinutes is 0.5; it must be a number of minutes, 1 or more'],
		[-1, window, 'silenceMinutes is -1; it must be a number of milliseconds, from 0 to 60000'],
		[60_001, window, 'silenceMinutes is 60001; it must be a number of milliseconds, from 0 to 60000'],
		[2.5, entries, 'silenceMinutes is 2.5; it must be a whole number, 1 or more'],
		[{ minutes: 5 }, entries, 'silenceMinutes is {"minutes":5}; it must be a whole number, 1 or more'],
		[false, entries, 'silenceMinutes is false; it must be a whole number, 1 or more'],
	])('refuses %p, naming the setting and the value', (value, rule, message) => {
		const error = refusal(() => numberSetting('silenceMinutes', value, rule));
		expect(error.setting).toBe('silenceMinutes');
		expect(error.message).toBe(message);
	});

	it('names the setting by its label in the editor when the rule gives one', () => {
		const error = refusal(() => numberSetting('silenceMinutes', 'thirty', { ...minutes, label: 'Options → Silence Timeout (Minutes)' }));
		expect(error.setting).toBe('silenceMinutes');
		expect(error.message).toBe('Options → Silence Timeout (Minutes) is "thirty"; it must be a number of minutes, 1 or more');
	});

	it('says why a bound exists when the rule gives a reason', () => {
		const error = refusal(() => numberSetting('retentionDays', 0, { default: 30, min: 1, unit: 'days', why: 'a day at least' }));
		expect(error.message).toBe('retentionDays is 0; it must be a number of days, 1 or more (a day at least)');
	});
});

describe('choiceSetting', () => {
	const actions = ['compose', 'send'] as const;

	it('takes one of the choices as it is', () => {
		expect(choiceSetting('action', 'send', actions)).toBe('send');
	});

	it.each([
		['Send', 'action is "Send"; it must be one of compose, send'],
		['', 'action is ""; it must be one of compose, send'],
		[undefined, 'action is undefined; it must be one of compose, send'],
		['constructor', 'action is "constructor"; it must be one of compose, send'],
		[1, 'action is 1; it must be one of compose, send'],
	])('refuses %p, naming the setting and the choices', (value, message) => {
		const error = refusal(() => choiceSetting('action', value, actions));
		expect(error.setting).toBe('action');
		expect(error.message).toBe(message);
	});

	it('names the setting by its label in the editor when given one', () => {
		const error = refusal(() => choiceSetting('action', 'Send', actions, 'Action'));
		expect(error.setting).toBe('action');
		expect(error.message).toBe('Action is "Send"; it must be one of compose, send');
	});
});

describe('booleanSetting', () => {
	it('takes true and false as they are, and a setting left out as off (or as told)', () => {
		expect([true, false, undefined, null].map((value) => booleanSetting('skipInternalCallers', value))).toEqual([true, false, false, false]);
		expect(booleanSetting('emitPresence', undefined, 'Emit Presence', true)).toBe(true);
	});

	// As n8n reads an expression's text for its own switches: "false" must not switch it on.
	it.each([
		['false', false], ['FALSE', false], [' False ', false], ['0', false], [0, false],
		['true', true], ['True', true], ['1', true], [1, true],
	])('reads %p from an expression as %p', (value, expected) => {
		expect(booleanSetting('skipInternalCallers', value)).toBe(expected);
	});

	it.each([
		['no', 'Exceptions → Internal Callers is "no"; it must be true or false'],
		['', 'Exceptions → Internal Callers is ""; it must be true or false'],
		[2, 'Exceptions → Internal Callers is 2; it must be true or false'],
	])('refuses %p, naming the setting by its label', (value, message) => {
		const error = refusal(() => booleanSetting('skipInternalCallers', value, 'Exceptions → Internal Callers'));
		expect(error.setting).toBe('skipInternalCallers');
		expect(error.message).toBe(message);
	});
});
