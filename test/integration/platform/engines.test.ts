// package.json promises Node >=20.19: every installed package must accept that Node, or be a known, reported
// exception. `overrides` pins light-my-request 6.6.0 (fastify asks for ^6.0.0), whose cookie ^1 runs on Node 18+
// (cookie 2, from light-my-request 6.8, asks for Node 22), and content-disposition 2.0.0 under @fastify/static
// (every 3.x asks for Node 22; @fastify/static calls only its create(), the same in 2.0.0).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(`${ROOT}${file}`, 'utf8')) as Record<string, unknown>;
const manifest = read('package.json') as { engines: { node: string } };
const lock = read('package-lock.json') as { packages: Record<string, { version?: string; engines?: unknown }> };

/**
 * Packages that ask for Node 22 although no version their dependents accept asks for less (see docs/adr/0001-stack.md):
 * @prisma/streams-local, under the development-only Prisma CLI, for `prisma dev`, which this project does not use.
 */
const KNOWN_NODE_22_ONLY = ['node_modules/@prisma/streams-local'];

type Version = [number, number, number];

function parse(text: string): { version: Version; given: number } {
  const parts = text.replace(/^v/, '').replace(/\.x$/, '').split('.').map(Number);
  return { version: [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0], given: parts.length };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** One comparator of an npm range, as used in engines fields: `*`, `>=v`, `^v` or a bare (partial) version. */
function accepts(comparator: string, node: Version): boolean {
  if (comparator === '*' || comparator === '') return true;
  if (comparator.startsWith('>=')) return compare(node, parse(comparator.slice(2)).version) >= 0;
  if (comparator.startsWith('^')) {
    const { version } = parse(comparator.slice(1));
    return node[0] === version[0] && compare(node, version) >= 0;
  }
  const { version, given } = parse(comparator);
  return node[0] === version[0] && (given < 2 || node[1] === version[1]) && (given < 3 || node[2] === version[2]);
}

function satisfies(range: string, node: Version): boolean {
  return range.split('||').some((alternative) =>
    alternative.trim().replace(/(>=|\^)\s+/g, '$1').split(/\s+/).every((comparator) => accepts(comparator, node)),
  );
}

describe('Node engines', () => {
  it('reads the ranges used in engines fields', () => {
    expect(satisfies('^20.19.0 || >=22.12.0', [20, 19, 0])).toBe(true);
    expect(satisfies('>=22', [20, 19, 0])).toBe(false);
    expect(satisfies('>= 18.x', [20, 19, 0])).toBe(true);
    expect(satisfies('18 || 20 || >=22', [20, 19, 0])).toBe(true);
    expect(satisfies('^20.0.0 || ^22.0.0 || >=24.0.0', [21, 0, 0])).toBe(false);
    expect(satisfies('>=16 || 14 >=14.17', [14, 16, 0])).toBe(false);
  });

  it('every installed package accepts the oldest Node that package.json allows, but the known exceptions', () => {
    expect(manifest.engines.node).toBe('>=20.19');
    const oldest = parse(manifest.engines.node.slice(2)).version;
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && typeof entry.engines === 'object' && entry.engines !== null)
      .filter(([, entry]) => {
        const node = (entry.engines as { node?: unknown }).node;
        return typeof node === 'string' && !satisfies(node, oldest);
      })
      .map(([path, entry]) => `${path}@${entry.version}`);
    expect(refusing.map((entry) => entry.replace(/@[^@/]+$/, ''))).toEqual(KNOWN_NODE_22_ONLY);
  });
});
