import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerRecord } from '../shared/callModel';
import type { Contact } from '../shared/notification';
import { numberingPlanCountries, type NumberingPlan } from '../shared/phoneNumbers';
import { DEFAULT_COUNTRY, missedCallFilterProperties, missedCallFilterSubtitle } from './description';
import { EmptyDirectoryError } from './directory';
import { compileFilter, filterCall, filterPresence, readFilterItem, type CompiledFilter } from './filter';
import type { FilterSettings } from './rules';
import { openFilterState, type FilterStateSession } from './state';

type Outputs = [INodeExecutionData[], INodeExecutionData[], INodeExecutionData[]];
const NOTIFY = 0;
const JOURNAL = 1;
const SUPPRESSED = 2;

export class MissedCallFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Missed Call Filter',
		name: 'missedCallFilter',
		icon: 'file:missedCallFilter.svg',
		group: ['transform'],
		version: 1,
		subtitle: missedCallFilterSubtitle,
		description: 'Decides who gets an e-mail and a journal entry for each call, and why the others do not',
		defaults: { name: 'Missed Call Filter' },
		inputs: ['main'],
		// One entry per output: n8n counts the outputs here, `outputNames` only labels them. The lint
		// rule allows more than one only for n8n's If and Switch; n8n's own Compare Datasets disables it too.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main', 'main'],
		outputNames: ['Notify', 'Journal', 'Suppressed'],
		properties: missedCallFilterProperties,
	};

	methods = {
		loadOptions: {
			async getCountries(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const current = (this.getCurrentNodeParameter('numberingPlan') as IDataObject | undefined)?.country;
				return numberingPlanCountries(current).map(({ code, name }) => ({ name, value: code }));
			},
			async getTimeZones(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const current = (this.getCurrentNodeParameter('options') as IDataObject | undefined)?.timeZone;
				// Loaded here, not with the node: only the editor needs the tz database's list.
				const { listedTimeZones } = await import('./timeZoneList');
				return [
					{ name: "The Workflow's Time Zone", value: '' },
					...listedTimeZones(current).map((zone) => ({ name: zone, value: zone })),
				];
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const outputs: Outputs = [[], [], []];

		// Settings are the same for every item: read them once, and fail the whole run if wrong.
		const staticData = this.getWorkflowStaticData('node');
		let filter: CompiledFilter;
		let session: FilterStateSession;
		try {
			filter = compileFilter({
				directory: this.getNodeParameter('directory', 0),
				numberingPlan: {
					country: DEFAULT_COUNTRY,
					...(this.getNodeParameter('numberingPlan', 0, {}) as Partial<NumberingPlan>),
				},
				settings: readSettings(this),
				workflowTimeZone: this.getTimezone(),
			});
			const options = this.getNodeParameter('options', 0, {}) as IDataObject;
			session = openFilterState(`${this.getWorkflow().id}/${this.getNode().id}`, staticData, {
				retentionDays: options.retentionDays as number | undefined,
				duplicateWindowHours: options.duplicateWindowHours as number | undefined,
				maxEntries: options.maxEntries as number | undefined,
				// n8n does not save static data of manual runs: keep them out of the shared memory too.
				shared: this.getMode() !== 'manual',
			});
		} catch (error) {
			// The message names the setting by its label in the editor, and the value.
			throw new NodeOperationError(this.getNode(), error as Error);
		}
		const contactField = this.getNodeParameter('contactField', 0, 'contact') as string;

		// Every item is checked before any is decided: a bad item must not leave the good ones before
		// it remembered as processed (a retry would then find them "duplicate" and mail nobody).
		const inputs: Array<{ itemIndex: number; record: TriggerRecord; contact: Contact | null }> = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				inputs.push({ itemIndex, ...readFilterItem(items[itemIndex].json, contactField, filter) });
			} catch (error) {
				if (!this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), error as Error, {
						itemIndex,
						description:
							error instanceof EmptyDirectoryError
								? undefined
								: 'The item is not a call or presence record of the Call Event Trigger.',
					});
				}
				outputs[SUPPRESSED].push({
					json: { error: (error as Error).message },
					pairedItem: { item: itemIndex },
				});
			}
		}

		for (const { itemIndex, record, contact } of inputs) {
			const emit = (output: number, values: object[]) =>
				values.forEach((value) =>
					outputs[output].push({
						json: value as unknown as IDataObject,
						pairedItem: { item: itemIndex },
					}),
				);
			if (record.kind === 'presence') {
				emit(SUPPRESSED, filterPresence(record, filter, session).suppressed);
				continue;
			}
			const decision = filterCall(record, contact, filter, session);
			emit(NOTIFY, decision.notifications);
			emit(JOURNAL, decision.journal);
			emit(SUPPRESSED, decision.suppressed);
		}

		session.commit(staticData);
		return outputs;
	}
}

function readSettings(context: IExecuteFunctions): Partial<FilterSettings> {
	const exceptions = context.getNodeParameter('exceptions', 0, {}) as Partial<FilterSettings>;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		...exceptions,
		// A new node has it set; removed from the collection it is off, like every other exception.
		minRingSeconds: exceptions.minRingSeconds ?? 0,
		recipients: context.getNodeParameter('recipients', 0) as FilterSettings['recipients'],
		alsoWhenAnsweredByThirdParty: context.getNodeParameter(
			'alsoWhenAnsweredByThirdParty',
			0,
		) as boolean,
		journalUnanswered: context.getNodeParameter('journalUnanswered', 0) as FilterSettings['recipients'],
		journalForwardedOrAnswered: context.getNodeParameter(
			'journalForwardedOrAnswered',
			0,
		) as FilterSettings['recipients'],
		defaultTimeZone: (options.timeZone as string | undefined) ?? '',
	};
}
