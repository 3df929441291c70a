// One line per answered request, and the HTTP metrics. Twilio API requests (/2010-04-01/…) are logged at info:
// method, route pattern, status, Twilio code of an error, duration and the message concerned; everything else
// (/docs assets, /healthz, /metrics scrapes, the console) at debug, so that polling does not drown the log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpMetrics } from '../metrics/http-metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Twilio code of the error this request was answered with (set by the error handler). */
    twilioCode: number | null;
    /** The message this request created or acted on, for the request's log line. */
    messageSid: string | null;
  }
}

const API_PREFIX = '/2010-04-01/';
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

export function registerRequestLog(app: FastifyInstance, options: { metrics?: HttpMetrics | undefined }): void {
  app.decorateRequest('twilioCode', null);
  app.decorateRequest('messageSid', null);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    options.metrics?.observe({ method: request.method, route, status, twilioCode: request.twilioCode, seconds: reply.elapsedTime / 1000 });
    const line = {
      method: request.method,
      route,
      status,
      twilioCode: request.twilioCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      messageSid: messageSidOf(request),
      ...(route === 'unmatched' ? { url: request.url } : {}),
    };
    const level = route.startsWith(API_PREFIX) || (route === 'unmatched' && request.url.startsWith(API_PREFIX)) ? 'info' : 'debug';
    request.log[level](line, 'request completed');
  });
}

/** The SID a Messages route set, or the {Sid} of a Messages path. */
function messageSidOf(request: FastifyRequest): string | null {
  if (request.messageSid !== null) return request.messageSid;
  const sid = (request.params as { Sid?: unknown } | undefined)?.Sid;
  return typeof sid === 'string' && MESSAGE_SID.test(sid) ? sid : null;
}

