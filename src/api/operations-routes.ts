// Operational endpoints outside the Twilio API, unauthenticated like /healthz:
// - /readyz: 200 when a message insert could commit now (store/write-probe.ts, bounded in time) and the SIP
//   transport is up; the SMSC's own reachability (SIP OPTIONS probe) is reported but never makes us unready,
//   because accepting and queueing while the SMSC is down is the job;
// - /metrics: Prometheus text format.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { SmscProbeState } from '../sip/smsc-probe.js';
import type { WriteProbe } from '../store/write-probe.js';

export interface OperationsDeps {
  /** Whether a write can commit on the API's database connections now, answered within a bound. */
  databaseWritable: WriteProbe;
  sipReady: () => boolean;
  smscProbe: () => SmscProbeState;
  registry: Registry;
}

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unready')]),
  database: Type.Boolean(),
  sip: Type.Boolean(),
  smsc: Type.Object({
    reachable: Type.Union([Type.Boolean(), Type.Null()]),
    last_status: Type.Union([Type.Integer(), Type.Null()]),
    last_reason: Type.Union([Type.String(), Type.Null()]),
    last_probe_at: Type.Union([Type.String(), Type.Null()]),
  }),
});

export function registerOperationsRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  app.get('/readyz', {
    schema: {
      operationId: 'Readyz', tags: ['Operations'], security: [],
      summary: 'Readiness: a database write can commit and the SIP transport is up (SMSC reachability is informational)',
      response: { 200: Readiness, 503: Readiness },
    },
  }, async (_request, reply) => {
    const database = await deps.databaseWritable();
    const sip = deps.sipReady();
    const probe = deps.smscProbe();
    const body = {
      status: database && sip ? ('ready' as const) : ('unready' as const),
      database,
      sip,
      smsc: {
        reachable: probe.reachable,
        last_status: probe.lastStatus,
        last_reason: probe.lastReason,
        last_probe_at: probe.lastProbeAt?.toISOString() ?? null,
      },
    };
    return reply.code(body.status === 'ready' ? 200 : 503).send(body);
  });
  app.get('/metrics', {
    schema: { operationId: 'Metrics', tags: ['Operations'], security: [], summary: 'Prometheus metrics', produces: ['text/plain'] },
  }, async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
}
