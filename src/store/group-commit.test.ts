import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

describe('group commit idle()', () => {
  it('resolves at once when nothing is pending, and after the last batch committed otherwise', async () => {
    const finishers: Array<() => void> = [];
    const commits = createGroupCommit<number, number>({
      writeBatch: (items) => new Promise((resolve) => finishers.push(() => resolve(items))),
      writeOne: (item) => Promise.resolve(item),
    });
    await commits.idle();
    const written = commits.submit(1);
    let idle = false;
    const waiting = commits.idle().then(() => { idle = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits.pending).toBe(1);
    expect(idle).toBe(false);
    finishers[0]?.();
    expect(await written).toBe(1);
    await waiting;
    expect(idle).toBe(true);
  });
});

describe('group commit and transactions the server rolls back', () => {
  const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

  it('runs an item again, on its own, when its batch and then its own transaction were deadlock victims', async () => {
    let batchCalls = 0;
    const tries = new Map<number, number>();
    const commits = createGroupCommit<number, number>({
      writeBatch: () => {
        batchCalls += 1;
        return Promise.reject(deadlock());
      },
      writeOne: (item) => {
        const n = (tries.get(item) ?? 0) + 1;
        tries.set(item, n);
        return n < 3 ? Promise.reject(deadlock()) : Promise.resolve(item * 10);
      },
    });
    expect(await Promise.all([commits.submit(1), commits.submit(2)])).toEqual([10, 20]);
    expect(batchCalls).toBeGreaterThan(0);
    expect([...tries.values()]).toEqual([3, 3]);
  });

  it('gives up after a bounded number of rollbacks, and never retries other errors', async () => {
    let tries = 0;
    const persistent = createGroupCommit<number, number>({
      writeBatch: () => Promise.reject(deadlock()),
      writeOne: () => {
        tries += 1;
        return Promise.reject(deadlock());
      },
    });
    await expect(persistent.submit(1)).rejects.toMatchObject({ code: '40P01' });
    expect(tries).toBe(5);
    let otherTries = 0;
    const broken = createGroupCommit<number, number>({
      writeBatch: () => Promise.reject(Object.assign(new Error('bad'), { code: '22P02' })),
      writeOne: () => {
        otherTries += 1;
        return Promise.reject(Object.assign(new Error('bad'), { code: '22P02' }));
      },
    });
    await expect(broken.submit(1)).rejects.toMatchObject({ code: '22P02' });
    expect(otherTries).toBe(0);
  });
});
