// The table of subcommands. Adding one means adding an entry here and its <name>-command.ts file.
import type { CliCommand } from './command.js';
import { SIMULATE_FLAGS } from '../simulator/simulate-flags.js';

export const commands: readonly CliCommand[] = [
  {
    words: ['serve'],
    summary: 'Run the service (what `npm start` runs): migrate, seed the main account, serve the API, SIP, SMPP and webhooks.',
    options: {},
    run: async (context) => (await import('./serve-command.js')).serveCommand(context),
  },
  {
    words: ['migrate'],
    summary: 'Apply pending database migrations (prisma/migrations) and exit.',
    options: {},
    run: async (context) => (await import('./migrate-command.js')).migrateCommand(context),
  },
  {
    words: ['accounts', 'create'],
    summary: 'Create an account and print its sid and auth_token as JSON.',
    options: {
      'friendly-name': { type: 'string', valueName: 'NAME', description: 'Name shown for the account (default "smsc-connect account").' },
    },
    run: async (context) => (await import('./accounts-create-command.js')).accountsCreateCommand(context),
  },
  {
    words: ['simulate'],
    summary: 'Run the SMSC simulator (SIP, optional SMPP), its control API, an MO load and/or the demo echo receiver.',
    options: SIMULATE_FLAGS,
    run: async (context) => (await import('./simulate-command.js')).simulateCommand(context),
  },
];
