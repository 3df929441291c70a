// The one configuration schema: every environment variable smsc-connect reads, with its type, default and
// description. The README's configuration table is generated from it (scripts/generate-docs.ts).
import Type, { type Static, type TSchema } from 'typebox';
import { apiSchema } from './schema-api.js';
import { coreSchema } from './schema-core.js';
import { retentionSchema } from './schema-retention.js';
import { sipSchema } from './schema-sip.js';
import { smppSchema } from './schema-smpp.js';
import { smscSchema } from './schema-smsc.js';

export const envSchema = Type.Object({ ...coreSchema, ...sipSchema, ...smscSchema, ...smppSchema, ...apiSchema, ...retentionSchema });

/** The environment after defaults and type conversion, before cross-field rules and derived values. */
export type Env = Static<typeof envSchema>;

export type EnvName = keyof Env & string;

/** Variables grouped as the README presents them. */
export const envSections: ReadonlyArray<{ title: string; names: readonly string[] }> = [
  { title: 'Server and database', names: Object.keys(coreSchema) },
  { title: 'SIP bridge', names: Object.keys(sipSchema) },
  { title: 'Sending to the SMSC', names: Object.keys(smscSchema) },
  { title: 'SMPP and routing', names: Object.keys(smppSchema) },
  { title: 'API and webhooks', names: Object.keys(apiSchema) },
  { title: 'Retention', names: Object.keys(retentionSchema) },
];

export function envVariable(name: string): TSchema {
  const schema = (envSchema.properties as Record<string, TSchema>)[name];
  if (!schema) throw new Error(`unknown configuration variable ${name}`);
  return schema;
}
