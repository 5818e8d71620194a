/**
 * XSL templates (SPEC §5): compiled once, reused for every mail, and a broken template is reported
 * with its line. One template yields the HTML part (called normally) and the plain-text part (top-level
 * parameter `format` = `text`); the subject is the HTML's `<title>`.
 *
 * xslt-processor's own parser accepts almost anything without complaint, so a template is first
 * checked for well-formedness here, which also gives every element its line for later errors.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ExprContext, XDocument, XmlParser, XNode, XPath, Xslt, xmlTransformedText } from 'xslt-processor';
import { TemplateError } from './errors';
import { cleanLine } from '../../shared/text';
import { lookUpVariablesByNeed } from './xPathVariables';

/** Where the shipped templates are, from source (ts-jest) and from `dist/` alike. */
export const TEMPLATES_DIR = path.resolve(__dirname, '../../../templates');
export const DEFAULT_TEMPLATE_FILE = path.join(TEMPLATES_DIR, 'missed-call.xsl');

/** Compiled templates kept; a workflow uses one or two, a few more cover edits in the editor. */
export const TEMPLATE_CACHE_SIZE = 20;
/** A mail template is a few kB; refuse what cannot be one before parsing it. */
const MAX_TEMPLATE_LENGTH = 1024 * 1024;
const MAX_SUBJECT_LENGTH = 250;
/**
 * Per rendered part: the shipped template writes some 10 kB. A template producing megabytes would
 * send them to the mail server, or into n8n's execution data with Compose Only.
 */
export const MAX_PART_BYTES = 1_000_000;

const XSLT_NAMESPACE = 'http://www.w3.org/1999/XSL/Transform';
const ELEMENT_NODE = 1;
const ATTRIBUTE_NODE = 2;
const TEXT_NODE = 3;
/** XML's white space only (not \s: a lone &#160; is text). */
const XML_BLANK = /^[ \t\r\n]*$/;

export type OutputFormat = 'html' | 'text';

export interface RenderedMail {
	subject: string;
	html: string;
	text: string;
}

export interface CompiledTemplate {
	/** SHA-256 of the template text: the cache key. */
	readonly hash: string;
	/** The template text it was compiled from (a render thread compiles its own copy from it). */
	readonly source: string;
	render(notificationXml: string): Promise<RenderedMail>;
}

/** 1-based line and column of an offset. */
class SourceLines {
	private readonly starts = [0];

	constructor(text: string) {
		for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
	}

	at(offset: number): { line: number; column: number } {
		let low = 0;
		let high = this.starts.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if (this.starts[mid] <= offset) low = mid;
			else high = mid - 1;
		}
		return { line: low + 1, column: offset - this.starts[low] + 1 };
	}
}

interface ElementStart {
	name: string;
	line: number;
	column: number;
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w:.\-\u00B7\u00C0-\uFFFF]*/y;
const SPACE = /[ \t\r\n]*/y;
const ILLEGAL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
const CHARACTER_REFERENCE = /&#(x?)([0-9a-fA-F]+);/g;

