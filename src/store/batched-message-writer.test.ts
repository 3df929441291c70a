import { describe, expect, it } from 'vitest';
import type { MessageRecord, NewOutboundMessage } from '../messaging/ports.js';
import { createBatchedMessageWriter, type BatchedMessageWriterOptions } from './batched-message-writer.js';
import type { Database, SqlQuery } from './database.js';

// A fake database that records each INSERT (the sids it carried) and lets the test decide when and how it ends.
interface Call {
  sids: string[];
  finish(): void;
  fail(error: unknown): void;
}

function fakeDatabase(options: { autoFinish?: boolean; reverseRows?: boolean; failWhen?: (sids: string[]) => unknown; optedOut?: string[] } = {}) {
  const calls: Call[] = [];
  const query = (async (_text: string, params?: readonly unknown[]) => {
    const sids = (params?.[0] ?? []) as string[];
    // Like the INSERT's WHERE: no row back for a message that asks the check and whose recipient opted out.
    const refuses = (params?.[15] ?? []) as boolean[];
    const rows = sids.filter((sid, i) => !(refuses[i] === true && options.optedOut?.includes(sid)))
      .map((sid) => ({ sid, status: 'queued' }) as unknown as MessageRecord);
    if (options.reverseRows) rows.reverse();
    return new Promise<MessageRecord[]>((resolve, reject) => {
      const call: Call = { sids, finish: () => resolve(rows), fail: reject };
      calls.push(call);
      const failure = options.failWhen?.(sids);
      if (failure !== undefined) call.fail(failure);
      else if (options.autoFinish) call.finish();
    });
  }) as unknown as SqlQuery;
  return { db: { kind: 'postgres', query } as unknown as Database, calls };
}

