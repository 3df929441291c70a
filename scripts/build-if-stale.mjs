// Builds dist/ only when it is older than its inputs. `npm start` (prestart) and `npm ci` (postinstall) run this
// instead of a plain `tsc`: even with nothing to do tsc takes 4-15 s to type-check the project, while comparing
// modification times takes milliseconds, so a second `npm start` (and `npx smsc-connect`, whose first run in a
// checkout replays postinstall) does not recompile anything.
//
// Inputs: every .ts file under src/ but tests, the tsconfig files and package.json. dist/.build-stamp holds the list
// of source files of the last successful build (so an added or removed file counts as a change, a new test file
// does not) and its time is when that build started (so a file saved during a build makes the next run build
// again). The build itself is incremental (tsconfig.build.json: dist/.tsbuildinfo), so a changed source re-emits
// only what it affects.
//
//   node scripts/build-if-stale.mjs           build if stale; prints why, or that dist/ is up to date
//   node scripts/build-if-stale.mjs --check   exit 1 if stale, without building
//   node scripts/build-if-stale.mjs --always  build whatever the times say (`npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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
  const sources = listSources();
  const built = new Set(readFileSync(STAMP, 'utf8').split('\n').filter(Boolean));
  const added = sources.find((file) => !built.has(file));
  if (added) return `${added} was added`;
  const current = new Set(sources);
  const removed = [...built].find((file) => !current.has(file));
  if (removed) return `${removed} was removed`;
  const newer = sources.find((file) => statSync(join(ROOT, file)).mtimeMs > builtAt);
  return newer && `${newer} changed`;
}

/** The .ts files under src/ that tsconfig.build.json compiles (tests excluded), relative, sorted. READMEs and
 *  test fixtures are not inputs. */
function listSources(dir = join(ROOT, 'src')) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(relative(ROOT, path));
  }
  return files.sort();
}

/** tsc copies no HTML, CSS or browser JavaScript: the console's static files go into dist/ beside its module. */
function copyConsoleAssets() {
  if (!existsSync(join(ROOT, 'src', 'console', 'static'))) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'copy-console-assets.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build: copying the console files into dist/ failed');
}

function build(reason) {
  const startedAt = new Date();
  // Listed before compiling, like the start time: what this build saw.
  const sources = listSources();
  process.stderr.write(`build: ${reason}; compiling src/ into dist/ (tsc)...\n`);
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('build: tsc failed; dist/ is left as it was\n');
    return result.status ?? 1;
  }
  copyConsoleAssets();
  writeFileSync(STAMP, `${sources.join('\n')}\n`);
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
  // The console's static files are no tsc input: copying them (milliseconds) keeps dist/ serving the current ones.
  copyConsoleAssets();
  process.stderr.write('build: dist/ is up to date\n');
  process.exit(0);
}
process.exit(build(reason));
