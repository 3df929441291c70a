// How the simulated SMSC answers a MESSAGE (or, for simulated SMPP accounts, a submit_sm) that passed its
// validation: a fixed final status, silence (no response at all, like the real SMSC after some exceptions), or a
// weighted mix, each after an optional latency. Pure: randomness is passed in so tests can pin it.

/** A final SIP status (200..699) or no response at all. */
export type PolicyAnswer = number | 'silence';

export interface SimulatorPolicy {
  /** A fixed answer, or weights per answer: `{ 200: 90, 500: 5, silence: 5 }`. Default 200. */
  answer?: PolicyAnswer | Readonly<Record<string, number>>;
  /** Delay before answering, in ms: fixed, or uniformly drawn from [min, max]. Default 0. */
  latencyMs?: number | { min: number; max: number };
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

/** Throws PolicyError when the policy cannot be applied (unknown answer, negative weights, bad latency). */
export function checkPolicy(policy: SimulatorPolicy): void {
  const answer = policy.answer ?? 200;
  if (typeof answer === 'object') {
    const entries = Object.entries(answer);
    if (entries.length === 0) throw new PolicyError('A policy mix needs at least one answer');
    for (const [key, weight] of entries) {
      checkAnswer(key === 'silence' ? 'silence' : Number(key), key);
      if (!Number.isFinite(weight) || weight < 0) throw new PolicyError(`Weight of ${key} must be a non-negative number`);
    }
    if (entries.every(([, weight]) => weight === 0)) throw new PolicyError('A policy mix needs a positive weight');
  } else {
    checkAnswer(answer, String(answer));
  }
  const latency = policy.latencyMs ?? 0;
  const [min, max] = typeof latency === 'number' ? [latency, latency] : [latency.min, latency.max];
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
    throw new PolicyError(`Bad latency ${JSON.stringify(latency)}: expected ms >= 0, or { min, max } with min <= max`);
  }
}

/** The answer for one request; `random` returns [0, 1) like Math.random. */
export function pickAnswer(policy: SimulatorPolicy, random: () => number): PolicyAnswer {
  const answer = policy.answer ?? 200;
  if (typeof answer !== 'object') return answer;
  const entries = Object.entries(answer).filter(([, weight]) => weight > 0);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [key, weight] of entries) {
    if (point < weight) return key === 'silence' ? 'silence' : Number(key);
    point -= weight;
  }
  // Only reachable through floating-point rounding at the very top of the range.
  const last = entries.at(-1)![0];
  return last === 'silence' ? 'silence' : Number(last);
}

/** The delay before answering one request. */
export function pickLatency(policy: SimulatorPolicy, random: () => number): number {
  const latency = policy.latencyMs ?? 0;
  if (typeof latency === 'number') return latency;
  return Math.round(latency.min + random() * (latency.max - latency.min));
}

/**
 * Parses the CLI form: `200`, `500`, `silence`, or `mix:200=90,500=5,silence=5`. The latency is a separate flag.
 */
export function parsePolicyAnswer(text: string): SimulatorPolicy['answer'] {
  const value = text.trim();
  if (value === 'silence') return 'silence';
  if (/^\d{3}$/.test(value)) {
    checkAnswer(Number(value), value);
    return Number(value);
  }
  if (!value.startsWith('mix:')) throw new PolicyError(`Bad policy "${text}": expected 200, 500, silence or mix:200=90,500=10`);
  const weights: Record<string, number> = {};
  for (const item of value.slice(4).split(',')) {
    const match = /^(\d{3}|silence)=(\d+(?:\.\d+)?)$/.exec(item.trim());
    if (!match) throw new PolicyError(`Bad policy mix entry "${item}": expected <status|silence>=<weight>`);
    weights[match[1]!] = Number(match[2]);
  }
  const policy = { answer: weights };
  checkPolicy(policy);
  return weights;
}

function checkAnswer(answer: PolicyAnswer, label: string): void {
  if (answer === 'silence') return;
  if (!Number.isInteger(answer) || answer < 200 || answer > 699) {
    throw new PolicyError(`Bad policy answer "${label}": expected a final status 200..699 or "silence"`);
  }
}
