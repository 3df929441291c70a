import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { TwimlError, TWIML_CODES } from './twiml-error.js';

/**
 * The XML layer under the TwiML interpreter: turns a document into a small ordered tree with decoded text.
 *
 * Safety choices, because the document comes from a customer's server:
 * - the parser's own entity processing is OFF, so DOCTYPE-declared entities (billion laughs, external
 *   entities) are never expanded; we decode only XML's five predefined entities and numeric character
 *   references ourselves, and any other `&` makes the document not well-formed (12100);
 * - text is kept exactly (no trimming, no number parsing); CDATA sections are kept verbatim;
 * - names that could pollute prototypes are rejected by the parser, which we report as 12100.
 */

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlText | XmlElement;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);/g;

function notWellFormed(detail: string): TwimlError {
  return new TwimlError(TWIML_CODES.parseFailure, `Document parse failure: ${detail}`);
}

// XML 1.0 `Char` production: what a numeric character reference may denote.
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Decodes the five predefined entities and numeric references; anything else with `&` is an error. */
export function decodeXmlText(raw: string): string {
  if (raw.replace(REFERENCE, '').includes('&')) throw notWellFormed('undefined entity or bare "&"');
  return raw.replace(REFERENCE, (_match, ref: string) => {
    if (!ref.startsWith('#')) return PREDEFINED[ref] ?? '';
    const cp = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (!isXmlChar(cp)) throw notWellFormed(`invalid character reference &${ref};`);
    return String.fromCodePoint(cp);
  });
}

type RawNode = Record<string, unknown>;

function convertAttributes(raw: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (raw === undefined) return attributes;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const text = String(value);
    // The validator lets a raw "<" through inside attribute values; XML forbids it.
    if (text.includes('<')) throw notWellFormed(`"<" in the value of attribute "${name}"`);
    attributes[name] = decodeXmlText(text);
  }
  return attributes;
}

function convertNodes(rawNodes: RawNode[]): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const raw of rawNodes) {
    const name = Object.keys(raw).find((key) => key !== ':@');
    if (name === undefined) continue;
    if (name === '#text') {
      nodes.push({ kind: 'text', text: decodeXmlText(String(raw[name])) });
    } else if (name === '#cdata') {
      const inner = raw[name] as RawNode[];
      nodes.push({ kind: 'text', text: inner.map((part) => String(part['#text'] ?? '')).join('') });
    } else {
      const children = convertNodes(raw[name] as RawNode[]);
      nodes.push({ kind: 'element', name, attributes: convertAttributes(raw[':@']), children });
    }
  }
  return nodes;
}

/** Parses a whole document and returns its single root element. Throws only `TwimlError` (12100). */
export function parseXmlDocument(xml: string): XmlElement {
  const validation = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (validation !== true) {
    throw notWellFormed(`${validation.err.msg} (line ${validation.err.line}, column ${validation.err.col})`);
  }
  let rawNodes: RawNode[];
  try {
    rawNodes = parser.parse(xml) as RawNode[];
  } catch (error) {
    throw notWellFormed(error instanceof Error ? error.message : String(error));
  }
  const topLevel = convertNodes(rawNodes).filter((node) => node.kind === 'element' || node.text.trim() !== '');
  const root = topLevel[0];
  if (topLevel.length !== 1 || root === undefined || root.kind !== 'element') {
    throw notWellFormed('a document must have exactly one root element');
  }
  return root;
}

/** The concatenated text children of an element (nested elements are skipped). */
export function directText(element: XmlElement): string {
  return element.children.map((child) => (child.kind === 'text' ? child.text : '')).join('');
}
