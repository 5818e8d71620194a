import { XmlParser, XPath, Xslt } from 'xslt-processor';
import { listLanguages, LANGUAGES_DIR, loadLanguage } from '../../../nodes/XslMailComposer/render/languages';
import { buildNotificationXml } from '../../../nodes/XslMailComposer/render/notificationXml';
import { compileTemplate } from '../../../nodes/XslMailComposer/render/xslTemplate';
import { lookUpVariablesByNeed } from '../../../nodes/XslMailComposer/render/xPathVariables';
import { answeredByBen, DEFAULT_TEMPLATE, missedCall } from './helpers';

type ConvertVariables = (scope: { variables?: object; parent?: unknown }) => Record<string, unknown>;

/** xslt-processor's converter class, whose method converts every variable in scope. */
const converterPrototype = Object.getPrototypeOf((new XPath() as unknown as { nodeConverter: object }).nodeConverter) as {
	convertVariables: ConvertVariables;
};

/** Transforms with xslt-processor directly: with its own variable lookup, or with ours. */
async function transform(xsl: string, xml: string, byNeed: boolean, format = 'html'): Promise<string> {
	const xslt = new Xslt({ parameters: [{ name: 'format', value: format }] });
	if (byNeed) {
		const xPath = new XPath();
		expect(lookUpVariablesByNeed(xPath)).toBe(true);
		xslt.xPath = xPath;
	}
	const parser = new XmlParser();
	return xslt.xsltProcess(parser.xmlParse(xml), parser.xmlParse(xsl));
}

const items = '<n><key>b</key><items><item k="a">one</item><item k="b">two</item><item k="c">three</item></items></n>';

/** Every way XSLT 1.0 brings a variable into scope, and names that shadow one another. */
const scoping = [
	'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
	'<xsl:param name="format" select="\'none\'"/>',
	'<xsl:variable name="key" select="/n/key"/>',
	'<xsl:variable name="count" select="count(/n/items/item)"/>',
	'<xsl:variable name="many" select="$count &gt; 2"/>',
	'<xsl:variable name="label">L</xsl:variable>',
	'<xsl:template name="box"><xsl:param name="text" select="\'default\'"/>[<xsl:value-of select="$text"/>]</xsl:template>',
	'<xsl:template match="/">',
	'<out>',
	'<xsl:value-of select="$format"/>;<xsl:value-of select="$count * 2"/>;<xsl:value-of select="$many"/>;',
	'<xsl:value-of select="n/items/item[@k = $key]"/>;<xsl:value-of select="$label"/>;',
	'<xsl:for-each select="n/items/item">',
	'<xsl:variable name="label" select="concat(@k, position())"/>',
	'<xsl:variable name="outer" select="."/>',
	'<xsl:for-each select="/n/key"><xsl:value-of select="concat($label, \'-\', $outer, \'-\', .)"/>,</xsl:for-each>',
	'</xsl:for-each>;',
	'<xsl:call-template name="box"/><xsl:call-template name="box"><xsl:with-param name="text" select="$key"/></xsl:call-template>;',
	'<xsl:value-of select="$label"/>',
	'</out>',
	'</xsl:template>',
	'</xsl:stylesheet>',
].join('');

describe('variables looked up by need', () => {
	it('takes each name from the innermost scope that declares it, as XSLT 1.0 does and xslt-processor did', async () => {
		// Worked out by hand from the stylesheet: the loop's $label shadows the global one inside the
		// loop only, a passed parameter beats its default.
		const expected = '<out>html;6;true;two;L;a1-one-b,b2-two-b,c3-three-b,;[default][b];L</out>';
		expect(await transform(scoping, items, true)).toBe(expected);
		expect(await transform(scoping, items, false)).toBe(expected);
	});

	// XPath 2.0's for, let and quantified expressions copy the variables in scope into their own.
	it("gives XPath 2.0's for-expressions every variable in scope", async () => {
		const copying = [
			'<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
			'<xsl:variable name="prefix" select="\'#\'"/>',
			'<xsl:template match="/"><xsl:variable name="suffix" select="/n/key"/>',
			'<out><xsl:value-of select="string-join(for $i in 1 to count(n/items/item) return concat($prefix, $i, $suffix), \',\')"/>;',
			'<xsl:value-of select="every $item in n/items/item satisfies string-length($item) &gt; string-length($prefix)"/></out>',
			'</xsl:template>',
			'</xsl:stylesheet>',
		].join('');
		const expected = '<out>#1b,#2b,#3b;true</out>';
		expect(await transform(copying, items, false)).toBe(expected);
		expect(await transform(copying, items, true)).toBe(expected);
		expect(await transform(copying, items, false)).toBe(expected);
	});

	it('reports an undeclared variable as xslt-processor does', async () => {
		const undeclared = scoping.replace('<xsl:value-of select="$label"/></out>', '<xsl:value-of select="$nowhere"/></out>');
		const failure = (byNeed: boolean) => transform(undeclared, items, byNeed).then(
			() => 'rendered',
			(error: Error) => error.message,
		);
		const ours = await failure(true);
		expect(ours).toMatch(/\$nowhere/);
		expect(ours).toBe(await failure(false));
	});

	// A version 1.0 template is refused at load for it; later versions find out while rendering.
	it('leaves an undeclared name that objects inherit (toString) unresolved, as XSLT does', async () => {
		const inherited = '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><o><xsl:value-of select="$toString"/></o></xsl:template></xsl:stylesheet>';
		await expect(transform(inherited, items, true)).rejects.toThrow(/\$toString/);
	});

	it.each(listLanguages().map((language) => language.tag))(
		'renders the shipped template the same as with xslt-processor\'s own lookup (%s)',
		async (tag) => {
			const language = loadLanguage(LANGUAGES_DIR, tag);
			for (const notification of [missedCall(), answeredByBen()]) {
				const xml = buildNotificationXml(notification, { language, linkPrefix: 'tel:', vcardAttached: true });
				for (const format of ['html', 'text']) {
					const ours = await transform(DEFAULT_TEMPLATE, xml, true, format);
					expect(ours).toContain(notification.recipient.name);
					expect(ours).toBe(await transform(DEFAULT_TEMPLATE, xml, false, format));
				}
			}
		},
	);

	it('is what compiled templates use: each evaluation converts only the variables it reads', async () => {
		const convert = jest.spyOn(converterPrototype, 'convertVariables');
		try {
			const template = compileTemplate(`${DEFAULT_TEMPLATE}<!-- compiled while watched -->`);
			const language = loadLanguage(LANGUAGES_DIR, 'de');
			await template.render(buildNotificationXml(missedCall(), { language, linkPrefix: 'tel:' }));
			expect(convert).toHaveBeenCalled();
			const scopes = convert.mock.calls.map(([scope]) => scope);
			expect(scopes.filter((scope) => scope.parent || Object.keys(scope.variables ?? {}).length !== 1)).toEqual([]);
		} finally {
			convert.mockRestore();
		}
	});

	it('leaves an XPath without the internals it knows as it is', () => {
		const foreign = { nodeConverter: {} } as unknown as XPath;
		expect(lookUpVariablesByNeed(foreign)).toBe(false);
		expect(foreign).toEqual({ nodeConverter: {} });
	});
});
