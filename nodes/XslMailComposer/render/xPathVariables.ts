/**
 * Variable lookup for xslt-processor's XPath evaluations, by need.
 *
 * xslt-processor 5.1 hands each XPath evaluation every variable in scope: it walks all enclosing
 * contexts (one per template node being processed, some twenty deep in the shipped template) and at
 * each one converts every variable visible there, its own and, through the prototype chain, all the
 * outer ones. That was a fifth of a mail's render time, although an expression names one variable or
 * none. Here an evaluation gets a view instead that finds a name when the expression asks for it,
 * by the same rule (the innermost context that holds the name defines it) and converted by the
 * library's own code. One difference: an undeclared `$toString` (a name Object.prototype has) is
 * unresolved here, as XSLT says, where xslt-processor found the prototype's function.
 */
import type { XPath } from 'xslt-processor';

/** The part of xslt-processor's `ExprContext` that scopes variables. */
interface VariableScope {
	variables?: Record<string, unknown>;
	parent?: VariableScope | null;
}

type ConvertVariables = (scope: VariableScope) => Record<string, unknown>;

const hasOwn = (object: object, name: string) => Object.prototype.hasOwnProperty.call(object, name);

function scopeDefining(scope: VariableScope, name: string): VariableScope | undefined {
	for (let current: VariableScope | null | undefined = scope; current; current = current.parent) {
		if (current.variables && hasOwn(current.variables, name)) return current;
	}
	return undefined;
}

/**
 * The variables one evaluation sees, looked up and converted only when read (a proxy's handler:
 * one object per evaluation, its traps on the prototype). The proxy's target stays empty and
 * extensible, so the view may report any name as its own.
 */
class VariablesInScope implements ProxyHandler<Record<string, unknown>> {
	constructor(
		private readonly scope: VariableScope,
		private readonly convertAll: ConvertVariables,
	) {}

	has(_: object, name: string | symbol): boolean {
		return typeof name === 'string' && scopeDefining(this.scope, name) !== undefined;
	}

	get(_: object, name: string | symbol): unknown {
		return this.read(name)?.value;
	}

	ownKeys(): string[] {
		const names = new Set<string>();
		for (let current: VariableScope | null | undefined = this.scope; current; current = current.parent) {
			for (const name of Object.keys(current.variables ?? {})) names.add(name);
		}
		return [...names];
	}

	getOwnPropertyDescriptor(_: object, name: string | symbol): PropertyDescriptor | undefined {
		const found = this.read(name);
		return found && { value: found.value, enumerable: true, configurable: true, writable: true };
	}

	private read(name: string | symbol): { value: unknown } | undefined {
		if (typeof name !== 'string') return undefined;
		const variables = scopeDefining(this.scope, name)?.variables;
		return variables && { value: this.convertAll({ variables: { [name]: variables[name] } })[name] };
	}
}

/**
 * Makes the expressions this XPath parses from now on look their variables up by need. Returns
 * whether it could: with another xslt-processor whose internals differ, rendering keeps the
 * library's own way (the same output, only slower), and a unit test says so.
 */
export function lookUpVariablesByNeed(xPath: XPath): boolean {
	const converter = (xPath as unknown as { nodeConverter?: { convertVariables?: ConvertVariables } }).nodeConverter;
	const convertAll = converter?.convertVariables?.bind(converter);
	if (!converter || !convertAll) return false;
	converter.convertVariables = (scope) => new Proxy({}, new VariablesInScope(scope, convertAll));
	return true;
}
