import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * The values an options parameter offers, read from the node's own description, so that checking a
 * value an expression gave needs no second list to keep in step.
 */
export function choicesOf(properties: INodeProperties[], name: string): string[] {
	const property = properties.find((candidate) => candidate.name === name && candidate.type === 'options');
	if (!property) throw new Error(`the description has no options parameter "${name}"`);
	return (property.options as INodePropertyOptions[]).map((option) => String(option.value));
}
