// An in-memory HttpTransport for unit tests of callWebhook and the delivery runner: answers from a route table
// keyed by the exact URL requested, with WHATWG Response objects as fixtures, and records every request.
// Like the real transport: an unknown URL fails as a refused connection (ECONNREFUSED), readBody returns at most
// `limit` bytes and flags the rest, and abort() rejects whatever is pending.
import type { BodyRead, HttpExchange, HttpTransport, ResponseHead } from '../../src/webhooks/http-transport.js';

export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type Route = (request: SentRequest) => Response | Promise<Response>;

export function fakeHttpTransport(routes: Record<string, Route>, sent: SentRequest[] = []): HttpTransport {
  return (request) => {
    const seen: SentRequest = { url: request.url, method: request.method, headers: request.headers, body: request.body };
    sent.push(seen);
    let aborted: Error | null = null;
    let rejectPending: ((error: Error) => void) | null = null;
    let response: Response | null = null;
    // Settles with `work`, unless abort() comes first.
    const pending = <T>(work: Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (aborted) return reject(aborted);
        rejectPending = reject;
        work.then(resolve, reject);
      });

    const answer = async (): Promise<ResponseHead> => {
      const route = routes[request.url];
      if (route === undefined) {
        const host = new URL(request.url).host;
        throw Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: 'ECONNREFUSED' });
      }
      response = await route(seen);
      return { status: response.status, location: response.headers.get('location'), contentType: response.headers.get('content-type') };
    };

    const exchange: HttpExchange = {
      head: pending(answer()),
      async readBody(limit: number): Promise<BodyRead> {
        if (response === null) throw new Error('readBody before head');
        const bytes = new Uint8Array(await pending(response.arrayBuffer()));
        return { bytes: bytes.subarray(0, limit), truncated: bytes.byteLength >= limit };
      },
      async discard() {
        await response?.body?.cancel();
      },
      abort() {
        aborted ??= Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
        rejectPending?.(aborted);
      },
    };
    return exchange;
  };
}
