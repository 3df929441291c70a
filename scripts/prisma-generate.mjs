// Runs `prisma generate` on machines without Prisma's schema-engine binary.
// `prisma generate` never executes the schema engine, but the CLI insists that one exists (and tries to
// download it, which fails offline). Pointing PRISMA_SCHEMA_ENGINE_BINARY at any executable satisfies the check.
// Where a real engine is installed (e.g. the Docker image), the variable is left as the environment sets it.
//
// With `--if-stale` (postinstall) it generates only when the schema, prisma.config.ts or the Prisma version
// differ from the last generation, recorded as a hash in src/generated/.prisma-generate-stamp. Generating
// rewrites every file under src/generated/prisma, which would make the next `npm start` recompile dist/, and
// `npx smsc-connect` replays postinstall on its first run in a checkout.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = join('src', 'generated', '.prisma-generate-stamp');

function inputsHash() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const hash = createHash('sha256');
  for (const file of ['prisma/schema.prisma', 'prisma.config.ts']) hash.update(existsSync(file) ? readFileSync(file) : '');
  for (const pkg of ['prisma/package.json', '@prisma/client/package.json']) hash.update(`${pkg}@${require(pkg).version}`);
  return hash.digest('hex');
}

const hash = inputsHash();
if (process.argv.includes('--if-stale') && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
  process.stderr.write('prisma-generate: src/generated/prisma is up to date\n');
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p)) ?? process.execPath;
}
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env });
if (result.status === 0) {
  mkdirSync(join('src', 'generated'), { recursive: true });
  writeFileSync(STAMP, hash);
}
process.exit(result.status ?? 1);
