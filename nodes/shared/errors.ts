/**
 * A setting that cannot work. Plain `Error` so the modules stay free of n8n; the node glue turns it
 * into a NodeOperationError. `setting` names the node parameter (or file) at fault.
 */
export class ConfigurationError extends Error {
	constructor(
		readonly setting: string,
		message: string,
	) {
		super(message);
		this.name = 'ConfigurationError';
	}
}
