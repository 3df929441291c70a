// What a subcommand is: its words, a one-line summary, its options, and what it runs.
import type { Writable } from 'node:stream';

export interface CommandOption {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in `--help`. */
  description: string;
  /** Placeholder for the value in `--help`, e.g. `NAME`. */
  valueName?: string;
}

export interface CommandContext {
  /** Parsed options (parseArgs values). */
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The process environment, handed to loadConfig; commands never read process.env themselves. */
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
}

export interface CliCommand {
  /** The words that select it, e.g. `['accounts', 'create']`. */
  words: readonly string[];
  summary: string;
  options: Readonly<Record<string, CommandOption>>;
  /** Positional arguments accepted after the words, for the usage line (none when absent). */
  positionals?: string;
  /** Resolves with the exit code. Implementations are loaded lazily so `--help` stays fast. */
  run(context: CommandContext): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, config: 2 } as const;
