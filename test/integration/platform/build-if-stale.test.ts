// `npm start` and `npm ci` build dist/ (and generate the Prisma client) only when their inputs changed: a second
// start, and the first `npx smsc-connect` in a checkout (which replays postinstall), compile nothing.
// Each case runs the real scripts in a small project in a temporary folder, with this checkout's node_modules.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smsc-connect-build-'));
  dirs.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'build-fixture', type: 'module', private: true }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [] },
  }));
  // The real build configuration, so a change to it (e.g. losing incremental) is exercised too.
  cpSync(join(ROOT, 'tsconfig.build.json'), join(dir, 'tsconfig.build.json'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a: number = 1;\n');
  writeFileSync(join(dir, 'src', 'a.test.ts'), 'export const ignored = true;\n');
  return dir;
}

function run(script: string, cwd: string, ...args: string[]): { code: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

const mtime = (path: string) => statSync(path).mtimeMs;
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

describe('npm start and npm ci build only what changed', () => {
  it('prestart and postinstall call the freshness checks, not tsc or prisma generate directly', () => {
    expect(packageJson.scripts.prestart).toBe('node scripts/build-if-stale.mjs');
    expect(packageJson.scripts.postinstall).toBe('node scripts/prisma-generate.mjs --if-stale && node scripts/build-if-stale.mjs');
  });

  it('builds a fresh checkout, then does nothing until a source or tsconfig changes, or a source is added or removed', () => {
    const dir = project();
    const first = run('build-if-stale.mjs', dir);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).toContain('build: dist/ has not been built yet');
    const output = join(dir, 'dist', 'a.js');
    expect(readFileSync(output, 'utf8')).toContain('export const a = 1;');
    const builtAt = mtime(output);

    const second = run('build-if-stale.mjs', dir);
    expect(second).toMatchObject({ code: 0, stderr: 'build: dist/ is up to date\n' });
    expect(mtime(output)).toBe(builtAt);
    expect(run('build-if-stale.mjs', dir, '--check').code).toBe(0);

    // A test file (tsconfig.build.json excludes it) or a README never triggers a build, edited or new.
    utimesSync(join(dir, 'src', 'a.test.ts'), later(10), later(10));
    writeFileSync(join(dir, 'src', 'c.test.ts'), 'export const c = 0;\n');
    writeFileSync(join(dir, 'src', 'README.md'), '# src\n');
    expect(run('build-if-stale.mjs', dir).stderr).toBe('build: dist/ is up to date\n');

    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a: number = 2;\n');
    utimesSync(join(dir, 'src', 'a.ts'), later(20), later(20));
    expect(run('build-if-stale.mjs', dir, '--check')).toMatchObject({ code: 1, stderr: 'build: stale, src/a.ts changed\n' });
    const third = run('build-if-stale.mjs', dir);
    expect(third.code).toBe(0);
    expect(third.stderr).toContain('build: src/a.ts changed');
    expect(readFileSync(output, 'utf8')).toContain('export const a = 2;');

    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 3;\n');
    expect(run('build-if-stale.mjs', dir).stderr).toContain('build: src/b.ts was added');
    expect(readFileSync(join(dir, 'dist', 'b.js'), 'utf8')).toContain('export const b = 3;');
    rmSync(join(dir, 'src', 'b.ts'));
    expect(run('build-if-stale.mjs', dir, '--check')).toMatchObject({ code: 1, stderr: 'build: stale, src/b.ts was removed\n' });
    expect(run('build-if-stale.mjs', dir).code).toBe(0);
    utimesSync(join(dir, 'tsconfig.build.json'), later(40), later(40));
    expect(run('build-if-stale.mjs', dir).stderr).toContain('build: tsconfig.build.json changed');
  }, 120_000);

  it('generates the Prisma client once, and again only when the schema changes', () => {
    const dir = project();
    cpSync(join(ROOT, 'prisma', 'schema.prisma'), join(dir, 'prisma', 'schema.prisma'));
    cpSync(join(ROOT, 'prisma.config.ts'), join(dir, 'prisma.config.ts'));
    const first = run('prisma-generate.mjs', dir, '--if-stale');
    expect(first.code).toBe(0);
    const client = join(dir, 'src', 'generated', 'prisma', 'client.ts');
    const generatedAt = mtime(client);

    const second = run('prisma-generate.mjs', dir, '--if-stale');
    expect(second).toMatchObject({ code: 0, stderr: 'prisma-generate: src/generated/prisma is up to date\n' });
    expect(mtime(client)).toBe(generatedAt);

    writeFileSync(join(dir, 'prisma', 'schema.prisma'), `${readFileSync(join(dir, 'prisma', 'schema.prisma'), 'utf8')}\n// changed\n`);
    const third = run('prisma-generate.mjs', dir, '--if-stale');
    expect(third.code).toBe(0);
    expect(third.stderr).not.toContain('up to date');
  }, 120_000);
});
