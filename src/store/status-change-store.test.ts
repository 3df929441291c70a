import { describe, expect, it } from 'vitest';
import { transitionAllowedSql } from './status-change-store.js';

describe('transitionAllowedSql', () => {
  it('is canTransition\'s SQL twin, built from the same table', () => {
    const sql = transitionAllowedSql('m.status', 'i.status');
    expect(sql).toContain(`WHEN m.status IN ('delivered', 'undelivered', 'failed', 'canceled') THEN false`);
    expect(sql).toContain(`WHEN i.status = 'canceled' THEN m.status IN ('accepted', 'scheduled', 'queued')`);
  });
});
