// `smsc-connect serve`: start the service and run until SIGTERM/SIGINT, then close it gracefully.
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logging/index.js';
import { shutdownSignal, start } from '../main.js';
import { EXIT, type CommandContext } from './command.js';

export async function serveCommand(context: CommandContext): Promise<number> {
  const config = loadConfig(context.env);
  const logger = createLogger({ level: config.log.level });
  const signal = shutdownSignal({ logger });
  const service = await start({ config, logger });
  logger.info({ signal: await signal }, 'shutting down');
  await service.close();
  return EXIT.ok;
}