function message(n: number): NewOutboundMessage {
  return {
    sid: `SM${n}`, accountSid: 'AC1', from: '+15005550006', to: '+15551234567', body: `m${n}`, numSegments: 1, coding: 0,
    udh: null, messageClass: null, validitySeconds: 36000, statusCallback: null, statusCallbackMethod: 'POST', receiptRequested: true,
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sidsOf = (calls: Call[]) => calls.map((c) => c.sids);

function writer(db: Database, options: Omit<BatchedMessageWriterOptions, 'db'> = {}) {
  return createBatchedMessageWriter({ db, ...options });
}

describe('batched message writer', () => {
  it('writes a lone message at once, and resolves it only after its statement returned', async () => {
    const { db, calls } = fakeDatabase();
    const w = writer(db, { maxWaitMs: 60_000 });
    let settled = false;
    const done = w.insertMessage(message(1)).then((row) => { settled = true; return row; });
    await turn();
    expect(sidsOf(calls)).toEqual([['SM1']]);
    await sleep(5);
    expect(settled).toBe(false);
    expect(w.pending).toBe(1);
    calls[0]?.finish();
    expect((await done).sid).toBe('SM1');
    expect(w.pending).toBe(0);
  });

  it('puts the calls of one event-loop turn into one statement', async () => {
    const { db, calls } = fakeDatabase({ autoFinish: true });
    const w = writer(db);
    const rows = await Promise.all([1, 2, 3, 4, 5].map((n) => w.insertMessage(message(n))));
    expect(sidsOf(calls)).toEqual([['SM1', 'SM2', 'SM3', 'SM4', 'SM5']]);
    expect(rows.map((r) => r.sid)).toEqual(['SM1', 'SM2', 'SM3', 'SM4', 'SM5']);
  });

  it('flushes on size without waiting for the turn to end, and keeps arrival order across batches', async () => {
    const { db, calls } = fakeDatabase({ autoFinish: true });
    const w = writer(db, { maxBatchSize: 3, maxConcurrentBatches: 1, maxWaitMs: 60_000 });
    const pending = [1, 2, 3, 4, 5, 6, 7].map((n) => w.insertMessage(message(n)));
    // The first batch left synchronously with the third call.
    expect(sidsOf(calls)).toEqual([['SM1', 'SM2', 'SM3']]);
    const rows = await Promise.all(pending);
    expect(sidsOf(calls)).toEqual([['SM1', 'SM2', 'SM3'], ['SM4', 'SM5', 'SM6'], ['SM7']]);
    expect(rows.map((r) => r.sid)).toEqual(['SM1', 'SM2', 'SM3', 'SM4', 'SM5', 'SM6', 'SM7']);
  });

  it('with two partial lanes, while a batch commits, starts a second one after maxWaitMs', async () => {
    const { db, calls } = fakeDatabase();
    const w = writer(db, { maxWaitMs: 100, maxConcurrentBatches: 2, partialBatches: 2 });
    const first = w.insertMessage(message(1));
    await turn();
    const second = w.insertMessage(message(2));
    await turn();
    expect(calls).toHaveLength(1); // waits for company (or for the first batch)
    await sleep(300);
    expect(sidsOf(calls)).toEqual([['SM1'], ['SM2']]); // the timer fired while SM1 is still committing
    calls[1]?.finish();
    calls[0]?.finish();
    expect([(await first).sid, (await second).sid]).toEqual(['SM1', 'SM2']);
  });

  it('by default, while a batch commits, keeps a partial batch for after it, and sends a full one on the second connection', async () => {
    const { db, calls } = fakeDatabase();
    const w = writer(db, { maxWaitMs: 1, maxBatchSize: 3 });
    const first = w.insertMessage(message(1));
    await turn();
    const partial = [2, 3].map((n) => w.insertMessage(message(n)));
    await sleep(30);
    expect(sidsOf(calls)).toEqual([['SM1']]); // no second partial batch, however long SM1 takes
    const full = [4, 5, 6].map((n) => w.insertMessage(message(n)));
    await turn();
    // SM2..SM4 make a full batch: it goes alongside SM1; SM5, SM6 wait until no batch runs.
    expect(sidsOf(calls)).toEqual([['SM1'], ['SM2', 'SM3', 'SM4']]);
    calls[0]?.finish();
    await first;
    await turn();
    // One batch still runs, and a partial batch starts only when none does.
    expect(sidsOf(calls)).toHaveLength(2);
    calls[1]?.finish();
    await Promise.all(partial);
    await turn();
    expect(sidsOf(calls)).toEqual([['SM1'], ['SM2', 'SM3', 'SM4'], ['SM5', 'SM6']]);
    calls[2]?.finish();
    expect((await Promise.all([...partial, ...full])).map((r) => r.sid)).toEqual(['SM2', 'SM3', 'SM4', 'SM5', 'SM6']);
  });

  it('with every connection busy, collects rows until a batch finishes, then writes them together', async () => {
    const { db, calls } = fakeDatabase();
    const w = writer(db, { maxWaitMs: 1, maxConcurrentBatches: 1 });
    const first = w.insertMessage(message(1));
    await turn();
    const later = [2, 3, 4].map((n) => w.insertMessage(message(n)));
    await sleep(30);
    expect(sidsOf(calls)).toEqual([['SM1']]);
    calls[0]?.finish();
    await first;
    await turn();
    expect(sidsOf(calls)).toEqual([['SM1'], ['SM2', 'SM3', 'SM4']]);
    calls[1]?.finish();
    expect((await Promise.all(later)).map((r) => r.sid)).toEqual(['SM2', 'SM3', 'SM4']);
  });

  it('gives each caller its own row even when RETURNING comes back in another order', async () => {
    const { db } = fakeDatabase({ autoFinish: true, reverseRows: true });
    const w = writer(db);
    const rows = await Promise.all([1, 2, 3].map((n) => w.insertMessage(message(n))));
    expect(rows.map((r) => r.sid)).toEqual(['SM1', 'SM2', 'SM3']);
  });

  it('answers 21610 to an opted-out recipient from the same single statement that writes the others', async () => {
    const { db, calls } = fakeDatabase({ autoFinish: true, optedOut: ['SM2'] });
    const w = writer(db);
    const results = await Promise.allSettled([1, 2, 3].map((n) => w.insertMessage({ ...message(n), refuseIfOptedOut: true })));
    expect(sidsOf(calls)).toEqual([['SM1', 'SM2', 'SM3']]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { sid: 'SM1' } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { key: 'recipientOptedOut' } });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { sid: 'SM3' } });
  });

  it('isolates a bad row: a data error is retried row by row, so only that caller fails', async () => {
    const badData = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const { db, calls } = fakeDatabase({ autoFinish: true, failWhen: (sids) => (sids.includes('SM2') ? badData : undefined) });
    const w = writer(db);
    const results = await Promise.allSettled([1, 2, 3].map((n) => w.insertMessage(message(n))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(badData);
    expect(sidsOf(calls)).toEqual([['SM1', 'SM2', 'SM3'], ['SM1'], ['SM2'], ['SM3']]);
  });

  it('rejects every caller of a batch with the error when it is not about the data, without retrying', async () => {
    // Not a lost connection either (resilient-insert.test.ts covers that): the server cannot extend a file.
    const lost = Object.assign(new Error('could not extend file'), { code: '53100' });
    const { db, calls } = fakeDatabase({ failWhen: () => lost });
    const w = writer(db);
    const results = await Promise.allSettled([1, 2].map((n) => w.insertMessage(message(n))));
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : null))).toEqual([lost, lost]);
    expect(calls).toHaveLength(1);
    expect(w.pending).toBe(0);
  });

  it('goes on writing after a failed batch', async () => {
    let failNext = true;
    const { db, calls } = fakeDatabase({ autoFinish: true, failWhen: () => (failNext ? ((failNext = false), new Error('shutdown')) : undefined) });
    const w = writer(db);
    await expect(w.insertMessage(message(1))).rejects.toThrow('shutdown');
    expect((await w.insertMessage(message(2))).sid).toBe('SM2');
    expect(sidsOf(calls)).toEqual([['SM1'], ['SM2']]);
  });
});
