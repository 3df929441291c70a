// The text of `smsc-connect --help` and `smsc-connect <command> --help`, built from the command table.
import type { CliCommand } from './command.js';

export function generalHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length)) + 2;
  return [
    'smsc-connect: a Twilio-compatible Messages API in front of a carrier SMSC (SIP MESSAGE or SMPP).',
    '',
    'Usage: smsc-connect <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.words.join(' ').padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help  Show this help, or a command\'s help: smsc-connect <command> --help',
    '',
    'Configuration comes from environment variables (DATABASE_URL, PORT, ...): see the table in README.md.',
    '',
  ].join('\n');
}

/** `smsc-connect accounts --help`: the commands that start with these words. */
export function groupHelp(words: readonly string[], commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length)) + 2;
  return [
    `Usage: smsc-connect ${words.join(' ')} <command> [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.words.join(' ').padEnd(width)}${c.summary}`),
    '',
    `Each command's options: smsc-connect ${commands[0]!.words.join(' ')} --help`,
    '',
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  const options = Object.entries(command.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.valueName ? ` ${option.valueName}` : ''}`;
    return [flag, option.description] as const;
  });
  options.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...options.map(([flag]) => flag.length)) + 2;
  const positionals = command.positionals ? ` ${command.positionals}` : '';
  return [
    `Usage: smsc-connect ${command.words.join(' ')} [options]${positionals}`,
    '',
    command.summary,
    '',
    'Options:',
    ...options.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`),
    '',
  ].join('\n');
}
