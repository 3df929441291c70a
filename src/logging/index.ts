export { componentLogger, createLogger, REDACTED_PATHS, type CreateLoggerOptions, type Logger } from './logger.js';
