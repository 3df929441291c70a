// Recording the plans of the real hot-path functions: a Database whose every statement runs once under
// EXPLAIN (ANALYZE, BUFFERS) inside a savepoint that is rolled back, then for real; and the rule a hot plan must
// keep (no sequential scan of a big table, no scan reading more than `maxRowsPerScan` entries).
// Used by test/integration/store/hot-query-plans.test.ts (100k rows) and growth-plans.test.ts (1,000,000 rows; with
// the generic plans of named statements too).
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Database, SqlQuery } from '../../src/store/database.js';

// node-postgres' own conversion of a parameter to its text form (arrays, dates, JSON), as it binds them.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string | Buffer | null };

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

export interface RecordedPlan {
  sql: string;
  plan: PlanNode;
}

export interface RecordingOptions {
  /**
   * Also record each parameterised statement's generic plan (the one PostgreSQL may settle on for a named
   * prepared statement after five executions, store/statement-names.ts): PREPARE, then EXPLAIN EXECUTE under
   * plan_cache_mode = force_generic_plan. Recorded with its sql prefixed `[generic] `.
   */
  genericPlans?: boolean;
}

type Explained = Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;

function recorder(query: SqlQuery, plans: RecordedPlan[], options: RecordingOptions): SqlQuery {
  return async <Row>(text: string, params?: readonly unknown[]): Promise<Row[]> => {
    if (/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)/i.test(text) && !/pg_(try_)?advisory/.test(text)) {
      const sql = text.replace(/\s+/g, ' ').trim();
      await query('SAVEPOINT plan_probe');
      const [row] = await query<Explained[number]>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params);
      await query('ROLLBACK TO SAVEPOINT plan_probe');
      const plan = row?.['QUERY PLAN'][0]?.Plan;
      if (plan !== undefined) plans.push({ sql, plan });
      if (options.genericPlans === true && (params?.length ?? 0) > 0) {
        const generic = await genericPlan(query, text, params ?? []);
        if (generic !== undefined) plans.push({ sql: `[generic] ${sql}`, plan: generic });
      }
    }
    return query<Row>(text, params);
  };
}

/** The generic plan of `text`, run with `params` inside a savepoint that is rolled back. */
async function genericPlan(query: SqlQuery, text: string, params: readonly unknown[]): Promise<PlanNode | undefined> {
  await query('SAVEPOINT plan_probe');
  // A prepared statement outlives the savepoint; SET LOCAL does not.
  await query(`PREPARE plan_probe_statement AS ${text}`);
  try {
    await query('SET LOCAL plan_cache_mode = force_generic_plan');
    // EXECUTE's arguments are analysed only when it runs, so they cannot be bound parameters: literals, as the
    // driver would have sent them, each taking its parameter's type.
    const [row] = await query<Explained[number]>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE plan_probe_statement(${params.map(literal).join(', ')})`);
    return row?.['QUERY PLAN'][0]?.Plan;
  } finally {
    await query('ROLLBACK TO SAVEPOINT plan_probe');
    await query('DEALLOCATE plan_probe_statement');
  }
}

function literal(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  return Buffer.isBuffer(text) ? `'\\x${text.toString('hex')}'` : pg.escapeLiteral(text);
}

/** A Database whose every statement is recorded: the real functions take it unchanged. */
export function recordingDatabase(db: Database, plans: RecordedPlan[], options: RecordingOptions = {}): Database {
  return {
    ...db,
    query: (text, params) => db.transaction((q) => recorder(q, plans, options)(text, params)),
    transaction: (work) => db.transaction((q) => work(recorder(q, plans, options))),
  };
}

export function scans(node: PlanNode): PlanNode[] {
  const own = /Scan/.test(node['Node Type']) && node['Node Type'] !== 'Function Scan' && node['Node Type'] !== 'CTE Scan' ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scans)];
}

/** What is wrong with a plan: a sequential scan of a big table, or a scan that reads too many entries. */
export function planProblems(recorded: RecordedPlan, options: { bigTables: readonly string[]; maxRowsPerScan: number }): string[] {
  return scans(recorded.plan).flatMap((scan) => {
    const read = scan['Actual Rows'] * scan['Actual Loops'] + (scan['Rows Removed by Filter'] ?? 0) + (scan['Rows Removed by Index Recheck'] ?? 0);
    const where = `${scan['Node Type']} ${scan['Relation Name'] ?? scan['Index Name'] ?? ''}`;
    if (scan['Node Type'] === 'Seq Scan' && options.bigTables.includes(scan['Relation Name'] ?? '')) return [`${where} in: ${recorded.sql.slice(0, 160)}`];
    if (read > options.maxRowsPerScan) return [`${where} read ${read} entries in: ${recorded.sql.slice(0, 160)}`];
    return [];
  });
}

/** The tables a plan reads (scans with a relation). */
export function touchedTables(plans: readonly RecordedPlan[]): string[] {
  return [...new Set(plans.flatMap((p) => scans(p.plan)).flatMap((s) => s['Relation Name'] ?? []))].sort();
}
