// Catches a hand-written migration that drifted from prisma/schema.prisma (we cannot run `prisma migrate diff`:
// it needs the schema engine binary). Applies prisma/migrations to a fresh PostgreSQL database and to an in-memory
// PGlite, then compares every table and column (name, type, nullability) with the data model Prisma generated.
//
// Names and scalar types come from the generated client's runtime data model; nullability and @db.Timestamptz
// come from schema.prisma's field lines, which that model omits. Indexes are not compared.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../src/store/database.js';
import { applyMigrations } from '../src/store/migrations.js';
import { databaseUrl, withAdminClient } from '../test/helpers/postgres-admin.js';

interface ModelField { name: string; kind: string; type: string; dbName?: string | null }
interface RuntimeModel { dbName: string | null; fields: ModelField[] }
interface Column { table: string; column: string; type: string; nullable: boolean }

const PRISMA_TYPES: Record<string, string> = {
  String: 'text', Int: 'integer', BigInt: 'bigint', Boolean: 'boolean', Float: 'double precision',
  Decimal: 'numeric', Json: 'jsonb', Bytes: 'bytea', DateTime: 'timestamp without time zone',
};

function expectedColumns(models: Record<string, RuntimeModel>, schemaText: string): Column[] {
  const columns: Column[] = [];
  for (const [modelName, model] of Object.entries(models)) {
    const lines = modelLines(schemaText, modelName);
    for (const field of model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum')) {
      const line = lines.find((l) => new RegExp(`^\\s*${field.name}\\s`).test(l)) ?? '';
      const tz = field.type === 'DateTime' && line.includes('@db.Timestamptz');
      columns.push({
        table: model.dbName ?? modelName,
        column: field.dbName ?? field.name,
        type: tz ? 'timestamp with time zone' : (PRISMA_TYPES[field.type] ?? `unknown Prisma type ${field.type}`),
        nullable: new RegExp(`^\\s*${field.name}\\s+\\w+\\?`).test(line),
      });
    }
  }
  return columns;
}

function modelLines(schemaText: string, model: string): string[] {
  const match = new RegExp(`^model ${model} \\{([\\s\\S]*?)^\\}`, 'm').exec(schemaText);
  if (!match) throw new Error(`model ${model} not found in prisma/schema.prisma`);
  return match[1]!.split('\n');
}

async function actualColumns(db: Database): Promise<Column[]> {
  const rows = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' }));
}

function compareColumns(expected: Column[], actual: Column[]): string[] {
  const key = (c: Column) => `${c.table}.${c.column}`;
  const byKey = new Map(actual.map((c) => [key(c), c]));
  const problems: string[] = [];
  for (const want of expected) {
    const have = byKey.get(key(want));
    byKey.delete(key(want));
    if (!have) problems.push(`${key(want)}: in schema.prisma, missing from the migrations`);
    else if (have.type !== want.type) problems.push(`${key(want)}: migrations say ${have.type}, schema.prisma says ${want.type}`);
    else if (have.nullable !== want.nullable) {
      problems.push(`${key(want)}: migrations say ${have.nullable ? 'NULL' : 'NOT NULL'}, schema.prisma says ${want.nullable ? 'optional' : 'required'}`);
    }
  }
  for (const extra of byKey.keys()) problems.push(`${extra}: created by the migrations, absent from schema.prisma`);
  return problems;
}

async function check(label: string, db: Database): Promise<string[]> {
  await applyMigrations(db);
  const models = (db.prisma as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel.models;
  const expected = expectedColumns(models, readFileSync('prisma/schema.prisma', 'utf8'));
  const problems = compareColumns(expected, await actualColumns(db));
  console.log(`check-schema (${label}): ${expected.length} columns compared, ${problems.length} problem(s)`);
  return problems.map((p) => `${label}: ${p}`);
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const pglite = await openDatabase({ dataDir: 'memory://' });
  try {
    problems.push(...(await check('pglite', pglite)));
  } finally {
    await pglite.close();
  }
  const name = `smsc_connect_schema_check_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const postgres = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: '', poolSize: 1 });
  try {
    problems.push(...(await check('postgresql', postgres)));
  } finally {
    await postgres.close();
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
  for (const problem of problems) console.error(`check-schema: ${problem}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

await main();
