// Serves the console's static files (static/: one HTML page, its stylesheet and a few ES modules) at /console/,
// and sends / there. The files are read once when the app is built: a handful of kilobytes, no file system access
// per request, and no path taken from the request ever reaches the file system (the names are a fixed list).
// They sit next to this module in the source tree and are copied beside its build output by
// scripts/copy-console-assets.mjs (`npm run build`), so `npm start`, tsx and the Docker image serve the same files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

export const CONSOLE_PATH = '/console/';
/**
 * Where the files are looked for: beside this module (src/console/static under tsx; dist/console/static once
 * `npm run build` copied them), then, for a dist/ compiled by tsc alone inside a checkout, the source tree.
 */
export const CONSOLE_STATIC_DIRS = [
  fileURLToPath(new URL('./static/', import.meta.url)),
  fileURLToPath(new URL('../../src/console/static/', import.meta.url)),
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page loads nothing from elsewhere and runs no inline script; the credentials it holds can only go back here.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

interface Asset {
  type: string;
  body: Buffer;
}

/** The files, or null when the folder or its index.html is missing (a build that skipped the copy step). */
function loadAssets(dir: string): Map<string, Asset> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

export function registerConsolePages(instance: FastifyInstance, options: { dir?: string } = {}): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const dirs = options.dir ? [options.dir] : CONSOLE_STATIC_DIRS;
  const dir = dirs.find((candidate) => existsSync(join(candidate, 'index.html'))) ?? dirs[0]!;
  const loaded = loadAssets(dir);
  // The API must not go down for want of its console's files: it says so at start, and the console's URL says why.
  if (!loaded) app.log.error({ dir }, 'the console\'s files are missing from this build (npm run build copies them); /console/ answers 500');
  const assets = loaded ?? new Map<string, Asset>();
  const schema = { hide: true, tags: ['Console'] };
  const send = (name: string) => {
    const asset = assets.get(name);
    return asset ? { ...asset, headers: { ...SECURITY_HEADERS, 'content-type': asset.type } } : null;
  };
  app.get('/', { schema }, async (_request, reply) => reply.redirect(CONSOLE_PATH));
  app.get('/console', { schema }, async (_request, reply) => reply.redirect(CONSOLE_PATH));
  app.get(CONSOLE_PATH, { schema }, async (_request, reply) => {
    const page = send('index.html');
    if (!page) return reply.code(500).type('text/plain; charset=utf-8').send(`The console's files are missing from ${dir}: run npm run build.`);
    return reply.headers(page.headers).send(page.body);
  });
  app.get(`${CONSOLE_PATH}:file`, { schema: { ...schema, params: Type.Object({ file: Type.String() }) } }, async (request, reply) => {
    const asset = send(request.params.file);
    if (!asset) return reply.callNotFound();
    return reply.headers(asset.headers).send(asset.body);
  });
}
