import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Reassembler, assembleParts } from './reassembly.js';
import { splitText, analyzeText } from './segments.js';
import { decodeGsm7, encodeGsm7 } from './gsm7.js';
import { decodeUcs2, encodeUcs2 } from './ucs2.js';

const t0 = new Date('2025-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);
const part = (sequence: number, text: string, extra: Partial<Parameters<Reassembler['add']>[0]> = {}) => ({
  from: '15550001111',
  to: '15550002222',
  reference: 7,
  total: 3,
  sequence,
  text,
  receivedAt: t0,
  ...extra,
});

describe('Reassembler', () => {
  it('completes out of order and joins in sequence order', () => {
    const reassembler = new Reassembler();
    expect(reassembler.add(part(3, 'C'))).toEqual({ state: 'waiting', received: 1 });
    expect(reassembler.add(part(1, 'A'))).toEqual({ state: 'waiting', received: 2 });
    expect(reassembler.add(part(2, 'B'))).toEqual({ state: 'complete', text: 'ABC', parts: 3 });
    expect(reassembler.pendingCount).toBe(0);
  });

  it('absorbs a duplicate while waiting and after completion (lost deliver_sm_resp)', () => {
    const reassembler = new Reassembler();
    reassembler.add(part(1, 'A'));
    expect(reassembler.add(part(1, 'A'))).toEqual({ state: 'duplicate' });
    reassembler.add(part(2, 'B'));
    expect(reassembler.add(part(3, 'C'))).toMatchObject({ state: 'complete', text: 'ABC' });
    expect(reassembler.add(part(3, 'C'))).toEqual({ state: 'duplicate' });
    expect(reassembler.pendingCount).toBe(0);
  });

  it('treats a reused reference with different text as a new message', () => {
    const reassembler = new Reassembler();
    for (const [sequence, text] of [[1, 'A'], [2, 'B'], [3, 'C']] as const) reassembler.add(part(sequence, text));
    expect(reassembler.add(part(1, 'X'))).toEqual({ state: 'waiting', received: 1 });
  });

  it('keeps messages apart by sender, receiver, reference, total and reference size', () => {
    const reassembler = new Reassembler();
    const variants = [
      {},
      { from: 'other' },
      { to: 'other' },
      { reference: 8 },
      { total: 4 },
      { referenceBits: 16 as const },
    ];
    for (const extra of variants) {
      expect(reassembler.add(part(1, 'A', extra))).toEqual({ state: 'waiting', received: 1 });
    }
    expect(reassembler.pendingCount).toBe(variants.length);
  });

  it('gives up after the timeout with what arrived, the missing parts and 30009', () => {
    const reassembler = new Reassembler();
    reassembler.add(part(3, 'C', { receivedAt: at(0) }));
    reassembler.add(part(1, 'A', { receivedAt: at(10) }));
    expect(reassembler.expire(at(1799), 1_800_000)).toEqual([]);
    expect(reassembler.expire(at(1800), 1_800_000)).toEqual([
      {
        key: { from: '15550001111', to: '15550002222', reference: 7, total: 3, referenceBits: 8 },
        text: 'AC',
        received: [1, 3],
        missing: [2],
        firstReceivedAt: at(0),
        errorCode: 30009,
      },
    ]);
    expect(reassembler.pendingCount).toBe(0);
    // A straggler after expiry starts afresh rather than resurrecting the abandoned message.
    expect(reassembler.add(part(2, 'B', { receivedAt: at(1801) }))).toEqual({ state: 'waiting', received: 1 });
  });

  it('bounds memory: the oldest incomplete message is given up and reported by the next expire', () => {
    const reassembler = new Reassembler({ maxPending: 2 });
    reassembler.add(part(1, 'A', { reference: 1 }));
    reassembler.add(part(1, 'A', { reference: 2 }));
    reassembler.add(part(1, 'A', { reference: 3 }));
    expect(reassembler.pendingCount).toBe(2);
    const expired = reassembler.expire(at(0), 1_800_000);
    expect(expired.map((message) => [message.key.reference, message.missing, message.errorCode])).toEqual([
      [1, [2, 3], 30009],
    ]);
  });

  it('rejects a part TS 23.040 says to ignore', () => {
    const reassembler = new Reassembler();
    for (const bad of [{ sequence: 0 }, { sequence: 4 }, { total: 0, sequence: 1 }, { reference: 256 }]) {
      expect(() => reassembler.add({ ...part(1, 'A'), ...bad })).toThrowError(
        expect.objectContaining({ code: 'REASSEMBLY_BAD_PART' }),
      );
    }
  });
});

describe('assembleParts', () => {
  it('orders, de-duplicates (first copy wins) and lists what is missing', () => {
    expect(
      assembleParts(
        [
          { sequence: 4, text: 'D' },
          { sequence: 1, text: 'A' },
          { sequence: 4, text: 'late copy' },
        ],
        5,
      ),
    ).toEqual({ text: 'AD', received: [1, 4], missing: [2, 3, 5], complete: false });
  });
});

describe('split then reassemble (property)', () => {
  const pool = ['a', 'Z', '€', '{', '\n', 'Ж', 'ç', '😀', '🇮🇹', '👨‍👩‍👧', ' '];
  it('through the wire codec, in any order, with duplicates, gives back the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 600 }),
        fc.infiniteStream(fc.nat()),
        (chars, randomness) => {
          const text = chars.join('');
          const { encoding } = analyzeText(text);
          // Each part goes through the bytes a transport would send: septets (<= 153) or UTF-16BE (<= 134 octets).
          const parts = splitText({ text, encoding }).map((body, _, all) => {
            const wire = encoding === 'GSM7' ? encodeGsm7(body) : encodeUcs2(body);
            if (all.length > 1) expect(wire.length).toBeLessThanOrEqual(encoding === 'GSM7' ? 153 : 134);
            return encoding === 'GSM7' ? decodeGsm7(wire) : decodeUcs2(wire);
          });
          const arrivals = parts.flatMap((body, index) => [index + 1, ...(index % 2 === 0 ? [index + 1] : [])]);
          for (let i = arrivals.length - 1; i > 0; i--) {
            const j = (randomness.next().value as number) % (i + 1);
            [arrivals[i], arrivals[j]] = [arrivals[j] as number, arrivals[i] as number];
          }
          const reassembler = new Reassembler();
          const results = arrivals.map((sequence) =>
            reassembler.add(part(sequence, parts[sequence - 1] as string, { total: parts.length })),
          );
          const completes = results.filter((result) => result.state === 'complete');
          expect(completes).toEqual([{ state: 'complete', text, parts: parts.length }]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
