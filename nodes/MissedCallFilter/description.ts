import type { INodeProperties } from 'n8n-workflow';

/** The Numbering Plan's Country until one is set (the collection starts empty in a new node). */
export const DEFAULT_COUNTRY = 'DE';

/** The participants to choose from: users whose phone rang, `but` narrowing who counts. */
function participantOptions(but = '') {
	return [
		{ name: 'All Participants', value: 'all', description: `Every user whose phone rang${but}` },
		{ name: 'First Participant', value: 'first', description: `The first user whose phone rang${but}` },
		{ name: 'Last Participant', value: 'last', description: `The last user whose phone rang${but}` },
		{ name: 'None', value: 'none' },
	];
}

/** The node's subtitle: whom the Recipients setting mails, in words. */
const recipientsInWords: Record<string, string> = {
	all: 'all who rang',
	first: 'first who rang',
	last: 'last who rang',
	none: 'nobody',
};
export const missedCallFilterSubtitle = `={{"Mail: " + (${JSON.stringify(recipientsInWords)}[$parameter["recipients"]] || $parameter["recipients"])}}`;

const exampleDirectory = JSON.stringify(
	[
		{
			id: 'anna',
			name: 'Anna Berg',
			email: 'anna@example.com',
			language: 'de',
			timeZone: 'Europe/Berlin',
			lines: ['201', '+49 89 1234 201'],
			notify: true,
		},
	],
	null,
	2,
);

export const missedCallFilterProperties: INodeProperties[] = [
	{
		displayName: 'Directory',
		name: 'directory',
		type: 'json',
		default: exampleDirectory,
		required: true,
		description:
			'Users and the lines they own, as a JSON array. Use an expression to take it from a sheet, a database or LDAP. Each user needs an ID, and an e-mail address to get mails (fields as in the example).',
		typeOptions: { rows: 8 },
	},
	{
		displayName: 'Numbering Plan',
		name: 'numberingPlan',
		type: 'collection',
		placeholder: 'Add Setting',
		// Shown in a new node: national numbers are read as this country's even when it is left out.
		default: { country: DEFAULT_COUNTRY },
		description: 'How numbers are normalised to E.164 so that an extension and its full number are one line',
		options: [
			{
				displayName: 'Country Name or ID',
				name: 'country',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCountries' },
				default: DEFAULT_COUNTRY,
				description:
					'The PBX\'s country, for national numbers such as 089 1234567 (in an expression: its ISO 3166 code, e.g. DE). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Internal Number Pattern',
				name: 'internalPattern',
				type: 'string',
				default: '',
				placeholder: '^\\d{2,4}$',
				description:
					'What an extension looks like: a regular expression, or simple patterns such as 2xx, 3*, 200-299 (x one digit, * any digits, a range of numbers of one length). Callers matching it count as internal.',
			},
			{
				displayName: 'PBX Base Number',
				name: 'baseNumber',
				type: 'string',
				default: '',
				placeholder: '+49 89 1234',
				description:
					'The PBX\'s own number without extension, so that 201 and +49 89 1234 201 are the same line. A -0 at the end (+49 89 1234-0, the switchboard) is left off.',
			},
		],
	},
	{
		displayName: 'Contact Field',
		name: 'contactField',
		type: 'string',
		default: 'contact',
		description:
			'Dot path of the item field holding the caller\'s contact (name, company, email …), e.g. from a CRM lookup before this node',
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'options',
		options: participantOptions(),
		default: 'all',
		description: 'Who of the users whose phones rang gets the e-mail about a missed call (and, with the next setting, about a call someone else answered)',
	},
	{
		displayName: 'Also When Someone Else Answered',
		name: 'alsoWhenAnsweredByThirdParty',
		type: 'boolean',
		default: false,
		description:
			'Whether users whose phone rang also get an e-mail when someone else answered the call (a third party, e.g. a colleague by pickup). Answering on another of one\'s own phones does not count.',
	},
	{
		displayName: 'Exceptions',
		name: 'exceptions',
		type: 'collection',
		placeholder: 'Add Exception',
		default: { minRingSeconds: 2 },
		description: 'Calls for which no e-mail is sent: each exception added applies (turn it off or remove it to stop). Each call skipped is reported on the Suppressed output with its reason.',
		// The switches default to on: "Add Exception → Internal Callers" is meant to skip them.
		options: [
			{
				displayName: 'Excluded Caller Numbers',
				name: 'excludedNumbers',
				type: 'string',
				default: '',
				placeholder: '+49891234999, 0891234*',
				description:
					'Callers that never cause an e-mail, e.g. door intercoms. Separate by commas or new lines; end with * for a prefix.',
			},
			{
				displayName: 'Internal Callers',
				name: 'skipInternalCallers',
				type: 'boolean',
				default: true,
				description: 'Whether calls from internal callers are skipped: calls the PBX marks internal, and callers that are a directory line or match the internal pattern',
			},
			{
				displayName: 'Min Ringing Time (Seconds)',
				name: 'minRingSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 2,
				description: 'A user whose phones rang for less than this gets no e-mail (0 or removed = off)',
			},
			{
				displayName: 'No Contact Data',
				name: 'skipWithoutContact',
				type: 'boolean',
				default: true,
				description: 'Whether calls whose caller has no resolved contact (name, first or last name, company or e-mail) are skipped',
			},
			{
				displayName: 'Repeated Call the Same Day',
				name: 'skipRepeatedSameDay',
				type: 'boolean',
				default: true,
				description:
					'Whether a user is notified only once per day (in their time zone) about the same caller. Remembered only by production executions; manual test runs do not save it.',
			},
			{
				displayName: 'Repeated Call While Not Logged In',
				name: 'skipRepeatedUntilLogin',
				type: 'boolean',
				default: true,
				description:
					'Whether a user is notified only once about the same caller until they log in again (e.g. on holiday). Needs login events from the PBX; a login of a line nobody owns is reported on Suppressed. Remembered only by production executions; manual test runs do not save it.',
			},
			{
				displayName: 'Withheld Numbers',
				name: 'skipWithheldNumbers',
				type: 'boolean',
				default: true,
				description: 'Whether calls with a withheld (restricted, anonymous) number are skipped',
			},
		],
	},
	{
		displayName: 'Journal: Unanswered Calls',
		name: 'journalUnanswered',
		type: 'options',
		options: participantOptions(),
		default: 'all',
		description: 'For whom an unanswered call is written to the Journal output (e-mail exceptions do not apply)',
	},
	{
		displayName: 'Journal: Answered Calls',
		name: 'journalForwardedOrAnswered',
		type: 'options',
		options: participantOptions(', other than the one who answered'),
		default: 'none',
		description:
			'For whom an answered call (also after forwarding or pickup) is written to the Journal output, among the users who rang but did not answer it',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Duplicate Window (Hours)',
				name: 'duplicateWindowHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 48,
				description:
					'How long a processed call ID is remembered: a call record delivered again within this time produces only "duplicateCall". PBX retries and restarts re-deliver within minutes. Never longer than the retention.',
			},
			{
				displayName: 'Max Remembered Entries',
				name: 'maxEntries',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100000,
				description: 'Cap on all remembered entries together (notifications, logins and call IDs); the oldest are forgotten first',
			},
			{
				displayName: 'Retention (Days)',
				name: 'retentionDays',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'How long notifications and logins are remembered for the repeat rules',
			},
			{
				displayName: 'Time Zone Name or ID',
				name: 'timeZone',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTimeZones' },
				default: '',
				description:
					'For users without their own time zone; by default the workflow\'s time zone (its settings), else the n8n instance\'s. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
];
