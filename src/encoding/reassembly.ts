/**
 * Reassembly of concatenated SMS as a pure state machine: no timers and no clock inside; callers pass the
 * time a part arrived and the time to expire at. Parts are keyed by sender, receiver, reference size,
 * reference and total (TS 23.040 §9.2.3.24.1). Out-of-order parts are fine, duplicates are absorbed, and a
 * message that stays incomplete past the timeout is handed back with Twilio's 30009 "Missing segment".
 */
import { EncodingError } from './encoding-error.js';

export type ReassemblyPart = {
  from: string;
  to: string;
  reference: number;
  total: number;
  sequence: number;
  text: string;
  receivedAt: Date;
  /** 8 (IEI 0x00) or 16 (IEI 0x08); the two never mix. Defaults to 8. */
  referenceBits?: 8 | 16;
};

export type ReassemblyKey = { from: string; to: string; reference: number; total: number; referenceBits: 8 | 16 };

export type AddResult =
  | { state: 'complete'; text: string; parts: number }
  | { state: 'waiting'; received: number }
  | { state: 'duplicate' };

export type ExpiredMessage = {
  key: ReassemblyKey;
  /** What arrived, joined in sequence order. */
  text: string;
  received: number[];
  missing: number[];
  firstReceivedAt: Date;
  errorCode: 30009;
};

export type AssembledParts = { text: string; received: number[]; missing: number[]; complete: boolean };

/**
 * Orders parts by sequence, keeps the first copy of each sequence, and lists the missing ones. Pure, so a
 * database-backed reassembly can reuse it on the rows it loaded.
 */
export function assembleParts(
  parts: ReadonlyArray<{ sequence: number; text: string }>,
  total: number,
): AssembledParts {
  const bySequence = new Map<number, string>();
  for (const part of parts) if (!bySequence.has(part.sequence)) bySequence.set(part.sequence, part.text);
  const received = [...bySequence.keys()].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let sequence = 1; sequence <= total; sequence++) if (!bySequence.has(sequence)) missing.push(sequence);
  const text = received.map((sequence) => bySequence.get(sequence) ?? '').join('');
  return { text, received, missing, complete: missing.length === 0 };
}

type Group = { key: ReassemblyKey; firstReceivedAt: Date; parts: Map<number, string> };
type Completed = { completedAt: Date; parts: Map<number, string> };

export class Reassembler {
  private readonly pending = new Map<string, Group>();
  /** Recently completed messages, so a re-sent part (lost deliver_sm_resp) is absorbed, not a new message. */
  private readonly completed = new Map<string, Completed>();
  /** Groups pushed out by the memory bound; reported by the next expire(). */
  private evicted: Group[] = [];
  private readonly maxPending: number;

  /** `maxPending` bounds memory: past it, the oldest incomplete message is given up (reported as 30009). */
  constructor(options?: { maxPending?: number }) {
    this.maxPending = options?.maxPending ?? 10_000;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  add(part: ReassemblyPart): AddResult {
    checkPart(part);
    const key = keyOf(part);
    const id = JSON.stringify([key.from, key.to, key.referenceBits, key.reference, key.total]);
    // A copy of a part of a message already delivered. Same text required: with 8-bit references wrapping at
    // 256, a different text under the same key is a new message that reuses the reference.
    if (this.completed.get(id)?.parts.get(part.sequence) === part.text) return { state: 'duplicate' };
    let group = this.pending.get(id);
    if (group === undefined) {
      group = { key, firstReceivedAt: part.receivedAt, parts: new Map() };
      this.pending.set(id, group);
      this.completed.delete(id);
      this.enforceBound();
    }
    if (group.parts.has(part.sequence)) return { state: 'duplicate' };
    group.parts.set(part.sequence, part.text);
    if (group.parts.size < key.total) return { state: 'waiting', received: group.parts.size };
    this.pending.delete(id);
    this.completed.set(id, { completedAt: part.receivedAt, parts: group.parts });
    const assembled = assembleParts(toList(group.parts), key.total);
    return { state: 'complete', text: assembled.text, parts: key.total };
  }

  /**
   * Gives up on messages whose first part arrived `timeoutMs` or more before `now` (and on any evicted by the
   * memory bound), returning what arrived. Also forgets completed messages older than the timeout.
   */
  expire(now: Date, timeoutMs: number): ExpiredMessage[] {
    const cutoff = now.getTime() - timeoutMs;
    const expired = this.evicted;
    this.evicted = [];
    for (const [id, group] of this.pending) {
      if (group.firstReceivedAt.getTime() <= cutoff) {
        this.pending.delete(id);
        expired.push(group);
      }
    }
    for (const [id, done] of this.completed) if (done.completedAt.getTime() <= cutoff) this.completed.delete(id);
    return expired.map(toExpired);
  }

  private enforceBound(): void {
    // Map iteration order is insertion order, so the first entry is the oldest message.
    while (this.pending.size > this.maxPending) {
      const [id, oldest] = this.pending.entries().next().value as [string, Group];
      this.pending.delete(id);
      this.evicted.push(oldest);
    }
    while (this.completed.size > this.maxPending) {
      const id = this.completed.keys().next().value as string;
      this.completed.delete(id);
    }
  }
}

function toExpired(group: Group): ExpiredMessage {
  const assembled = assembleParts(toList(group.parts), group.key.total);
  return {
    key: group.key,
    text: assembled.text,
    received: assembled.received,
    missing: assembled.missing,
    firstReceivedAt: group.firstReceivedAt,
    errorCode: 30009,
  };
}

function toList(parts: Map<number, string>): Array<{ sequence: number; text: string }> {
  return [...parts].map(([sequence, text]) => ({ sequence, text }));
}

function keyOf(part: ReassemblyPart): ReassemblyKey {
  return {
    from: part.from,
    to: part.to,
    reference: part.reference,
    total: part.total,
    referenceBits: part.referenceBits ?? 8,
  };
}

function checkPart(part: ReassemblyPart): void {
  const valid =
    Number.isInteger(part.total) &&
    Number.isInteger(part.sequence) &&
    Number.isInteger(part.reference) &&
    part.total >= 1 &&
    part.total <= 255 &&
    part.sequence >= 1 &&
    part.sequence <= part.total &&
    part.reference >= 0 &&
    part.reference <= ((part.referenceBits ?? 8) === 16 ? 0xffff : 0xff) &&
    !Number.isNaN(part.receivedAt.getTime());
  if (!valid) {
    throw new EncodingError(
      'REASSEMBLY_BAD_PART',
      `invalid part: reference ${part.reference}, sequence ${part.sequence} of ${part.total} ` +
        '(TS 23.040 ignores a concatenation IE with total 0, sequence 0 or sequence > total)',
    );
  }
}
