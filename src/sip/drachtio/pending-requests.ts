// Requests we have handed to drachtio-server and not yet seen a final response for.
//
// drachtio-srf has no request timeout and silently forgets requests whose control connection closes (spec D6),
// so this registry owns both outcomes: a per-request deadline (a local 408) and failing everything at once
// when the connection goes (a local 503).
import type { SipFinalResponse } from '../port.js';

export interface PendingSettle {
  resolve(response: SipFinalResponse): void;
  reject(error: Error): void;
  /** False once the request was settled (answered, timed out or failed); late events must then be ignored. */
  isOpen(): boolean;
}

interface Entry {
  settle: PendingSettle;
  timer: ReturnType<typeof setTimeout>;
}

export const LOCAL_TIMEOUT: Readonly<SipFinalResponse> = Object.freeze({
  status: 408,
  reason: 'Request Timeout',
  headers: [],
  local: true,
});

export const LOCAL_CONNECTION_LOST: Readonly<SipFinalResponse> = Object.freeze({
  status: 503,
  reason: 'Service Unavailable (drachtio control connection lost)',
  headers: [],
  local: true,
});

export class PendingRequests {
  private readonly entries = new Set<Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Run `send` with a settle handle; the promise settles exactly once, whichever outcome comes first. */
  track(options: { timeoutMs: number; send: (settle: PendingSettle) => void }): Promise<SipFinalResponse> {
    return new Promise<SipFinalResponse>((resolve, reject) => {
      let open = true;
      const finish = (): boolean => {
        if (!open) return false;
        open = false;
        clearTimeout(entry.timer);
        this.entries.delete(entry);
        return true;
      };
      const settle: PendingSettle = {
        resolve: (response) => finish() && resolve(response),
        reject: (error) => finish() && reject(error),
        isOpen: () => open,
      };
      const entry: Entry = { settle, timer: setTimeout(() => settle.resolve({ ...LOCAL_TIMEOUT }), options.timeoutMs) };
      this.entries.add(entry);
      try {
        options.send(settle);
      } catch (error) {
        settle.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Resolve every pending request with `response` (a copy each), e.g. when the control connection closes. */
  failAll(response: Readonly<SipFinalResponse>): number {
    const entries = [...this.entries];
    for (const entry of entries) entry.settle.resolve({ ...response, headers: [...response.headers] });
    return entries.length;
  }
}
