import { describe, expect, it } from 'vitest';
import { createStatementNames, isStaleStatementError } from './statement-names.js';

describe('createStatementNames', () => {
  it('gives each distinct text one stable name', () => {
    const names = createStatementNames();
    const a = names.nameOf('SELECT 1 WHERE $1::int = 1');
    const b = names.nameOf('SELECT 2 WHERE $1::int = 1');
    expect(a).toBe('smsc_1');
    expect(b).toBe('smsc_2');
    expect(names.nameOf('SELECT 1 WHERE $1::int = 1')).toBe('smsc_1');
    expect(names.size).toBe(2);
  });

  it('names at most maxNames texts and leaves the rest unnamed, without remembering them', () => {
    const names = createStatementNames({ maxNames: 3 });
    const batch = (rows: number): string =>
      `INSERT INTO t (v) VALUES ${Array.from({ length: rows }, (_, i) => `($${i + 1})`).join(', ')}`;
    expect([1, 2, 3, 4, 5].map((rows) => names.nameOf(batch(rows)))).toEqual(['smsc_1', 'smsc_2', 'smsc_3', undefined, undefined]);
    for (let rows = 6; rows < 1000; rows += 1) names.nameOf(batch(rows));
    expect(names.size).toBe(3);
    expect(names.nameOf(batch(2))).toBe('smsc_2');
  });

  it('leaves scripts of several statements and very long texts unnamed', () => {
    const names = createStatementNames({ maxTextLength: 100 });
    expect(names.nameOf('CREATE TABLE a (x int); CREATE TABLE b (y int);')).toBeUndefined();
    expect(names.nameOf(`SELECT '${'x'.repeat(100)}'`)).toBeUndefined();
    expect(names.nameOf('SELECT 1;\n')).toBe('smsc_1');
    expect(names.size).toBe(1);
  });

  it('renews a stale name once, however many calls report it', () => {
    const names = createStatementNames();
    const text = 'SELECT * FROM accounts WHERE sid = $1';
    const stale = names.nameOf(text) as string;
    const renewed = names.renew(text, stale);
    expect(renewed).toBe('smsc_2');
    expect(names.renew(text, stale)).toBe('smsc_2');
    expect(names.nameOf(text)).toBe('smsc_2');
  });

  it('renews into no name once the cap is reached, and the text stays unnamed', () => {
    const names = createStatementNames({ maxNames: 1 });
    const text = 'SELECT * FROM accounts WHERE sid = $1';
    const stale = names.nameOf(text) as string;
    expect(names.renew(text, stale)).toBeUndefined();
    expect(names.nameOf(text)).toBeUndefined();
    expect(names.size).toBe(0);
  });

  it('names nothing with maxNames 0', () => {
    expect(createStatementNames({ maxNames: 0 }).nameOf('SELECT 1')).toBeUndefined();
  });
});

describe('isStaleStatementError', () => {
  it('knows PostgreSQL\'s stale-plan error by code and text, and a statement gone from its session', () => {
    expect(isStaleStatementError(Object.assign(new Error('prepared statement "smsc_3" does not exist'), { code: '26000' }))).toBe(true);
    expect(isStaleStatementError(Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))).toBe(true);
    expect(isStaleStatementError(Object.assign(new Error('cached plan must not change result type'), { code: '42P01' }))).toBe(false);
    expect(isStaleStatementError(Object.assign(new Error('FOR UPDATE is not allowed with UNION'), { code: '0A000' }))).toBe(false);
    expect(isStaleStatementError('cached plan must not change result type')).toBe(false);
  });
});
