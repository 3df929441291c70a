// Part of `npm run build`: tsc compiles only TypeScript, so the console's static files (src/console/static/) are
// copied beside the compiled console module (dist/console/static/), where console-pages.ts looks for them.
// An argument names another output folder (the build test compiles into a temporary one).
import { cpSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'console', 'static');
const to = join(process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist'), 'console', 'static');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
