// Writes docs/errors.md from the error registry (src/errors/registry.ts). `generateErrorsDoc()` returns the text
// so a check can compare it with the committed file.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ERROR_REGISTRY, moreInfoUrl } from '../src/errors/registry.js';

export const ERRORS_DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'errors.md');

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function generateErrorsDoc(): string {
  const rows = Object.entries(ERROR_REGISTRY)
    .sort(([ka, a], [kb, b]) => a.code - b.code || a.status - b.status || ka.localeCompare(kb))
    .map(([key, e]) => `| ${e.status} | [${e.code}](${moreInfoUrl(e.code)}) | \`${key}\` | ${cell(e.message)} | ${cell(e.when)} |`);
  return [
    '# HTTP API errors',
    '',
    'Generated from `src/errors/registry.ts` by `npm run errors:generate`; do not edit by hand.',
    '',
    "Every error response body is Twilio's `{code, message, more_info, status}` and nothing else; `status` equals",
    'the HTTP status and `more_info` is `https://www.twilio.com/docs/errors/<code>`. `{name}` in a message is',
    'replaced by the value concerned.',
    '',
    '| HTTP | Code | Key | Message | When |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--stdout')) {
    process.stdout.write(generateErrorsDoc());
  } else {
    writeFileSync(ERRORS_DOC_PATH, generateErrorsDoc());
    console.log(`wrote ${ERRORS_DOC_PATH}`);
  }
}
