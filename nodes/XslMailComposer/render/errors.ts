/**
 * Error classes of the mail composer (settings errors: ../../shared/errors). Plain `Error`s so that these modules stay free of n8n; the
 * node glue turns them into `NodeOperationError`s with the item index.
 */

/** The notification item itself cannot be turned into an e-mail (e.g. no valid recipient address). */
export class NotificationError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NotificationError';
	}
}

/** The XSL template is not well-formed XML or not valid XSLT; `line`/`column` are 1-based. */
export class TemplateError extends Error {
	constructor(
		readonly problem: string,
		readonly line?: number,
		readonly column?: number,
	) {
		super(
			line === undefined
				? `XSL template: ${problem}`
				: `XSL template, line ${line}${column === undefined ? '' : `, column ${column}`}: ${problem}`,
		);
		this.name = 'TemplateError';
	}
}
