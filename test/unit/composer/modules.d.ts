/** Test-only parsers without type declarations of their own. */
declare module 'vcf' {
	interface Property {
		valueOf(): string;
		type?: string | string[];
	}
	class VCard {
		version: string;
		data: Record<string, Property | Property[]>;
		parse(text: string): VCard;
		get(name: string): Property | Property[] | undefined;
	}
	export = VCard;
}

declare module 'sax' {
	interface Tag {
		name: string;
		attributes: Record<string, string>;
	}
	interface SAXParser {
		onopentag: (tag: Tag) => void;
		onclosetag: (name: string) => void;
		ontext: (text: string) => void;
		onerror: (error: Error) => void;
		write(text: string): SAXParser;
		close(): SAXParser;
	}
	export function parser(strict: boolean, options?: Record<string, unknown>): SAXParser;
}

declare module 'bidi-js' {
	interface EmbeddingLevels {
		levels: Uint8Array;
		paragraphs: Array<{ start: number; end: number; level: number }>;
	}
	interface Bidi {
		getEmbeddingLevels(text: string, direction?: 'ltr' | 'rtl'): EmbeddingLevels;
		getReorderSegments(text: string, levels: EmbeddingLevels, start?: number, end?: number): Array<[number, number]>;
		getMirroredCharactersMap(text: string, levels: Uint8Array): Map<number, string>;
	}
	export default function bidiFactory(): Bidi;
}
