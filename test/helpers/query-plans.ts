// Recording the plans of the real hot-path functions: a Database whose every statement runs once under
// EXPLAIN (ANALYZE, BUFFERS) inside a savepoint that is rolled back, then for real; and the rule a hot plan must
// keep (no sequential scan of a big table, no scan reading more than `maxRowsPerScan` entries).
// Used by test/integration/store/hot-query-plans.test.ts (100k rows) and growth-plans.test.ts (1,000,000 rows).
import type { Database, SqlQuery } from '../../src/store/database.js';

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

function recorder(query: SqlQuery, plans: RecordedPlan[]): SqlQuery {
  return async <Row>(text: string, params?: readonly unknown[]): Promise<Row[]> => {
    if (/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)/i.test(text) && !/pg_(try_)?advisory/.test(text)) {
      await query('SAVEPOINT plan_probe');
      const [row] = await query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params);
      await query('ROLLBACK TO SAVEPOINT plan_probe');
      const plan = row?.['QUERY PLAN'][0]?.Plan;
      if (plan !== undefined) plans.push({ sql: text.replace(/\s+/g, ' ').trim(), plan });
    }
    return query<Row>(text, params);
  };
}

/** A Database whose every statement is recorded: the real functions take it unchanged. */
export function recordingDatabase(db: Database, plans: RecordedPlan[]): Database {
  return {
    ...db,
    query: (text, params) => db.transaction((q) => recorder(q, plans)(text, params)),
    transaction: (work) => db.transaction((q) => work(recorder(q, plans))),
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
