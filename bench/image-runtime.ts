// The service's memory settings as the container image sets them: the Dockerfile's ENV values of NODE_OPTIONS and
// of glibc's MALLOC_* tunables. The bench starts the service with them, so it measures the memory the image runs
// with, and a change in the Dockerfile changes both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNTIME_KEY = /^(NODE_OPTIONS|MALLOC_[A-Z_]+)$/;

export function imageRuntimeEnv(root: string): Record<string, string> {
  return parseImageRuntimeEnv(readFileSync(join(root, 'Dockerfile'), 'utf8'));
}

/** `ENV KEY=value …` instructions of the last stage (continuation lines joined, double quotes removed). */
export function parseImageRuntimeEnv(dockerfile: string): Record<string, string> {
  const lastStage = dockerfile.split(/^FROM\s/im).at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const line of lastStage.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const instruction = /^\s*ENV\s+(.*)$/i.exec(line);
    if (!instruction) continue;
    for (const [, key, quoted, bare] of instruction[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))/g)) {
      if (RUNTIME_KEY.test(key!)) env[key!] = quoted ?? bare ?? '';
    }
  }
  return env;
}
