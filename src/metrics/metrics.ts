// Prometheus metrics. Counters and histograms are fed where things happen (the gateway decorator below, the
// webhook and dispatch stats); gauges that describe the whole installation (messages by status, queue depth) are
// read from the database at scrape time, so every instance reports the same global picture.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboundDispatcher } from '../dispatch/outbound-dispatcher.js';
import type { RetentionSweeper } from '../dispatch/retention-sweeper.js';
import type { SmscIdMatch } from '../messaging/receipt-matcher.js';
import type { SmscGateway } from '../messaging/smsc-gateway.js';
import type { SmscProbe } from '../sip/smsc-probe.js';
import type { Database } from '../store/database.js';
import type { OutboxRunner, WebhookDeliveryWorker } from '../webhooks/index.js';

export interface ServiceMetrics {
  registry: Registry;
  /** Wraps a gateway so that every submission is timed and its SIP/SMPP answer counted. */
  instrumentGateway(gateway: SmscGateway): SmscGateway;
}

export interface MetricSources {
  db: Database;
  dispatcher: Pick<OutboundDispatcher, 'queueDepth' | 'stats' | 'routeReadiness' | 'queuedByRoute'>;
  webhooks: Pick<WebhookDeliveryWorker, 'stats'>;
  /** The webhook outbox's runner: most first attempts happen there, not in the retry worker. */
  outbox?: Pick<OutboxRunner, 'stats'>;
  probe?: Pick<SmscProbe, 'state'>;
  /** The receipt policy's tally of how SMPP receipt ids found their submission. */
  smscIdMatches?: Readonly<Record<SmscIdMatch, number>>;
  /** MESSAGE_RETENTION_DAYS: what this process's retention sweeper deleted. */
  retention?: Pick<RetentionSweeper, 'stats'>;
}

export function createServiceMetrics(sources: MetricSources): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDatabaseGauges(registry, sources);
  registerWorkerGauges(registry, sources);
  const submissions = new Counter({
    name: 'smsc_submissions_total',
    help: 'Submissions to the SMSC by route, outcome (accepted, permanent-failure, temporary-failure) and SIP status',
    labelNames: ['route', 'outcome', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'smsc_send_duration_seconds',
    help: 'Time from handing a message to the SMSC gateway until its final answer',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32],
    registers: [registry],
  });
  return {
    registry,
    instrumentGateway(gateway) {
      return {
        route: gateway.route,
        isReady: () => gateway.isReady(),
        async submit(message) {
          const started = process.hrtime.bigint();
          const result = await gateway.submit(message);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const code = result.detail['sipStatus'] ?? result.detail['commandStatus'] ?? '';
          submissions.inc({ route: gateway.route, outcome: result.kind, code: String(code) });
          latency.observe({ route: gateway.route, outcome: result.kind }, seconds);
          return result;
        },
      };
    },
  };
}

/** How long a whole-table count is reused: scrapes come every 15 s or so; the scans behind them need not. */
const TABLE_COUNT_TTL_MS = 60_000;

/**
 * Runs `load` at most once per TABLE_COUNT_TTL_MS and hands out the last result meanwhile. The gauges below count
 * whole tables (GROUP BY over messages and webhook_attempts): cheap on a small installation, a full scan on a big
 * one, so they must not run on every scrape of every instance.
 */
function cachedQuery<T>(load: () => Promise<T>): () => Promise<T> {
  let value: { at: number; result: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!value || now - value.at >= TABLE_COUNT_TTL_MS) {
      const result = load();
      // A failed load is not cached: the next scrape tries again.
      result.catch(() => { value = undefined; });
      value = { at: now, result };
    }
    return value.result;
  };
}

