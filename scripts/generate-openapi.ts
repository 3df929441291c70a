// Writes openapi/openapi.json from the route schemas (@fastify/swagger). The app is built without a database:
// buildApp touches none until a request arrives. `generateOpenApiDocument()` is what check:generated compares.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import type { Database } from '../src/store/database.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_PATH = join(ROOT, 'openapi', 'openapi.json');
/** Types for the generated test client (openapi-typescript), kept in step with the document. */
export const OPENAPI_CLIENT_TYPES_PATH = join(ROOT, 'test', 'generated', 'openapi.d.ts');

/** A Database that fails loudly if anything uses it: generation must not need one. */
const noDatabase = new Proxy({} as Database, {
  get(_target, property) {
    throw new Error(`generate-openapi: the app used the database (${String(property)}) while being built`);
  },
});

/** Objects with their keys sorted, recursively, so the file's text depends on content only. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

export async function generateOpenApiDocument(): Promise<string> {
  const app = await buildApp({ db: noDatabase, logger: pino({ level: 'silent' }), config: {} });
  try {
    await app.ready();
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** The openapi-typescript output for `documentText` (what `npx openapi-typescript` would write). */
export async function generateOpenApiClientTypes(documentText: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(documentText) as Parameters<typeof openapiTS>[0]);
  return COMMENT_HEADER + astToString(ast);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await generateOpenApiDocument();
  if (process.argv.includes('--stdout')) {
    // check:generated compares this with the committed file.
    // Exit only once the write has drained: on a pipe, exiting at once cut the document at 64 KiB.
    process.stdout.write(text, () => process.exit(0));
    await new Promise(() => {});
  }
  mkdirSync(dirname(OPENAPI_PATH), { recursive: true });
  writeFileSync(OPENAPI_PATH, text);
  mkdirSync(dirname(OPENAPI_CLIENT_TYPES_PATH), { recursive: true });
  writeFileSync(OPENAPI_CLIENT_TYPES_PATH, await generateOpenApiClientTypes(text));
  console.log(`wrote ${OPENAPI_PATH} and ${OPENAPI_CLIENT_TYPES_PATH}`);
}
