// Part of `npm run build`: tsc compiles only TypeScript, so the console's static files (src/console/static/) are
// copied beside the compiled console module (dist/console/static/), where console-pages.ts looks for them.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'console', 'static');
const to = join(root, 'dist', 'console', 'static');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
