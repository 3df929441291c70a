// Builds dist/ only when it is older than its inputs. `npm start` (prestart) and `npm ci` (postinstall) run this
// instead of a plain `tsc`: even with nothing to do tsc takes 4-15 s to type-check the project, while comparing
// modification times takes milliseconds, so a second `npm start` (and `npx smsc-connect`, whose first run in a
// checkout replays postinstall) does not recompile anything.
//
// Inputs: every file and folder under src/ (a folder's time changes when a file in it is added, removed or
// renamed), the tsconfig files and package.json. dist/.build-stamp records when the last successful build
// started, so a file saved during a build makes the next run build again. The build itself is incremental
// (tsconfig.build.json: dist/.tsbuildinfo), so a changed source re-emits only what it affects.
//
//   node scripts/build-if-stale.mjs           build if stale; prints why, or that dist/ is up to date
//   node scripts/build-if-stale.mjs --check   exit 1 if stale, without building
//   node scripts/build-if-stale.mjs --always  build whatever the times say (`npm run build`)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import process from 'node:process';

const ROOT = process.cwd();
const STAMP = join(ROOT, 'dist', '.build-stamp');
const CONFIG_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The first input newer than the stamp (or the reason there is no build), or undefined when dist/ is current. */
function staleReason() {
  if (!existsSync(STAMP)) return 'dist/ has not been built yet';
  const builtAt = statSync(STAMP).mtimeMs;
  for (const file of CONFIG_FILES) {
    const path = join(ROOT, file);
    if (existsSync(path) && statSync(path).mtimeMs > builtAt) return `${file} changed`;
  }
  const newer = findNewer(join(ROOT, 'src'), builtAt);
  return newer && `${relative(ROOT, newer)} changed`;
}

function findNewer(dir, builtAt) {
  if (statSync(dir).mtimeMs > builtAt) return dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const newer = findNewer(path, builtAt);
      if (newer) return newer;
    } else if (!entry.name.endsWith('.test.ts') && statSync(path).mtimeMs > builtAt) {
      return path;
    }
  }
  return undefined;
}

function build(reason) {
  const startedAt = new Date();
  process.stderr.write(`build: ${reason}; compiling src/ into dist/ (tsc)...\n`);
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('build: tsc failed; dist/ is left as it was\n');
    return result.status ?? 1;
  }
  closeSync(openSync(STAMP, 'a'));
  utimesSync(STAMP, startedAt, startedAt);
  process.stderr.write(`build: done in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s\n`);
  return 0;
}

const reason = process.argv.includes('--always') ? 'npm run build' : staleReason();
if (process.argv.includes('--check')) {
  process.stderr.write(reason ? `build: stale, ${reason}\n` : 'build: dist/ is up to date\n');
  process.exit(reason ? 1 : 0);
}
if (!reason) {
  process.stderr.write('build: dist/ is up to date\n');
  process.exit(0);
}
process.exit(build(reason));
