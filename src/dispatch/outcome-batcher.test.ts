import { describe, expect, it } from 'vitest';
import { OutcomeBatcher } from './outcome-batcher.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OutcomeBatcher.writeBuffered', () => {
  it('resolves once the items added before it are written, although new items keep arriving', async () => {
    const written: number[][] = [];
    let next = 100;
    const batcher: OutcomeBatcher<number> = new OutcomeBatcher<number>({
      maxBatch: 2,
      delayMs: 60_000,
      retryDelayMs: 60_000,
      async write(batch) {
        await tick();
        written.push(batch);
        // Sustained load: every write sees more outcomes arrive, so the buffer is never empty.
        if (next < 120) batcher.add(next++);
      },
      onWriteError: () => undefined,
    });
    for (const n of [1, 2, 3]) batcher.add(n);
    await batcher.writeBuffered();
    expect(written.flat().slice(0, 3)).toEqual([1, 2, 3]);
    // flush() would still be draining what arrived since; writeBuffered did not wait for it.
    expect(written.flat()).not.toContain(119);
    await batcher.flush();
  });

  it('resolves at once when nothing is buffered, and when a write fails', async () => {
    const batcher = new OutcomeBatcher<number>({
      maxBatch: 10, delayMs: 60_000, retryDelayMs: 60_000,
      write: () => Promise.reject(new Error('database down')),
      onWriteError: () => undefined,
    });
    await batcher.writeBuffered();
    batcher.add(1);
    await batcher.writeBuffered();
    expect(batcher.pending).toBe(1);
    expect(batcher.close()).toEqual([1]);
  });
});
