import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import type { MessageRecord, NewOutboundMessage } from '../messaging/ports.js';
import type { SqlQuery } from './database.js';
import { CommitUnknownError, insertMessagesResiliently } from './resilient-insert.js';

// A fake driver: `committed` is the table; each statement is answered by the script in turn (or by the table).
type Step = 'lose' | 'commit' | 'commit-then-lose' | 'duplicate' | 'ok';
function fakeQuery(script: Step[]) {
  const committed = new Set<string>();
  const log: string[] = [];
  const query = (async (text: string, params?: readonly unknown[]) => {
    const sids = (params?.[0] ?? []) as string[];
    const isInsert = text.includes('INSERT');
    const step = script.shift() ?? 'ok';
    log.push(`${isInsert ? 'insert' : 'select'}:${step}`);
    if (step === 'lose') throw new Error('Connection terminated unexpectedly');
    if (step === 'duplicate') throw Object.assign(new Error('duplicate key value violates unique constraint "messages_pkey"'), { code: '23505' });
    if (isInsert) {
      for (const sid of sids) committed.add(sid);
      if (step === 'commit-then-lose') throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    }
    return sids.filter((sid) => committed.has(sid)).map((sid) => ({ sid, status: 'queued' }) as unknown as MessageRecord);
  }) as unknown as SqlQuery;
  return { query, committed, log };
}

function message(n: number): NewOutboundMessage {
  return {
    sid: `SM${n}`, accountSid: 'AC1', from: '+15005550006', to: '+15551234567', body: `m${n}`, numSegments: 1, coding: 0,
    udh: null, messageClass: null, validitySeconds: 36000, statusCallback: null, statusCallbackMethod: 'POST', receiptRequested: true,
  };
}
const messages = [message(1), message(2)];

describe('insertMessagesResiliently', () => {
  it('writes again when the connection was lost before the insert committed', async () => {
    const { query, committed, log } = fakeQuery(['lose']);
    const rows = await insertMessagesResiliently({ query, messages, recoverForMs: 2_000 });
    expect(rows.map((r) => r?.sid)).toEqual(['SM1', 'SM2']);
    expect([...committed]).toEqual(['SM1', 'SM2']);
    expect(log).toEqual(['insert:lose', 'select:ok', 'insert:ok']);
  });

  it('answers with the rows, without writing twice, when the insert committed before the connection was lost', async () => {
    const { query, log } = fakeQuery(['commit-then-lose']);
    const rows = await insertMessagesResiliently({ query, messages, recoverForMs: 2_000 });
    expect(rows.map((r) => r?.sid)).toEqual(['SM1', 'SM2']);
    expect(log).toEqual(['insert:commit-then-lose', 'select:ok']);
  });

  it('keeps asking while the read-back loses its connection too', async () => {
    const { query, log } = fakeQuery(['commit-then-lose', 'lose', 'lose']);
    const rows = await insertMessagesResiliently({ query, messages, recoverForMs: 5_000 });
    expect(rows).toHaveLength(2);
    expect(log).toEqual(['insert:commit-then-lose', 'select:lose', 'select:lose', 'select:ok']);
  });

  it('reads back a re-insert that meets its own rows (an old backend committed late)', async () => {
    const { query, committed, log } = fakeQuery(['lose', 'ok', 'duplicate']);
    // The late commit: the rows appear between the read-back and the re-insert.
    const racing = (async (text: string, params?: readonly unknown[]) => {
      if (log.length === 2) for (const m of messages) committed.add(m.sid);
      return query(text, params);
    }) as unknown as SqlQuery;
    const rows = await insertMessagesResiliently({ query: racing, messages, recoverForMs: 2_000 });
    expect(rows.map((r) => r?.sid)).toEqual(['SM1', 'SM2']);
    expect(log).toEqual(['insert:lose', 'select:ok', 'insert:duplicate', 'select:ok']);
  });

  it('reads back a committed insert that refused an opted-out recipient: that message gets null, the other its row', async () => {
    const checked = [message(1), { ...message(2), refuseIfOptedOut: true }];
    const { query, committed, log } = fakeQuery(['commit-then-lose']);
    // The insert writes SM1 only (its WHERE refused SM2), then the connection goes.
    const refusing = (async (text: string, params?: readonly unknown[]) => {
      if (!text.includes('INSERT')) return query(text, params);
      committed.add('SM1');
      return query(text, [['SM1'], ...(params ?? []).slice(1)]);
    }) as unknown as SqlQuery;
    const rows = await insertMessagesResiliently({ query: refusing, messages: checked, recoverForMs: 2_000 });
    expect(rows.map((r) => r?.sid ?? null)).toEqual(['SM1', null]);
    expect(log).toEqual(['insert:commit-then-lose', 'select:ok']);
  });

  it('still treats a missing row of a message that asked no opt-out check as a partly committed statement', async () => {
    const { query, committed } = fakeQuery(['commit-then-lose']);
    const partial = (async (text: string, params?: readonly unknown[]) => {
      if (!text.includes('INSERT')) return query(text, params);
      committed.add('SM1');
      return query(text, [['SM1'], ...(params ?? []).slice(1)]);
    }) as unknown as SqlQuery;
    await expect(insertMessagesResiliently({ query: partial, messages, recoverForMs: 2_000 })).rejects.toThrow('returned no row for SM2');
  });

  it('gives up with CommitUnknownError (naming the sids) when the outcome cannot be read in time', async () => {
    const { query } = fakeQuery(Array<Step>(100).fill('lose'));
    const error = await insertMessagesResiliently({ query, messages, recoverForMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitUnknownError);
    expect((error as CommitUnknownError).sids).toEqual(['SM1', 'SM2']);
  });

  it('passes other errors through untouched, and a first-attempt unique violation too', async () => {
    const duplicate = fakeQuery(['duplicate']);
    await expect(insertMessagesResiliently({ query: duplicate.query, messages, recoverForMs: 1_000 })).rejects.toMatchObject({ code: '23505' });
    expect(duplicate.log).toEqual(['insert:duplicate']);
  });

  it('answers databaseTimedOut when the deadline passed and the rows are known not to be stored', async () => {
    const slow = fakeQuery(['lose']);
    const late = (async (text: string, params?: readonly unknown[]) => {
      const rows = await slow.query(text, params);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return rows;
    }) as unknown as SqlQuery;
    const timedOut = await insertMessagesResiliently({ query: late, messages, recoverForMs: 100 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(AppError);
    expect((timedOut as AppError).key).toBe('databaseTimedOut');
  });
});