function isXmlChar(code: number): boolean {
	return (
		code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
		(code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
	);
}

function matchAt(pattern: RegExp, text: string, offset: number): string | undefined {
	pattern.lastIndex = offset;
	return pattern.exec(text)?.[0];
}

/**
 * A minimal XML 1.0 well-formedness check (tags, nesting, attributes, references, one root), plus
 * what xslt-processor cannot read (DOCTYPE, CDATA).
 * Returns the start tags in document order with their positions.
 */
function checkWellFormed(text: string): ElementStart[] {
	const lines = new SourceLines(text);
	const fail = (offset: number, problem: string): never => {
		const { line, column } = lines.at(offset);
		throw new TemplateError(problem, line, column);
	};
	const checkChars = (from: number, to: number, inAttribute: boolean) => {
		const chunk = text.slice(from, to);
		const illegal = ILLEGAL_CHAR.exec(chunk);
		if (illegal) {
			const code = illegal[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase();
			fail(from + illegal.index, `control character U+${code} is not allowed in XML`);
		}
		const reference = BAD_REFERENCE.exec(chunk);
		if (reference) {
			fail(from + reference.index, '"&" must start an entity like "&amp;" or "&#160;"; write "&amp;" for a literal "&"');
		}
		for (const charRef of chunk.matchAll(CHARACTER_REFERENCE)) {
			const code = parseInt(charRef[2], charRef[1] ? 16 : 10);
			if (!isXmlChar(code)) fail(from + (charRef.index ?? 0), `${charRef[0]} is not a character XML allows`);
		}
		if (inAttribute) {
			const lt = chunk.indexOf('<');
			if (lt !== -1) fail(from + lt, '"<" is not allowed in an attribute value; write "&lt;"');
		} else {
			const cdataEnd = chunk.indexOf(']]>');
			if (cdataEnd !== -1) fail(from + cdataEnd, '"]]>" is not allowed in text');
		}
	};

	const starts: ElementStart[] = [];
	const open: { name: string; offset: number }[] = [];
	let rootDone = false;
	let i = 0;
	while (i < text.length) {
		const lt = text.indexOf('<', i);
		const textEnd = lt === -1 ? text.length : lt;
		checkChars(i, textEnd, false);
		if (open.length === 0 && text.slice(i, textEnd).trim()) {
			fail(i + text.slice(i, textEnd).search(/\S/), 'text outside the root element');
		}
		if (lt === -1) break;
		i = lt;
		if (text.startsWith('<!--', i)) {
			const end = text.indexOf('-->', i + 4);
			if (end === -1) fail(i, 'comment is not closed with "-->"');
			i = end + 3;
		} else if (text.startsWith('<![CDATA[', i)) {
			// xslt-processor 5.1.2 silently drops CDATA content of a stylesheet.
			fail(i, 'CDATA sections are not supported; write "<" as "&lt;" and "&" as "&amp;" instead');
		} else if (text.startsWith('<?', i)) {
			const end = text.indexOf('?>', i + 2);
			if (end === -1) fail(i, 'processing instruction is not closed with "?>"');
			if (/^<\?xml[\s?]/i.test(text.slice(i, i + 6)) && i !== 0) {
				fail(i, 'the XML declaration "<?xml …?>" must be at the very start of the file');
			}
			i = end + 2;
		} else if (text.startsWith('<!', i)) {
			fail(i, 'DOCTYPE and entity declarations are not allowed in a template');
		} else if (text.startsWith('</', i)) {
			const name = matchAt(NAME, text, i + 2);
			const afterName = name === undefined ? i + 2 : i + 2 + name.length;
			const close = afterName + (matchAt(SPACE, text, afterName) ?? '').length;
			if (name === undefined || text[close] !== '>') fail(i, 'malformed end tag');
			const element = open.pop();
			if (!element) fail(i, `end tag </${name}> has no matching start tag`);
			else if (element.name !== name) {
				fail(i, `end tag </${name}> does not match start tag <${element.name}> of line ${lines.at(element.offset).line}`);
			}
			rootDone = open.length === 0;
			i = close + 1;
		} else {
			const name = matchAt(NAME, text, i + 1);
			if (name === undefined) fail(i, '"<" must start a tag; write "&lt;" for a literal "<"');
			else {
				if (rootDone) fail(i, `second root element <${name}>; a template has exactly one root element`);
				const seen = new Set<string>();
				let j = i + 1 + name.length;
				for (;;) {
					const space = matchAt(SPACE, text, j) ?? '';
					j += space.length;
					if (j >= text.length) fail(i, `start tag <${name}> is not closed with ">"`);
					if (text.startsWith('/>', j) || text[j] === '>') break;
					const attribute = matchAt(NAME, text, j);
					if (attribute === undefined || !space) fail(j, `malformed attribute in start tag <${name}>`);
					else {
						if (seen.has(attribute)) fail(j, `attribute "${attribute}" appears twice in <${name}>`);
						seen.add(attribute);
						j += attribute.length;
						j += (matchAt(SPACE, text, j) ?? '').length;
						if (text[j] !== '=') fail(j, `attribute "${attribute}" of <${name}> has no value ("${attribute}=\\"…\\"")`);
						j += 1 + (matchAt(SPACE, text, j + 1) ?? '').length;
						const quote = text[j];
						if (quote !== '"' && quote !== "'") fail(j, `value of attribute "${attribute}" must be in quotes`);
						const end = text.indexOf(quote, j + 1);
						if (end === -1) fail(j, `value of attribute "${attribute}" is not closed`);
						checkChars(j + 1, end, true);
						j = end + 1;
					}
				}
				const selfClosing = text[j] === '/';
				starts.push({ name, ...lines.at(i) });
				if (selfClosing) rootDone = open.length === 0;
				else open.push({ name, offset: i });
				i = j + (selfClosing ? 2 : 1);
			}
		}
	}
	const unclosed = open.pop();
	if (unclosed) fail(unclosed.offset, `<${unclosed.name}> is never closed`);
	if (starts.length === 0) fail(0, 'the template is empty; it must be an <xsl:stylesheet>');
	return starts;
}

function elementsInOrder(node: XNode, into: XNode[] = []): XNode[] {
	for (const child of node.childNodes) {
		if (child.nodeType === ELEMENT_NODE) {
			into.push(child);
			elementsInOrder(child, into);
		}
	}
	return into;
}

function attributesOf(element: XNode): XNode[] {
	return element.childNodes.filter((child) => child.nodeType === ATTRIBUTE_NODE);
}

function attribute(element: XNode, name: string): string | undefined {
	const found = attributesOf(element).find((node) => node.nodeName === name);
	return found === undefined ? undefined : decodeEntities(String(found.nodeValue));
}

/**
 * XML's five entities and character references: attribute values (xslt-processor keeps them as
 * written) and the serialised title need them decoded.
 */
function decodeEntities(text: string): string {
	const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
	return text.replace(/&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g, (_, name, dec, hex) =>
		name ? named[name] : String.fromCodePoint(parseInt(dec ?? hex, dec ? 10 : 16)),
	);
}

function isXslt(element: XNode): boolean {
	return element.namespaceUri ? element.namespaceUri === XSLT_NAMESPACE : element.prefix === 'xsl';
}

interface AvtPart {
	/** Literal text as written (`{{` and `}}` kept), or an expression without its braces. */
	text: string;
	expression: boolean;
}

/** An attribute value template in its parts: `a{x}b{{c}}` → `a`, expression `x`, `b{{c}}`; or what is wrong with it. */
function avtParts(value: string): AvtPart[] | string {
	const parts: AvtPart[] = [];
	let literal = '';
	for (let i = 0; i < value.length; i++) {
		const char = value[i];
		if ((char === '{' || char === '}') && value[i + 1] === char) {
			literal += char + char;
			i++;
		} else if (char === '}') return 'a single "}" in an attribute value must be written "}}"';
		else if (char === '{') {
			let end = i + 1;
			let quote = '';
			for (; end < value.length && (quote || value[end] !== '}'); end++) {
				if (quote ? value[end] === quote : value[end] === '"' || value[end] === "'") quote = quote ? '' : value[end];
			}
			if (end >= value.length) return 'a "{" in an attribute value is not closed with "}"';
			if (literal) parts.push({ text: literal, expression: false });
			literal = '';
			parts.push({ text: value.slice(i + 1, end), expression: true });
			i = end;
		} else literal += char;
	}
	if (literal) parts.push({ text: literal, expression: false });
	return parts;
}

const XSLT_1_ELEMENTS = new Set([
	'apply-imports', 'apply-templates', 'attribute', 'attribute-set', 'call-template', 'choose', 'comment', 'copy',
	'copy-of', 'decimal-format', 'element', 'fallback', 'for-each', 'if', 'import', 'include', 'key', 'message',
	'namespace-alias', 'number', 'otherwise', 'output', 'param', 'preserve-space', 'processing-instruction', 'sort',
	'strip-space', 'stylesheet', 'template', 'text', 'transform', 'value-of', 'variable', 'when', 'with-param',
]);
/**
 * What xslt-processor 5.1.2 also runs in a stylesheet of version "2.0" or "3.0" (its instruction
 * dispatch); any other instruction there fails the render, so it is refused at load.
 */
const XSLT_2_3_ELEMENTS = new Set([
	...XSLT_1_ELEMENTS,
	'accept', 'accumulator', 'accumulator-rule', 'analyze-string', 'evaluate', 'expose', 'for-each-group', 'fork',
	'function', 'iterate', 'matching-substring', 'merge', 'mode', 'namespace', 'non-matching-substring', 'on-empty',
	'on-non-empty', 'original', 'override', 'package', 'perform-sort', 'result-document', 'sequence', 'stream', 'try',
	'use-package',
]);
/**
 * The instructions a stylesheet may use, by its version as xslt-processor reads it: "2.0" and "3.0"
 * are versions of its own; 1.0 (or less) is strict; any other version is processed
 * forwards-compatibly (XSLT 1.0 §2.5: an unknown instruction is ignored or falls back), so null.
 */
function knownInstructions(version: string): { names: ReadonlySet<string>; version: string } | null {
	if (version === '2.0' || version === '3.0') return { names: XSLT_2_3_ELEMENTS, version };
	return parseFloat(version) > 1 ? null : { names: XSLT_1_ELEMENTS, version: '1.0' };
}
/**
 * The functions of XPath 1.0 (§4) and XSLT 1.0 (§12), and the node tests written like calls. In a
 * version 1.0 template xslt-processor also runs some XPath 2.0 functions, wrongly for a node
 * argument (`replace(name, ' ', '')` gave "1,name,null"), and fails on the others only when their
 * branch runs; both are refused at load.
 */
const XPATH_1_FUNCTIONS = new Set([
	'boolean', 'ceiling', 'concat', 'contains', 'count', 'current', 'document', 'element-available', 'false', 'floor',
	'format-number', 'function-available', 'generate-id', 'id', 'key', 'lang', 'last', 'local-name', 'name',
	'namespace-uri', 'normalize-space', 'not', 'number', 'position', 'round', 'starts-with', 'string', 'string-length',
	'substring', 'substring-after', 'substring-before', 'sum', 'system-property', 'translate', 'true',
	'unparsed-entity-uri',
	'comment', 'node', 'processing-instruction', 'text',
]);
/** Operator names, followed by "(" in `a and (b)`. */
const XPATH_OPERATOR_NAMES = new Set(['and', 'or', 'div', 'mod']);

/** A character of an XML name after its first (XML 1.0 §2.3, as far as a template needs it). */
const NAME_CHAR = String.raw`\p{L}\p{M}\p{N}_.\-\u00B7`;
/** A qualified XML name (`prefix:local`), such as a variable's or a function's; letters of any script. */
const QNAME = String.raw`[\p{L}_][${NAME_CHAR}]*(?::[\p{L}_][${NAME_CHAR}]*)?`;
/** A name followed by "(", not after "$" (a variable) or an axis' "::". */
const FUNCTION_CALL = new RegExp(String.raw`(?<![${NAME_CHAR}$]|::)(${QNAME})\s*\(`, 'gu');
const VARIABLE = new RegExp(String.raw`\$\s*(${QNAME})`, 'gu');

/** The first name called like a function that XPath 1.0 and XSLT 1.0 do not have. */
function unknownFunction(expression: string): string | undefined {
	// Names inside string literals are text.
	const code = expression.replace(/"[^"]*"|'[^']*'/g, "''");
	for (const [, name] of code.matchAll(FUNCTION_CALL)) {
		if (!XPATH_1_FUNCTIONS.has(name) && !XPATH_OPERATOR_NAMES.has(name)) return name;
	}
	return undefined;
}

/** The names an expression refers to as `$name`, outside its string literals. */
function variableReferences(expression: string): string[] {
	const code = expression.replace(/"[^"]*"|'[^']*'/g, "''");
	return [...code.matchAll(VARIABLE)].map((match) => match[1]);
}

/** The top-level parameters the composer sets in every transformation (see `Template.transform`). */
const COMPOSER_PARAMETERS = ['format'];

const isXsltNamed = (node: XNode, localName: string) => node.nodeType === ELEMENT_NODE && isXslt(node) && node.localName === localName;

const isBinding = (node: XNode) => isXsltNamed(node, 'variable') || isXsltNamed(node, 'param');

/**
 * The local variables and parameters an expression on `element` may use (XSLT 1.0 §11): a local one
 * is visible to its following siblings and their descendants. By name, with the innermost binding.
 */
function localsInScope(element: XNode, root: XNode): Map<string, XNode> {
	const locals = new Map<string, XNode>();
	for (let node: XNode | null = element; node && node.parentNode !== root; node = node.parentNode) {
		const siblings = node.parentNode?.childNodes ?? [];
		for (const sibling of siblings.slice(0, siblings.indexOf(node)).reverse()) {
			const name = attribute(sibling, 'name') ?? '';
			if (isBinding(sibling) && !locals.has(name)) locals.set(name, sibling);
		}
	}
	return locals;
}

/** The top-level element (template, variable, attribute set…) an element is in. */
function topLevelOf(element: XNode, root: XNode): XNode | undefined {
	let node: XNode | null = element;
	while (node && node.parentNode !== root) node = node.parentNode;
	return node ?? undefined;
}

/** The attribute sets an element uses (`use-attribute-sets` of XSLT elements, `xsl:use-attribute-sets` of literal ones). */
function attributeSetsUsed(element: XNode): string[] {
	const names = attribute(element, isXslt(element) ? 'use-attribute-sets' : 'xsl:use-attribute-sets');
	return names?.split(/\s+/).filter(Boolean) ?? [];
}

/** A top-level element, or the templates of a mode (by its name, '' for none). */
type CallScope = XNode | string;

/**
 * xslt-processor scopes variables by calls, not by the text (XSLT 1.0 §11): what a template (or an
 * attribute set) evaluates sees the locals and passed parameters of everything that called it, up
 * the chain, so a reference meant for a top-level variable finds a caller's local of the same name
 * first. The calls between top-level elements; `xsl:apply-templates` may call every template of
 * its mode (one node stands for them).
 */
class CallGraph {
	private readonly callees = new Map<CallScope, Set<CallScope>>();
	/** By name: the calls that make it visible to whom they call (a local in scope, a with-param). */
	private readonly passing = new Map<string, { called: CallScope[]; declaration: XNode }[]>();

	constructor(root: XNode, elements: readonly XNode[]) {
		const named = new Map<string, XNode[]>(); // templates and attribute sets, by kind and name
		for (const node of root.childNodes) {
			if (isXsltNamed(node, 'template') && attribute(node, 'match') !== undefined) this.edge(attribute(node, 'mode') ?? '', node);
			if (!isXsltNamed(node, 'template') && !isXsltNamed(node, 'attribute-set')) continue;
			const key = `${node.localName} ${attribute(node, 'name')}`;
			named.set(key, (named.get(key) ?? []).concat(node));
		}
		for (const site of elements) {
			const caller = topLevelOf(site, root);
			if (!caller) continue;
			const called: CallScope[] = attributeSetsUsed(site).flatMap((name) => named.get(`attribute-set ${name}`) ?? []);
			if (isXsltNamed(site, 'call-template')) called.push(...(named.get(`template ${attribute(site, 'name')}`) ?? []));
			else if (isXsltNamed(site, 'apply-templates')) called.push(attribute(site, 'mode') ?? '');
			if (called.length === 0) continue;
			const visible = localsInScope(site, root);
			for (const param of site.childNodes.filter((child) => isXsltNamed(child, 'with-param'))) {
				visible.set(attribute(param, 'name') ?? '', param);
			}
			for (const callee of called) this.edge(caller, callee);
			for (const [name, declaration] of visible) {
				const calls = this.passing.get(name) ?? [];
				calls.push({ called, declaration });
				this.passing.set(name, calls);
			}
		}
	}

	/** Where a local or passed `name` reaches through calls: each scope, with one declaration to point at. */
	reached(name: string): Map<CallScope, XNode> {
		const reached = new Map<CallScope, XNode>();
		const pending: CallScope[] = [];
		const reach = (scope: CallScope, declaration: XNode) => {
			if (reached.has(scope)) return;
			reached.set(scope, declaration);
			pending.push(scope);
		};
		for (const { called, declaration } of this.passing.get(name) ?? []) {
			for (const callee of called) reach(callee, declaration);
		}
		for (let scope = pending.pop(); scope !== undefined; scope = pending.pop()) {
			const declaration = reached.get(scope) as XNode;
			for (const callee of this.callees.get(scope) ?? []) reach(callee, declaration);
		}
		return reached;
	}

	private edge(from: CallScope, to: CallScope): void {
		this.callees.set(from, (this.callees.get(from) ?? new Set<CallScope>()).add(to));
	}
}

/** Attributes of XSLT elements that hold an expression or a pattern. */
const EXPRESSION_ATTRIBUTES = ['select', 'test', 'match', 'use', 'count', 'from', 'value'];
/**
 * The attributes XSLT 1.0 requires of each instruction (alternatives: one of them). xslt-processor
 * does not check them and fails while rendering with a bare TypeError instead. A Map: a
 * forwards-compatible template's `<xsl:constructor>` must not find Object.prototype's.
 */
const REQUIRED_ATTRIBUTES = new Map<string, (string | string[])[]>([
	['attribute', ['name']],
	['attribute-set', ['name']],
	['call-template', ['name']],
	['copy-of', ['select']],
	['element', ['name']],
	['for-each', ['select']],
	['if', ['test']],
	['key', ['name', 'match', 'use']],
	['namespace-alias', ['stylesheet-prefix', 'result-prefix']],
	['param', ['name']],
	['preserve-space', ['elements']],
	['processing-instruction', ['name']],
	['strip-space', ['elements']],
	['template', [['match', 'name']]],
	['value-of', ['select']],
	['variable', ['name']],
	['when', ['test']],
	['with-param', ['name']],
]);

/** What xslt-processor's parser would only find while rendering, or never: checked once, with lines. */
function checkXslt(root: XNode, elements: XNode[], lineOf: (element: XNode) => ElementStart | undefined): void {
	const fail = (element: XNode, problem: string): never => {
		const start = lineOf(element);
		throw new TemplateError(problem, start?.line, start?.column);
	};
	const rootIsStylesheet = ['stylesheet', 'transform'].includes(root.localName);
	if (rootIsStylesheet && root.namespaceUri && !isXslt(root)) {
		// A mistyped namespace (or MSXML's old "WD-xsl") makes every instruction a literal element.
		fail(root, `<${root.nodeName}> is in the namespace "${root.namespaceUri}"; XSLT's is "${XSLT_NAMESPACE}"`);
	}
	if (!isXslt(root) || !rootIsStylesheet) {
		fail(root, `the root element must be <xsl:stylesheet> (xmlns:xsl="${XSLT_NAMESPACE}"), not <${root.nodeName}>`);
	}
	const known = knownInstructions(attribute(root, 'version') ?? '1.0');
	const xPath = new XPath();
	const checkExpression = (element: XNode, where: string, expression: string) => {
		try {
			xPath.xPathParse(expression);
		} catch (error) {
			fail(element, `invalid XPath in ${where}: "${expression}": ${String((error as Error).message).split('\n')[0]}`);
		}
		if (known?.version !== '1.0') return;
		const unknown = unknownFunction(expression);
		if (unknown !== undefined) fail(element, `${unknown}() in ${where} is not an XPath 1.0 or XSLT 1.0 function`);
		// xslt-processor finds an undeclared variable only when its branch runs: in production.
		const references = variableReferences(expression);
		if (references.length === 0) return;
		const locals = localsInScope(element, root);
		const undeclared = references.find((name) => !locals.has(name) && !topLevelNames.has(name));
		if (undeclared !== undefined) {
			const visible = [...new Set([...topLevelNames, ...locals.keys()])].filter(Boolean).sort().map((name) => `$${name}`);
			fail(
				element,
				`$${undeclared} in ${where} is not declared: no <xsl:variable> or <xsl:param> named "${undeclared}" is in scope here` +
					(visible.length <= 12 ? ` (in scope: ${visible.join(', ')})` : ''),
			);
		}
		const owner = topLevelOf(element, root);
		for (const name of references) if (owner && !locals.has(name)) topLevelReferences.push({ element, where, name, owner });
	};
	/** The variables every expression may use (XSLT 1.0 §11): top-level variables and parameters. */
	const topLevelNames = new Set(COMPOSER_PARAMETERS);
	for (const node of root.childNodes) if (isBinding(node)) topLevelNames.add(attribute(node, 'name') ?? '');
	/** References meant for top-level variables, checked against the calls once all else is. */
	const topLevelReferences: { element: XNode; where: string; name: string; owner: XNode }[] = [];
	const namedTemplates = new Set(
		elements.filter((e) => isXsltNamed(e, 'template')).map((e) => attribute(e, 'name')),
	);
	for (const element of elements) {
		if (isXslt(element)) {
			const name = element.localName;
			if (name === 'include' || name === 'import') {
				fail(element, `<xsl:${name}> is not supported: a mail template must be one self-contained file`);
			}
			if (known && !known.names.has(name)) fail(element, `<xsl:${name}> is not an XSLT ${known.version} instruction`);
			for (const required of REQUIRED_ATTRIBUTES.get(name) ?? []) {
				const names = typeof required === 'string' ? [required] : required;
				if (names.every((attr) => attribute(element, attr) === undefined)) {
					fail(element, `<xsl:${name}> needs a ${names.map((attr) => `"${attr}"`).join(' or a ')} attribute`);
				}
			}
			for (const attr of EXPRESSION_ATTRIBUTES) {
				const expression = attribute(element, attr);
				if (expression !== undefined) checkExpression(element, `${attr}="…" of <xsl:${name}>`, expression);
			}
			const called = name === 'call-template' ? (attribute(element, 'name') ?? '') : undefined;
			if (called !== undefined && !namedTemplates.has(called)) {
				fail(element, `<xsl:call-template> calls "${called}", but no <xsl:template name="…"> has that name`);
			}
		}
		const avtAttributes = isXslt(element)
			? ['element', 'attribute'].includes(element.localName) ? ['name', 'namespace'] : []
			: attributesOf(element)
					.map((attr) => attr.nodeName)
					.filter((attr) => !attr.startsWith('xmlns') && !attr.startsWith('xsl:'));
		for (const attr of avtAttributes) {
			const value = attribute(element, attr);
			if (value === undefined) continue;
			const parts = avtParts(value);
			if (typeof parts === 'string') fail(element, `attribute ${attr}="${value}": ${parts}`);
			else {
				for (const part of parts) if (part.expression) checkExpression(element, `attribute ${attr}="${value}"`, part.text);
			}
		}
	}
	if (topLevelReferences.length === 0) return;
	const calls = new CallGraph(root, elements);
	const reachedBy = new Map<string, Map<CallScope, XNode>>();
	for (const { element, where, name, owner } of topLevelReferences) {
		if (!reachedBy.has(name)) reachedBy.set(name, calls.reached(name));
		const shadowing = reachedBy.get(name)?.get(owner);
		if (shadowing === undefined) continue;
		const line = lineOf(shadowing)?.line;
		fail(
			element,
			`$${name} in ${where} means the top-level $${name}, but xslt-processor would take the $${name} of ` +
				`<xsl:${shadowing.localName} name="${name}">${line ? ` of line ${line}` : ''}, in scope where this is called from; rename one of them`,
		);
	}
}

/**
 * Removes the stylesheet's whitespace-only text nodes, as XSLT 1.0 §3.4 strips them (all but those
 * in <xsl:text> or under xml:space="preserve"). xslt-processor would skip them anyway, but only after
 * visiting each one in every transformation; the shipped template's indentation is some 400 of them,
 * about a fifth of the render time.
 */
function stripWhitespaceText(element: XNode, preserve: boolean): void {
	const space = attribute(element, 'xml:space');
	const keep = space === 'preserve' || (space !== 'default' && preserve);
	if (!keep && !isXsltNamed(element, 'text')) {
		const blanks = element.childNodes.filter((child) => child.nodeType === TEXT_NODE && XML_BLANK.test(String(child.nodeValue)));
		for (const blank of blanks) element.removeChild(blank);
	}
	for (const child of element.childNodes) {
		if (child.nodeType === ELEMENT_NODE) stripWhitespaceText(child, keep);
	}
}

/** `$name` alone in an attribute value template's braces. */
const VARIABLE_REFERENCE = new RegExp(String.raw`^\s*\$\s*(${QNAME})\s*$`, 'u');

/** Inside an `<xsl:template>`: top-level variables may refer to each other in any order only there. */
function inTemplate(element: XNode): boolean {
	for (let node = element.parentNode; node; node = node.parentNode) {
		if (isXsltNamed(node, 'template')) return true;
	}
	return false;
}

/**
 * Writes the text of plain-text top-level variables (`<xsl:variable name="font">font-family:…
 * </xsl:variable>`) into the attribute value templates of literal elements that use them alone
 * (`style="{$font}…"`), and drops a variable nothing refers to any more. For xslt-processor each
 * `{$font}` is an XPath evaluation and each variable in scope lengthens every evaluation; folded, the
 * shipped template renders the same mail in about 0.88× the time. Only where the result is certainly
 * the same:
 * - XSLT 1.0 (from 3.0 on, xslt-processor reads `{…}` in text too);
 * - a non-empty value without `& < > " ' { }`, under a name nothing else declares or passes (no
 *   local variable, parameter or `xsl:with-param`, which xslt-processor lets override any name);
 * - an attribute inside an `xsl:template`, without `&`, `{{` or `}}` (xslt-processor keeps entities
 *   as written and reads escaped braces its own way), and not `use-attribute-sets`.
 */
function foldConstantVariables(stylesheet: XNode, elements: readonly XNode[]): void {
	if (parseFloat(attribute(stylesheet, 'version') ?? '1.0') > 1) return;
	const declarationCounts = new Map<string, number>();
	for (const element of elements) {
		if (!isXslt(element) || !['variable', 'param', 'with-param'].includes(element.localName)) continue;
		const name = attribute(element, 'name') ?? '';
		declarationCounts.set(name, (declarationCounts.get(name) ?? 0) + 1);
	}
	const constants = new Map<string, { value: string; declaration: XNode }>();
	for (const variable of stylesheet.childNodes) {
		if (variable.nodeType !== ELEMENT_NODE || !isXslt(variable) || variable.localName !== 'variable') continue;
		const name = attribute(variable, 'name') ?? '';
		const content = variable.childNodes.filter((child) => child.nodeType !== ATTRIBUTE_NODE);
		const value = content.map((child) => String(child.nodeValue)).join('');
		if (declarationCounts.get(name) !== 1 || attribute(variable, 'select') !== undefined) continue;
		if (!content.every((child) => child.nodeType === TEXT_NODE) || !value || /[&<>"'{}]/.test(value)) continue;
		constants.set(name, { value, declaration: variable });
	}
	if (constants.size === 0) return;
	const constantOf = (part: AvtPart) => (part.expression ? constants.get(VARIABLE_REFERENCE.exec(part.text)?.[1] ?? '')?.value : undefined);
	for (const element of elements) {
		if (isXslt(element) || !inTemplate(element)) continue;
		for (const attr of attributesOf(element)) {
			const value = String(attr.nodeValue);
			if (/&|\{\{|\}\}/.test(value) || /^(xsl:|xmlns)|^use-attribute-sets$/.test(attr.nodeName)) continue;
			const parts = avtParts(value);
			if (typeof parts === 'string' || !parts.some((part) => constantOf(part) !== undefined)) continue;
			attr.nodeValue = parts.map((part) => constantOf(part) ?? (part.expression ? `{${part.text}}` : part.text)).join('');
		}
	}
	// Every "$name" in any attribute, string literals and literal text included: a declaration is
	// dropped only when certainly unused.
	const attributeText = elements.flatMap((element) => attributesOf(element).map((attr) => String(attr.nodeValue))).join('\n');
	const referred = new Set([...attributeText.matchAll(VARIABLE)].map((match) => match[1]));
	for (const [name, { declaration }] of constants) {
		if (!referred.has(name)) stylesheet.removeChild(declaration);
	}
}

/**
 * How deep template nodes may nest while rendering; the shipped template reaches 21. xslt-processor
 * recurses on the heap, not the stack, and every XPath evaluation walks all enclosing contexts: a
 * template calling itself without end took 4.5 GB and a minute before anything failed.
 */
export const MAX_TEMPLATE_DEPTH = 1000;
/**
 * Wall time of one transformation (a part of one mail); the shipped template takes milliseconds.
 * Deep recursion with parameters gets slow long before it gets deep: 1,000 levels take ~25 s.
 */
export const MAX_RENDER_MS = 10_000;

/**
 * xslt-processor for one transformation of a mail template: remembers the innermost template node
 * whose processing failed, to name its line; stops a runaway template by its nesting depth or its
 * time; and gives a template's parameters their defaults as XSLT 1.0 does.
 */
class TemplateXslt extends Xslt {
	failedAt: XNode | undefined;
	private depth = 0;
	private readonly deadline = Date.now() + MAX_RENDER_MS;
	/** The context xslt-processor makes for each template call, holding what its xsl:with-param pass. */
	private readonly callContexts = new WeakSet<ExprContext>();

	protected override async xsltWithParam(context: ExprContext, template: XNode): Promise<void> {
		this.callContexts.add(context);
		await super.xsltWithParam(context, template);
	}

	/**
	 * XSLT 1.0 §11.6: a template's parameter is what its call passed, else its default. xslt-processor
	 * keeps instead any variable of that name it finds up the chain of calls (a global, a caller's
	 * local), so a named template's `<xsl:param name="label" select="'…'"/>` showed the caller's
	 * `$label`; here a parameter the call did not pass gets its default.
	 */
	protected override async xsltVariable(context: ExprContext, template: XNode, override: boolean): Promise<void> {
		await super.xsltVariable(context, template, override || this.notPassed(context, template));
	}

	private notPassed(context: ExprContext, element: XNode): boolean {
		const template = element.parentNode;
		if (!isXsltNamed(element, 'param') || !template || !isXsltNamed(template, 'template')) return false;
		// XSLT 2.0's tunnel parameters do come from further up the calls: xslt-processor's way is right there.
		if (attribute(element, 'tunnel') === 'yes') return false;
		for (let scope: ExprContext | null = context; scope; scope = scope.parent) {
			if (this.callContexts.has(scope)) return !Object.prototype.hasOwnProperty.call(scope.variables, attribute(element, 'name') ?? '');
		}
		// The template the transformation starts with: nobody passed it anything.
		return true;
	}

	protected override async xsltProcessContext(context: ExprContext, template: XNode, output?: XNode): Promise<void> {
		try {
			if (++this.depth > MAX_TEMPLATE_DEPTH) {
				throw new Error(`templates nest deeper than ${MAX_TEMPLATE_DEPTH}; is a template calling itself without end?`);
			}
			if (Date.now() > this.deadline) {
				throw new Error(`rendering took longer than ${MAX_RENDER_MS / 1000} s; is a template calling itself without end?`);
			}
			await super.xsltProcessContext(context, template, output);
		} catch (error) {
			this.failedAt ??= template;
			throw error;
		} finally {
			this.depth--;
		}
	}
}

function normaliseText(text: string): string {
	return `${text.replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

class Template implements CompiledTemplate {
	private readonly starts = new Map<XNode, ElementStart>();
	/**
	 * xslt-processor parses every XPath expression of the template anew in each transformation
	 * (its parse cache lives in the XPath object each Xslt makes for itself); shared, the template's
	 * expressions are parsed once. The parsed expressions keep no state between evaluations. They
	 * look their variables up by need (xPathVariables.ts).
	 */
	private readonly xPath = new XPath();

	constructor(
		readonly hash: string,
		readonly source: string,
		private readonly stylesheet: XDocument,
		starts: ElementStart[],
	) {
		const elements = elementsInOrder(stylesheet);
		// Both parsers read the same text, so the n-th element is the n-th start tag; if they ever
		// disagree, errors simply go without a line rather than with a wrong one.
		if (elements.length === starts.length && elements.every((e, i) => e.nodeName === starts[i].name)) {
			elements.forEach((element, i) => this.starts.set(element, starts[i]));
		}
		checkXslt(elements[0], elements, (element) => this.starts.get(element));
		lookUpVariablesByNeed(this.xPath);
		stripWhitespaceText(elements[0], false);
		foldConstantVariables(elements[0], elements);
	}

	private async transform(notification: XDocument, format: OutputFormat): Promise<string> {
		const xslt = new TemplateXslt({
			escape: true,
			cData: true,
			selfClosingTags: false,
			parameters: [{ name: 'format', value: format }],
			fetchFunction: async (uri) => {
				throw new TemplateError(`loading "${uri}" is not allowed`);
			},
		});
		xslt.warningsCallback = () => undefined;
		xslt.xPath = this.xPath;
		try {
			const document = await xslt.xsltProcessToDocument(notification, this.stylesheet);
			// The serialisation is chosen here, not by the template's <xsl:output>, so that one template
			// gives both parts.
			return xmlTransformedText(document, {
				cData: true,
				escape: format === 'html',
				selfClosingTags: false,
				outputMethod: format,
			});
		} catch (error) {
			if (error instanceof TemplateError) throw error;
			let node = xslt.failedAt;
			while (node && !this.starts.has(node)) node = node.parentNode;
			const start = node && this.starts.get(node);
			const problem = String((error as Error)?.message ?? error).split('\n')[0];
			throw new TemplateError(`${problem} (while rendering the ${format} part)`, start?.line, start?.column);
		}
	}

	async render(notificationXml: string): Promise<RenderedMail> {
		const notification = new XmlParser().xmlParse(notificationXml);
		const html = withinSize(await this.transform(notification, 'html'), 'html');
		const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html);
		// Tags there are the template's markup (data arrives escaped): not subject text.
		const subject = cleanLine(decodeEntities((title?.[1] ?? '').replace(/<[^>]*>/g, '')), MAX_SUBJECT_LENGTH);
		if (!subject) throw new TemplateError('the HTML part has no <title> (or an empty one); the subject is taken from it');
		const text = withinSize(await this.transform(notification, 'text'), 'text');
		return { subject, html: `<!DOCTYPE html>\n${html}`, text: normaliseText(text) };
	}
}

function withinSize(part: string, format: 'html' | 'text'): string {
	const bytes = Buffer.byteLength(part);
	if (bytes > MAX_PART_BYTES) {
		throw new TemplateError(
			`the ${format} part is ${(bytes / 1e6).toFixed(1)} MB; a part may be at most ${MAX_PART_BYTES / 1e6} MB`,
		);
	}
	return part;
}

/** Least recently used first; a hit moves the entry to the end. */
const cache = new Map<string, CompiledTemplate>();
let compilations = 0;

/** How many templates were parsed so far (a cache hit parses nothing), and how many are kept. */
export function templateCacheStats(): { compilations: number; size: number } {
	return { compilations, size: cache.size };
}

/**
 * Parses and checks an XSL template, or returns the one compiled from the same text before.
 * Throws `TemplateError` (with line and column where known) for a broken template.
 */
export function compileTemplate(xsl: string): CompiledTemplate {
	const text = xsl.replace(/^\uFEFF/, '');
	const hash = createHash('sha256').update(text).digest('hex');
	const cached = cache.get(hash);
	if (cached) {
		cache.delete(hash);
		cache.set(hash, cached);
		return cached;
	}
	if (text.length > MAX_TEMPLATE_LENGTH) {
		throw new TemplateError(`the template is larger than ${MAX_TEMPLATE_LENGTH} characters`);
	}
	const starts = checkWellFormed(text);
	compilations++;
	const template = new Template(hash, text, new XmlParser().xmlParse(text), starts);
	cache.set(hash, template);
	if (cache.size > TEMPLATE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
	return template;
}
