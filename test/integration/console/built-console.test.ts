// Issue 15, point 2, "the console answers within seconds of npm start": `npm start` runs the BUILT service
// (dist/), and tsc copies no HTML, CSS or browser JavaScript. This test builds the way `npm run build` does, into a
// folder of its own, runs that build's `serve` (on a test PostgreSQL database), and loads the console from it in chromium.
// How long the console took to answer after the process started is printed (no speed assertion).
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { withBrowser } from '../../helpers/browser.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { waitFor } from '../../helpers/wait-for.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(ROOT, '.tmp', `console-build-${process.pid}`);
const run = promisify(execFile);
const cleanup: Array<() => unknown> = [() => rmSync(OUT, { recursive: true, force: true })];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

it('serves the console from the build output, as npm start does', { timeout: 240_000 }, async () => {
  // Every build (npm run build, npm start's and npm ci's build-if-stale) is tsc then the console copy; the test
  // runs the same pair into OUT.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.build).toBe('node scripts/build-if-stale.mjs --always');
  expect(readFileSync(join(ROOT, 'scripts', 'build-if-stale.mjs'), 'utf8')).toContain("'copy-console-assets.mjs'");
  await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT });
  await run(process.execPath, ['scripts/copy-console-assets.mjs', OUT], { cwd: ROOT });

  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const started = Date.now();
  const child = spawn(process.execPath, [join(OUT, 'cli', 'index.js'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: testDb.url,
      ACCOUNT_SID: `AC${'b1d0'.repeat(8)}`, AUTH_TOKEN: 'built-console-token', SIP_LISTEN: 'udp:127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await waitFor('the built service to listen', () => {
    const line = output.split('\n').find((l) => l.includes('"smsc-connect is listening"'));
    return line ? String((JSON.parse(line) as { url: string }).url) : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 });
  const page = await fetch(`${url}/console/`);
  console.log(`built console answered ${Date.now() - started} ms after the process started`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await page.text()).toContain('<script type="module" src="app.js"></script>');

  await withBrowser(async (browserPage) => {
    await browserPage.goto(`${url}/`);
    await browserPage.getByLabel('SID', { exact: true }).fill(`AC${'b1d0'.repeat(8)}`);
    await browserPage.getByLabel('Auth token or secret').fill('built-console-token');
    await browserPage.getByRole('button', { name: 'Sign in' }).click();
    await browserPage.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await browserPage.locator('#stat-queued').innerText()).toBe('0');
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});
