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
