/**
 * The Missed Call Filter node as n8n runs it (a minimal execute context), and what its panel shows:
 * an empty directory fails the call items instead of "succeeding" with every line unowned, the
 * Suppressed items lead with their sentence, and the panel's texts.
 */
import { NodeHelpers, NodeOperationError, type IDataObject, type IExecuteFunctions, type ILoadOptionsFunctions, type INodeProperties } from 'n8n-workflow';

import { MissedCallFilter } from '../../../nodes/MissedCallFilter/MissedCallFilter.node';
import { openFilterState } from '../../../nodes/MissedCallFilter/state';
import { ConfigurationError } from '../../../nodes/shared/errors';
import { compileNumberingPlan } from '../../../nodes/shared/phoneNumbers';
import { timeZoneProblem } from '../../../nodes/shared/timeZone';
import { evaluateSubtitle } from '../shared/subtitle';
import { DIRECTORY, leg, missedCall } from './fixtures';

const EMPTY =
	'The directory is empty: nobody can be notified. If it comes from an expression, check that the node before returned users.';

const presence = { kind: 'presence', type: 'login', line: '201', at: '2024-03-05T08:00:00.000Z' };

function run(items: IDataObject[], directory: unknown, continueOnFail = false, exceptions: IDataObject = { minRingSeconds: 2 }) {
	const parameters: Record<string, unknown> = {
		directory,
		numberingPlan: { country: 'DE', baseNumber: '+49891234' },
		recipients: 'all',
		alsoWhenAnsweredByThirdParty: false,
		exceptions,
		journalUnanswered: 'all',
		journalForwardedOrAnswered: 'none',
		options: {},
		contactField: 'contact',
	};
	const node = { id: 'filter-1', name: 'Missed Call Filter', type: 'missedCallFilter', typeVersion: 1, position: [0, 0], parameters: {} };
	const context = {
		getInputData: () => items.map((json) => ({ json })),
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => parameters[name] ?? fallback,
		getWorkflowStaticData: () => ({}),
		getTimezone: () => 'UTC',
		getMode: () => 'manual',
		getWorkflow: () => ({ id: 'workflow-1', active: false }),
		getNode: () => node,
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
	return new MissedCallFilter().execute.call(context);
}

const call = (callId: string) => missedCall([leg('201', 0, 20)], { callId }) as unknown as IDataObject;

describe('an empty directory', () => {
	it.each([[[]], ['[]'], ['  [ ]  ']])('%p fails the first call item, naming the problem', async (directory) => {
		const failure = await run([presence, call('c1'), call('c2')], directory).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect((failure as NodeOperationError).message).toBe(EMPTY);
		expect((failure as NodeOperationError).context.itemIndex).toBe(1);
	});

	it('with Continue On Fail: each call item is an error on the Suppressed output; presence passes', async () => {
		const [notify, journal, suppressed] = await run([presence, call('c1'), call('c2')], [], true);
		expect(notify).toEqual([]);
		expect(journal).toEqual([]);
		expect(suppressed).toEqual([
			{ json: { error: EMPTY }, pairedItem: { item: 1 } },
			{ json: { error: EMPTY }, pairedItem: { item: 2 } },
		]);
	});

	it('a directory with users decides as before', async () => {
		const [notify] = await run([call('c1')], DIRECTORY);
		expect(notify.map((item) => (item.json.recipient as IDataObject).id)).toEqual(['anna']);
	});
});

describe('Suppressed items', () => {
	it('lead with the sentence, then user and reason (n8n’s table view shows the first columns)', async () => {
		const directory = DIRECTORY.map((user) => (user.id === 'anna' ? { ...user, notify: false } : user));
		const [, , suppressed] = await run([call('c1')], directory);
		expect(suppressed).toHaveLength(1);
		expect(Object.keys(suppressed[0].json)).toEqual(['detail', 'user', 'reason', 'kind', 'callId', 'line', 'caller']);
		expect(suppressed[0].json).toMatchObject({
			detail: 'Anna Berg chose not to receive missed-call e-mails (notify: false).',
			user: { id: 'anna', name: 'Anna Berg' },
			reason: 'optedOut',
			kind: 'suppressed',
			callId: 'c1',
			line: null,
		});
	});
	it('also come from a login nobody in the directory owns, paired with the login', async () => {
		const unowned = { ...presence, line: '299' };
		const [notify, journal, suppressed] = await run([presence, unowned], DIRECTORY, false, { skipRepeatedUntilLogin: true });
		expect(notify).toEqual([]);
		expect(journal).toEqual([]);
		expect(suppressed).toHaveLength(1);
		expect(suppressed[0]).toMatchObject({ json: { reason: 'unownedLine', line: '299', callId: null }, pairedItem: { item: 1 } });
	});
});

describe('the panel', () => {
	const { description } = new MissedCallFilter();
	const exceptions = description.properties.find((property) => property.name === 'exceptions')?.options as INodeProperties[];

	it('has no notice about the repeat rules; the two rules say it themselves', () => {
		expect(description.properties.filter((property) => property.type === 'notice')).toEqual([]);
		for (const name of ['skipRepeatedSameDay', 'skipRepeatedUntilLogin']) {
			const rule = exceptions.find((option) => option.name === name);
			expect(rule?.displayName).toMatch(/^Repeated Call/);
			expect(rule?.description).toMatch(/Remembered only by production executions; manual test runs do not save it\.$/);
		}
	});

	it('a new filter shows the country whose numbers it reads national numbers as', () => {
		const plan = description.properties.find((property) => property.name === 'numberingPlan')!;
		const country = (plan.options as INodeProperties[]).find((option) => option.name === 'country')!;
		expect(plan.default).toEqual({ country: 'DE' });
		expect(country.default).toBe('DE');
	});

	// n8n adds an option to a collection with the option's default: "Add Exception → Withheld Numbers"
	// must skip withheld numbers, not add a switch that is off.
	it('an exception added with "Add Exception" applies', async () => {
		const switches = exceptions.filter((option) => option.type === 'boolean');
		expect(switches.map((option) => option.name).sort()).toEqual([
			'skipInternalCallers', 'skipRepeatedSameDay', 'skipRepeatedUntilLogin', 'skipWithheldNumbers', 'skipWithoutContact',
		]);
		for (const option of switches) expect([option.name, option.default]).toEqual([option.name, true]);
		const added = { minRingSeconds: 2, skipWithheldNumbers: switches.find((option) => option.name === 'skipWithheldNumbers')!.default };
		const withheld = missedCall([leg('201', 0, 20)], { callId: 'w1', caller: { number: '', name: '', restricted: true } });
		const [notify, , suppressed] = await run([withheld as unknown as IDataObject], DIRECTORY, false, added);
		expect(notify).toEqual([]);
		expect(suppressed.map((item) => item.json.reason)).toEqual(['suppressedNumber']);
	});

	// Switches of a collection defaulted to off before: a workflow saved then keeps what it holds.
	it("keeps a saved workflow's exception switches as they were saved, on or off", () => {
		for (const saved of [{ skipInternalCallers: false }, { skipInternalCallers: true, skipWithheldNumbers: false }]) {
			const parameters = { directory: '[]', exceptions: saved };
			const read = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, null, description);
			expect(read?.exceptions).toEqual(saved);
			const stored = NodeHelpers.getNodeParameters(description.properties, parameters, false, false, null, description);
			expect(stored?.exceptions).toEqual(saved);
		}
	});

	// An expression passes the editor's bounds by, so the state checks them too, and both must agree.
	it.each(['duplicateWindowHours', 'maxEntries', 'retentionDays'])('%s: the editor\'s minimum is the least the filter takes', (name) => {
		const options = description.properties.find((property) => property.name === 'options')?.options as INodeProperties[];
		const minimum = options.find((option) => option.name === name)?.typeOptions?.minValue as number;
		expect(() => openFilterState('panel/minimum', {}, { [name]: minimum })).not.toThrow();
		expect(() => openFilterState('panel/minimum', {}, { [name]: minimum - 1 })).toThrow(ConfigurationError);
	});

	it.each([
		['all', 'Mail: all who rang'],
		['first', 'Mail: first who rang'],
		['last', 'Mail: last who rang'],
		['none', 'Mail: nobody'],
	])('subtitle for Recipients %s: %s', (recipients, subtitle) => {
		expect(evaluateSubtitle(description.subtitle, { recipients })).toBe(subtitle);
	});

	it("the Answered Calls journal's choices leave out who answered, as the journal does", () => {
		const choices = (name: string) =>
			(description.properties.find((property) => property.name === name)?.options ?? []) as Array<{ value: string; description?: string }>;
		for (const { value, description: text } of choices('journalForwardedOrAnswered')) {
			if (value !== 'none') expect(text).toMatch(/whose phone rang, other than the one who answered$/);
		}
		expect(choices('journalUnanswered').find(({ value }) => value === 'all')?.description).toBe('Every user whose phone rang');
	});

	it('the subtitle covers every Recipients choice', () => {
		const choices = (description.properties.find((property) => property.name === 'recipients')?.options ?? []) as Array<{
			value: string;
		}>;
		for (const { value } of choices) {
			expect(evaluateSubtitle(description.subtitle, { recipients: value })).not.toMatch(/undefined|: $/);
		}
	});

	describe('the Country and Time Zone lists', () => {
		const { loadOptions } = new MissedCallFilter().methods;
		/** The editor's call: with the node's parameters as they are set. */
		const listed = (method: 'getCountries' | 'getTimeZones', parameters: IDataObject = {}) =>
			loadOptions[method].call({ getCurrentNodeParameter: (name: string) => parameters[name] } as unknown as ILoadOptionsFunctions);
		const optionOf = (name: string) =>
			[description.properties, ...description.properties.map((property) => (property.options ?? []) as INodeProperties[])]
				.flat()
				.find((property) => (property as INodeProperties).name === name) as INodeProperties;

		it('each names the method that fills it', () => {
			expect(optionOf('country').typeOptions?.loadOptionsMethod).toBe('getCountries');
			expect(optionOf('timeZone').typeOptions?.loadOptionsMethod).toBe('getTimeZones');
		});

		it('lists the countries by name with their code, the default among them, each one the filter takes', async () => {
			const countries = await listed('getCountries');
			expect(countries).toContainEqual({ name: 'Germany (DE)', value: 'DE' });
			expect(countries).toContainEqual({ name: 'Austria (AT)', value: 'AT' });
			expect(countries.map((country) => country.value)).toContain(optionOf('country').default);
			const names = countries.map((country) => country.name);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
			expect(countries.length).toBeGreaterThan(200);
			for (const { value } of countries) expect(() => compileNumberingPlan({ country: String(value) })).not.toThrow();
		});

		it("lists the workflow's time zone (the default) first, then UTC, then every zone the filter takes", async () => {
			const zones = await listed('getTimeZones');
			expect(zones[0]).toEqual({ name: "The Workflow's Time Zone", value: optionOf('timeZone').default });
			expect(zones[1]).toEqual({ name: 'UTC', value: 'UTC' });
			expect(zones).toContainEqual({ name: 'Europe/Berlin', value: 'Europe/Berlin' });
			// The names a user in India or Ukraine types, not the ones ICU froze (Asia/Calcutta, Europe/Kiev).
			const values = zones.map((zone) => zone.value);
			expect(values).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'America/Nuuk']));
			expect(values).not.toEqual(expect.arrayContaining(['Asia/Calcutta']));
			expect(values).not.toEqual(expect.arrayContaining(['Europe/Kiev']));
			expect(zones.length).toBeGreaterThan(300);
			for (const { value } of zones.slice(1)) expect(timeZoneProblem(String(value))).toBeUndefined();
		});

		// Otherwise the editor marks a working setting "not supported".
		it('also lists a set value the filter takes in another spelling, and no value it refuses', async () => {
			const countries = (plan: IDataObject) => listed('getCountries', { numberingPlan: plan });
			expect(await countries({ country: 'de' })).toContainEqual({ name: 'Germany (de)', value: 'de' });
			expect((await countries({ country: 'XX' })).map((country) => country.value)).not.toContain('XX');
			const zones = async (timeZone: string) => (await listed('getTimeZones', { options: { timeZone } })).map((zone) => zone.value);
			expect(await zones('Asia/Calcutta')).toContain('Asia/Calcutta');
			expect(await zones('US/Eastern')).toContain('US/Eastern');
			expect(await zones('Mars/Olympus')).not.toContain('Mars/Olympus');
			expect((await zones('UTC')).filter((zone) => zone === 'UTC')).toHaveLength(1);
		});
	});
});
