// A scripted SMSC gateway for dispatcher tests. It keeps the port's contract: `submit` never rejects, answers
// after an optional latency, and reports accepted / permanent / temporary outcomes. Every call is recorded with
// its start time so tests can check ordering and rates.
import type { OutboundSms, SmscGateway, SmscRoute, SubmitResult } from '../../src/messaging/smsc-gateway.js';

export interface RecordedSubmission {
  message: OutboundSms;
  /** Date.now() when submit was called. */
  at: number;
  result: SubmitResult;
}

/** Decides the answer to one submission; `attempt` counts earlier submissions of the same SID (1 = first). */
export type FakeSmscScript = (message: OutboundSms, attempt: number) => SubmitResult;

export interface FakeSmscGatewayOptions {
  route?: SmscRoute;
  latencyMs?: number;
  script?: FakeSmscScript;
  ready?: boolean;
}

export const ACCEPT: FakeSmscScript = () => ({ kind: 'accepted', smscMessageIds: [], detail: { fake: true } });

export function temporaryFailure(reason = 'fake timeout'): SubmitResult {
  return { kind: 'temporary-failure', reason, detail: { fake: true } };
}

export function permanentFailure(errorCode: number, errorMessage = 'fake rejection'): SubmitResult {
  return { kind: 'permanent-failure', errorCode, errorMessage, detail: { fake: true } };
}

export function createFakeSmscGateway(options: FakeSmscGatewayOptions = {}) {
  const submissions: RecordedSubmission[] = [];
  const attempts = new Map<string, number>();
  let ready = options.ready ?? true;
  let script = options.script ?? ACCEPT;
  let inFlight = 0;
  let started = 0;
  let maxInFlight = 0;
  const gateway = {
    route: options.route ?? 'sip',
    isReady: () => ready,
    async submit(message: OutboundSms): Promise<SubmitResult> {
      const at = Date.now();
      const attempt = (attempts.get(message.sid) ?? 0) + 1;
      attempts.set(message.sid, attempt);
      inFlight += 1;
      started += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
        const result = script(message, attempt);
        submissions.push({ message, at, result });
        return result;
      } finally {
        inFlight -= 1;
      }
    },
    submissions,
    setReady(value: boolean) {
      ready = value;
    },
    setScript(next: FakeSmscScript) {
      script = next;
    },
    /** Submissions begun, answered or not. */
    startedCount: () => started,
    /** Most submissions that were awaiting an answer at the same time. */
    maxConcurrent: () => maxInFlight,
    /** How many times each SID was submitted. */
    countsBySid(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const s of submissions) counts.set(s.message.sid, (counts.get(s.message.sid) ?? 0) + 1);
      return counts;
    },
  } satisfies SmscGateway & Record<string, unknown>;
  return gateway;
}

export type FakeSmscGateway = ReturnType<typeof createFakeSmscGateway>;
