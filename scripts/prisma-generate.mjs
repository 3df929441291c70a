// Runs `prisma generate` on machines without Prisma's schema-engine binary.
// `prisma generate` never executes the schema engine, but the CLI insists that one exists (and tries to
// download it, which fails offline). Pointing PRISMA_SCHEMA_ENGINE_BINARY at any executable satisfies the check.
// Where a real engine is installed (e.g. the Docker image), the variable is left as the environment sets it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p)) ?? process.execPath;
}
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
