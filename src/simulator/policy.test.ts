import { describe, expect, it } from 'vitest';
import { checkPolicy, parsePolicyAnswer, pickAnswer, pickLatency, PolicyError } from './policy.js';

/** A deterministic stand-in for Math.random that walks through the given values. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('pickAnswer', () => {
  it('answers 200 by default and a fixed status or silence as configured', () => {
    expect(pickAnswer({}, Math.random)).toBe(200);
    expect(pickAnswer({ answer: 480 }, Math.random)).toBe(480);
    expect(pickAnswer({ answer: 'silence' }, Math.random)).toBe('silence');
  });

  it('maps the random point onto the cumulative weights of a mix', () => {
    const policy = { answer: { 200: 90, 500: 5, silence: 5 } };
    expect(pickAnswer(policy, () => 0)).toBe(200);
    expect(pickAnswer(policy, () => 0.8999)).toBe(200);
    expect(pickAnswer(policy, () => 0.9)).toBe(500);
    expect(pickAnswer(policy, () => 0.9499)).toBe(500);
    expect(pickAnswer(policy, () => 0.95)).toBe('silence');
    expect(pickAnswer(policy, () => 0.999999)).toBe('silence');
  });

  it('treats weights as proportions and skips zero weights', () => {
    const policy = { answer: { 200: 1, 503: 0, 480: 3 } };
    const answers = [0, 0.2, 0.25, 0.6, 0.99].map((r) => pickAnswer(policy, () => r));
    expect(answers).toEqual([200, 200, 480, 480, 480]);
  });

  it('gives the configured share over a uniform sweep', () => {
    const policy = { answer: { 200: 90, 500: 10 } };
    const counts = new Map<string | number, number>();
    for (let i = 0; i < 1000; i += 1) {
      const answer = pickAnswer(policy, () => i / 1000);
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 200: 900, 500: 100 });
  });
});

describe('pickLatency', () => {
  it('returns a fixed latency or one inside the range', () => {
    expect(pickLatency({}, Math.random)).toBe(0);
    expect(pickLatency({ latencyMs: 25 }, Math.random)).toBe(25);
    const range = { latencyMs: { min: 10, max: 20 } };
    expect([0, 0.5, 0.9999].map((r) => pickLatency(range, sequence([r])))).toEqual([10, 15, 20]);
  });
});

describe('checkPolicy and parsePolicyAnswer', () => {
  it('rejects provisional statuses, unknown keys, negative weights and inverted ranges', () => {
    expect(() => checkPolicy({ answer: 180 })).toThrow('Bad policy answer "180"');
    expect(() => checkPolicy({ answer: { 200: 50, busy: 50 } })).toThrow(PolicyError);
    expect(() => checkPolicy({ answer: { 200: -1 } })).toThrow('Weight of 200 must be a non-negative number');
    expect(() => checkPolicy({ answer: { 200: 0 } })).toThrow('A policy mix needs a positive weight');
    expect(() => checkPolicy({ latencyMs: { min: 5, max: 1 } })).toThrow(PolicyError);
    expect(() => checkPolicy({ answer: { 200: 90, 500: 5, silence: 5 }, latencyMs: { min: 1, max: 5 } })).not.toThrow();
  });

  it('parses the CLI forms', () => {
    expect(parsePolicyAnswer('200')).toBe(200);
    expect(parsePolicyAnswer('silence')).toBe('silence');
    expect(parsePolicyAnswer('mix:200=90,500=5,silence=5')).toEqual({ 200: 90, 500: 5, silence: 5 });
    expect(() => parsePolicyAnswer('mix:200=x')).toThrow('Bad policy mix entry "200=x"');
    expect(() => parsePolicyAnswer('ok')).toThrow('Bad policy "ok"');
    expect(() => parsePolicyAnswer('099')).toThrow(PolicyError);
  });
});
