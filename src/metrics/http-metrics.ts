// HTTP request metrics: how many requests each route answered with each status (and Twilio code), and how long
// they took. Labels use the route pattern (`/2010-04-01/Accounts/:AccountSid/Messages.json`), never the raw URL,
// so a SID in a path or a query string cannot grow the number of series.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface HttpRequestObservation {
  method: string;
  /** The route pattern, or `unmatched` for a request no route took (404). */
  route: string;
  status: number;
  /** The Twilio error code of an error answer, or null. */
  twilioCode: number | null;
  seconds: number;
}

export interface HttpMetrics {
  observe(observation: HttpRequestObservation): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern, status and Twilio error code ("" for none)',
    labelNames: ['method', 'route', 'status', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its answer, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    observe({ method, route, status, twilioCode, seconds }) {
      const statusLabel = String(status);
      requests.inc({ method, route, status: statusLabel, code: twilioCode === null ? '' : String(twilioCode) });
      duration.observe({ method, route, status: statusLabel }, seconds);
    },
  };
}
