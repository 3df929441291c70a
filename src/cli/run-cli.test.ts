import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { CliCommand, CommandContext } from './command.js';
import { commands } from './commands.js';
import { runCli } from './run-cli.js';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

async function run(argv: string[], table?: readonly CliCommand[], env: NodeJS.ProcessEnv = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli({ argv, env, stdout, stderr, ...(table ? { commands: table } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('smsc-connect --help', () => {
  it('lists every subcommand of the table', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('Usage: smsc-connect <command> [options]');
    expect(stdout).toMatch(/^ {2}serve +Run the service/m);
    expect(stdout).toMatch(/^ {2}migrate +Apply pending database migrations/m);
    expect(stdout).toMatch(/^ {2}accounts create +Create an account and print its sid and auth_token as JSON\./m);
    expect((await run([])).stdout).toBe(stdout);
  });

  it('shows a command\'s own options', async () => {
    const { code, stdout } = await run(['accounts', 'create', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: smsc-connect accounts create [options]');
    expect(stdout).toMatch(/--friendly-name NAME +Name shown for the account/);
  });

  it('answers --help on the first word of a longer command with the commands it starts', async () => {
    for (const argv of [['accounts', '--help'], ['accounts', '-h']]) {
      const { code, stdout, stderr } = await run(argv);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(
        'Usage: smsc-connect accounts <command> [options]\n\nCommands:\n' +
          '  accounts create  Create an account and print its sid and auth_token as JSON.\n\n' +
          "Each command's options: smsc-connect accounts create --help\n",
      );
    }
    const bare = await run(['accounts']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^smsc-connect accounts: which one\?\n\nUsage: smsc-connect accounts <command>/);
    // Every command of the table answers its own --help.
    for (const command of commands) {
      const { code, stdout } = await run([...command.words, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: smsc-connect ${command.words.join(' ')} [options]`);
    }
  });

  it('refuses unknown commands and options with exit code 2', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^smsc-connect: unknown command "frobnicate"\n\nsmsc-connect: a Twilio/);
    const badOption = await run(['migrate', '--force']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/^smsc-connect migrate: Unknown option '--force'/);
    const extra = await run(['serve', 'now']);
    expect(extra).toEqual({ code: 2, stdout: '', stderr: 'smsc-connect serve: unexpected argument "now"\n' });
  });
});

describe('dispatch', () => {
  const seen: CommandContext[] = [];
  const table: CliCommand[] = [
    { words: ['accounts'], summary: 'parent', options: {}, run: async () => 7 },
    {
      words: ['accounts', 'create'],
      summary: 'child',
      options: { 'friendly-name': { type: 'string', description: 'n' } },
      run: async (context) => {
        seen.push(context);
        return 0;
      },
    },
    { words: ['boom'], summary: 'fails', options: {}, run: async () => Promise.reject(new Error('kaput')) },
    { words: ['config'], summary: 'loads config', options: {}, run: async (context) => (loadConfig(context.env), 0) },
  ];

  it('picks the longest matching command and passes its options', async () => {
    expect((await run(['accounts', 'create', '--friendly-name', 'Shop'], table)).code).toBe(0);
    expect(seen[0]?.options['friendly-name']).toBe('Shop');
    expect((await run(['accounts'], table)).code).toBe(7);
  });

  it('exits 2 with every configuration problem on stderr', async () => {
    const result = await run(['config'], table, { PORT: 'abc', ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'smsc-connect: Invalid configuration (2 problems):\n' +
        '  - PORT: must be an integer from 0 to 65535 (got "abc")\n' +
        '  - ACCOUNT_SID is set but AUTH_TOKEN is not: set both or neither\n',
    );
  });

  it('exits 1 on any other failure', async () => {
    const result = await run(['boom'], table);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^smsc-connect boom failed: Error: kaput/);
  });
});

it('has one entry per command words', () => {
  const names = commands.map((c) => c.words.join(' '));
  expect(new Set(names).size).toBe(names.length);
});
