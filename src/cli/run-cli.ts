// Dispatches argv to a subcommand from the table, prints help, and turns failures into exit codes:
// 2 for usage and configuration errors (every configuration problem on stderr), 1 for anything else.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { ConfigError } from '../config/index.js';
import { EXIT, type CliCommand } from './command.js';
import { commands as defaultCommands } from './commands.js';
import { commandHelp, generalHelp, groupHelp } from './help.js';

export interface RunCliOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  commands?: readonly CliCommand[];
}

export async function runCli(options: RunCliOptions): Promise<number> {
  const commands = options.commands ?? defaultCommands;
  const { argv, stdout, stderr } = options;
  const command = findCommand(commands, argv);
  if (!command) {
    const group = findGroup(commands, argv);
    if (group) {
      const wantsHelp = argv.includes('--help') || argv.includes('-h');
      if (!wantsHelp) stderr.write(`smsc-connect ${group.words.join(' ')}: which one?\n\n`);
      (wantsHelp ? stdout : stderr).write(groupHelp(group.words, group.commands));
      return wantsHelp ? EXIT.ok : EXIT.usage;
    }
    const wantsHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    if (!wantsHelp) stderr.write(`smsc-connect: unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}"\n\n`);
    (wantsHelp ? stdout : stderr).write(generalHelp(commands));
    return wantsHelp ? EXIT.ok : EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv.slice(command.words.length), options: parseArgsOptions(command), allowPositionals: true, strict: true });
  } catch (error) {
    stderr.write(`smsc-connect ${command.words.join(' ')}: ${(error as Error).message}\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0 && !command.positionals) {
    stderr.write(`smsc-connect ${command.words.join(' ')}: unexpected argument "${parsed.positionals[0]}"\n`);
    return EXIT.usage;
  }
  return runCommand(command, { ...options, options: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals });
}

async function runCommand(
  command: CliCommand,
  context: Parameters<CliCommand['run']>[0],
): Promise<number> {
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof ConfigError) {
      context.stderr.write(`smsc-connect: ${error.message}\n`);
      return EXIT.config;
    }
    context.stderr.write(`smsc-connect ${command.words.join(' ')} failed: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}

/** The command whose words start argv, preferring the longest match (`accounts create` over `accounts`). */
function findCommand(commands: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  return [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((word, i) => argv[i] === word));
}

/**
 * The commands that argv's leading words begin without naming one (`accounts` for `accounts create`), or
 * undefined. argv's words are its arguments up to the first option.
 */
function findGroup(commands: readonly CliCommand[], argv: readonly string[]): { words: string[]; commands: CliCommand[] } | undefined {
  const end = argv.findIndex((arg) => arg.startsWith('-'));
  const words = argv.slice(0, end === -1 ? argv.length : end);
  if (words.length === 0) return undefined;
  const members = commands.filter((c) => c.words.length > words.length && words.every((word, i) => c.words[i] === word));
  return members.length > 0 ? { words, commands: members } : undefined;
}

function parseArgsOptions(command: CliCommand): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(command.options)) {
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
  }
  return options;
}
