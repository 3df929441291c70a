// Public face of the configuration module.
export type { Config, LogLevel, SmppBind, SmscAddress } from './config.js';
export { ConfigError } from './config-error.js';
export { loadConfig } from './load-config.js';
export { envSchema, envSections, envVariable, type Env, type EnvName } from './schema.js';