function registerDatabaseGauges(registry: Registry, sources: MetricSources): void {
  const { db, dispatcher } = sources;
  const messageCounts = cachedQuery(() => db.query<{ direction: string; status: string; n: number }>(
    'SELECT direction, status, count(*)::int AS n FROM messages GROUP BY direction, status',
  ));
  // webhook_attempts keeps failed calls only; a delivery that succeeded is one webhook_deliveries row whose last
  // call was the 2xx. So: 2xx = succeeded deliveries, the other classes = the failed attempt rows (a 2xx row
  // there, kept by an older version, is already counted by its delivery).
  const attemptCounts = cachedQuery(() => db.query<{ outcome: string; n: number }>(
    `SELECT outcome, sum(n)::int AS n FROM (
       SELECT CASE WHEN http_status BETWEEN 400 AND 499 THEN '4xx' WHEN http_status >= 500 THEN '5xx'
                   WHEN http_status IS NULL THEN 'error' ELSE 'other' END AS outcome, count(*) AS n
         FROM webhook_attempts WHERE http_status IS NULL OR http_status NOT BETWEEN 200 AND 299 GROUP BY 1
       UNION ALL
       SELECT '2xx', count(*) FROM webhook_deliveries WHERE state = 'succeeded'
     ) counts GROUP BY outcome`,
  ));
  new Gauge({
    name: 'smsc_messages',
    help: 'Messages stored, by direction and status (whole installation; refreshed at most once a minute)',
    labelNames: ['direction', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await messageCounts();
      this.reset();
      for (const row of rows) this.set({ direction: row.direction, status: row.status }, row.n);
    },
  });
  new Gauge({
    name: 'smsc_outbound_queue_depth',
    help: 'Outbound messages waiting (queued) or being sent (sending), whole installation',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const depth = await dispatcher.queueDepth();
      this.set({ state: 'queued' }, depth.queued);
      this.set({ state: 'sending' }, depth.sending);
    },
  });
  new Gauge({
    name: 'smsc_outbound_queued',
    help: 'Outbound messages queued, by the route they will go by (whole installation): a route whose gateway is down holds its backlog here',
    labelNames: ['route'] as const,
    registers: [registry],
    async collect() {
      const rows = await dispatcher.queuedByRoute();
      this.reset();
      for (const readiness of dispatcher.routeReadiness()) this.set({ route: readiness.route }, 0);
      for (const row of rows) this.set({ route: row.route }, row.queued);
    },
  });
  new Gauge({
    name: 'smsc_route_ready',
    help: 'Per configured route, 1 when its gateway can send now (SIP transport up, an SMPP session bound), 0 when not: messages of a route at 0 are not claimed',
    labelNames: ['route'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const readiness of dispatcher.routeReadiness()) this.set({ route: readiness.route }, readiness.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'smsc_webhook_attempts',
    help: 'Webhook and status-callback HTTP attempts by outcome class (2xx: deliveries that succeeded; 4xx, 5xx, error: failed attempts), whole installation; refreshed at most once a minute',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const rows = await attemptCounts();
      this.reset();
      for (const row of rows) this.set({ outcome: row.outcome }, row.n);
    },
  });
}

function registerWorkerGauges(registry: Registry, sources: MetricSources): void {
  // Counters mirrored from the workers' own tallies at scrape time (reset, then set to the running total).
  new Counter({
    name: 'smsc_dispatcher_events_total',
    help: 'Outbound dispatcher counters of this process (claimed, sent, failed, retried, deferred, recovered)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      const stats = sources.dispatcher.stats();
      this.reset();
      for (const event of ['claimed', 'sent', 'failed', 'retried', 'deferred', 'recovered'] as const) {
        this.inc({ event }, stats[event]);
      }
    },
  });
  new Counter({
    name: 'smsc_webhook_deliveries_total',
    help: 'Webhook delivery counters of this process (claimed, succeeded, retried, failed, repliesQueued)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      const stats = sources.webhooks.stats();
      this.reset();
      for (const event of ['claimed', 'succeeded', 'retried', 'failed', 'repliesQueued'] as const) {
        this.inc({ event }, stats[event]);
      }
    },
  });
  new Counter({
    name: 'smsc_webhook_outbox_events_total',
    help: 'Webhook outbox counters of this process, where new webhooks get their first attempt from memory (rows taken, rows takenOver from an expired lease, items succeeded, pending for the retry worker, failed, lost to another instance, repliesQueued)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const stats = sources.outbox?.stats();
      for (const event of ['rows', 'takenOver', 'succeeded', 'pending', 'failed', 'lost', 'repliesQueued'] as const) {
        this.inc({ event }, stats?.[event] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'smsc_webhook_outbox_in_flight',
    help: 'Webhooks this process is attempting from its outbox right now',
    registers: [registry],
    collect() {
      this.set(sources.outbox?.stats().inFlight ?? 0);
    },
  });
  new Counter({
    name: 'smsc_smpp_receipt_id_matches_total',
    help: 'SMPP receipts by how their id found the submission in this process: exact (as stored), alternate (another spelling: hex/decimal, leading zeros, case; used only when the stored id finds nothing and one submission matches), ambiguous (several matched: left unmatched)',
    labelNames: ['match'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const match of ['exact', 'alternate', 'ambiguous'] as const) this.inc({ match }, sources.smscIdMatches?.[match] ?? 0);
    },
  });
  new Counter({
    name: 'smsc_retention_deleted_total',
    help: 'Rows the retention sweeper of this process deleted (MESSAGE_RETENTION_DAYS), by table',
    labelNames: ['table'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const deleted = sources.retention?.stats().deleted;
      if (deleted) for (const [table, n] of Object.entries(deleted)) this.inc({ table }, n);
    },
  });
  new Counter({
    name: 'smsc_retention_batches_total',
    help: 'Retention batches (one statement per kind of row) and passes (oldest to the cutoff) run by this process',
    labelNames: ['unit'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const stats = sources.retention?.stats();
      this.inc({ unit: 'batch' }, stats?.batches ?? 0);
      this.inc({ unit: 'pass' }, stats?.passes ?? 0);
    },
  });
  new Gauge({
    name: 'smsc_reachable',
    help: '1 when the SMSC answered the last SIP OPTIONS probe, 0 when not, -1 before the first probe',
    registers: [registry],
    collect() {
      const reachable = sources.probe?.state().reachable ?? null;
      this.set(reachable === null ? -1 : reachable ? 1 : 0);
    },
  });
}
