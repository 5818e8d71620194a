/** A node's subtitle expression `={{ … }}` evaluated with `$parameter`, as n8n's editor does. */
export function evaluateSubtitle(subtitle: unknown, parameters: Record<string, unknown>): unknown {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(String(subtitle));
	if (!match) throw new Error(`not an expression: ${String(subtitle)}`);
	return new Function('$parameter', `return (${match[1]});`)(parameters);
}
