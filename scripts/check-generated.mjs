// Fails when a generated file differs from what its generator produces now: the README's configuration table,
// openapi/openapi.json and docs/errors.md. Nothing is left modified on disk.
//
// Generators are run with tsx and `--stdout`. A generator that writes its file anyway is judged by the file, which
// is then restored; one that leaves the file alone is judged by what it printed.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';

const artifacts = [
  { file: 'README.md', generator: 'scripts/generate-docs.ts', fix: 'npm run docs:generate' },
  { file: 'openapi/openapi.json', generator: 'scripts/generate-openapi.ts', fix: 'npm run openapi:generate' },
  { file: 'docs/errors.md', generator: findGenerator(/^generate-errors?(-docs?)?\.(ts|mjs)$/), fix: 'npm run errors:generate' },
];

let failed = false;
for (const { file, generator, fix } of artifacts) {
  if (!generator || !existsSync(generator)) {
    console.log(`check-generated: skipped ${file} (no generator ${generator ?? 'for it'} yet)`);
    continue;
  }
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const fresh = regenerate(file, generator, committed);
  if (fresh === committed) {
    console.log(`check-generated: ${file} is up to date`);
    continue;
  }
  failed = true;
  console.error(`check-generated: ${file} differs from what ${generator} generates. Run \`${fix}\` and commit.`);
  console.error(firstDifference(committed ?? '', fresh));
}
process.exit(failed ? 1 : 0);

function findGenerator(pattern) {
  const name = readdirSync('scripts').find((entry) => pattern.test(entry));
  return name && `scripts/${name}`;
}

function regenerate(file, generator, committed) {
  const before = stamp(file);
  const result = spawnSync('npx', ['tsx', generator, '--stdout'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    if (result.status !== 0) {
      console.error(result.stdout, result.stderr);
      throw new Error(`${generator} exited with ${result.status}`);
    }
    // A generator that (re)wrote its file is judged by the file; one that left it alone, by what it printed.
    return stamp(file) !== before ? readFileSync(file, 'utf8') : result.stdout;
  } finally {
    if (committed === undefined) rmSync(file, { force: true });
    else if (!existsSync(file) || readFileSync(file, 'utf8') !== committed) writeFileSync(file, committed);
  }
}

function stamp(file) {
  return existsSync(file) ? String(statSync(file, { bigint: true }).mtimeNs) : 'absent';
}

function firstDifference(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  const line = at === -1 ? a.length : at;
  const show = (lines, sign) => lines.slice(line, line + 5).map((l) => `${sign} ${l}`).join('\n');
  return `first difference at line ${line + 1}:\n${show(a, '-')}\n${show(b, '+')}`;
}
