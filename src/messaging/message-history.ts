// A message's history (Events.json) from where it is kept: the ordinary steps live on the message row (created,
// claimed, sent or failed, the settling receipt), the exceptional ones are `message_events` rows (retries, lease
// takeovers, deferrals, expiry, corrections, TwiML problems, opt-outs...), receipts that settled nothing stay
// `delivery_receipts` rows, and webhook calls are `webhook_deliveries` (a delivery that succeeded) plus
// `webhook_attempts` (failed calls). Pure: plain rows in, the events oldest first out.
//
// Stored rows of the same step win over synthesized ones (a history written before this model, or by an older
// instance, holds a row per step: it must not be listed twice).

export interface HistoryEvent {
  /** Stored rows: the message_events id; synthesized steps: a prefix and the id of the row they come from. */
  id: string;
  type: string;
  status: string | null;
  detail: Record<string, unknown>;
  dateCreated: Date;
}

export interface HistoryMessage {
  sid: string;
  direction: string;
  status: string;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
  attempts: number;
  route: string | null;
  routeSource: string | null;
  claimedBy: string | null;
  sendStartedAt: Date | null;
  smscResult: Record<string, unknown> | null;
  receipt: Record<string, unknown> | null;
  messagingServiceSid: string | null;
  inReplyToSid: string | null;
  numSegments: number;
  smscId: string | null;
  smscDeliveryTime: string | null;
}

export interface HistoryReceipt {
  id: string;
  source: string;
  smscMessageId: string | null;
  stat: string | null;
  err: string | null;
  submitDate: string | null;
  doneDate: string | null;
  dateReceived: Date;
}

export interface HistorySubmission {
  partNumber: number;
  totalParts: number;
  smscMessageId: string | null;
}

export interface HistoryDelivery {
  id: string;
  kind: string;
  url: string;
  state: string;
  attempts: number;
  lastHttpStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  dateCompleted: Date | null;
}

export interface HistoryAttempt {
  id: string;
  deliveryId: string;
  attempt: number;
  url: string;
  httpStatus: number | null;
  latencyMs: number;
  errorCode: number | null;
  error: string | null;
  dateCreated: Date;
}

export interface HistorySources {
  message: HistoryMessage;
  /** message_events rows of the message (exceptional steps), any order. */
  events: readonly HistoryEvent[];
  receipts: readonly HistoryReceipt[];
  submissions: readonly HistorySubmission[];
  deliveries: readonly HistoryDelivery[];
  attempts: readonly HistoryAttempt[];
}

const FINAL_STATUSES = ['delivered', 'undelivered', 'failed'];
const DELIVERED_STATS = ['DELIVRD', 'DELIVERED'];

/** Keys stored on an exceptional row that carry the claim it ended (not part of the step's own detail). */
const CLAIM_KEYS = ['sendStartedAt'];

/** The events of one message, oldest first. */
export function buildMessageHistory(sources: HistorySources): HistoryEvent[] {
  const stored = sources.events.map((e) => ({ ...e, detail: withoutKeys(e.detail, CLAIM_KEYS) }));
  const seen = storedSteps(sources.events);
  const synthesized: HistoryEvent[] = [
    ...initialSteps(sources.message, sources.events, seen),
    ...claimSteps(sources.message, sources.events, seen),
    ...submitSteps(sources.message, seen),
    ...receiptSteps(sources, seen),
    ...webhookSteps(sources, seen),
  ];
  return order([...stored, ...synthesized]);
}

interface StoredSteps {
  kinds: Set<string>;
  receiptIds: Set<string>;
  webhookAttempts: Set<string>;
}

/** What the stored rows already say, so the same step is not synthesized again. */
function storedSteps(events: readonly HistoryEvent[]): StoredSteps {
  const steps: StoredSteps = { kinds: new Set(), receiptIds: new Set(), webhookAttempts: new Set() };
  for (const e of events) {
    if (e.type === 'status' && e.status === 'queued' && e.detail.source !== 'messaging_service') steps.kinds.add('initial');
    if (e.type === 'status' && (e.status === 'accepted' || e.status === 'scheduled')) steps.kinds.add('initial');
    if (e.type === 'received') steps.kinds.add('received');
    if (e.type === 'route') steps.kinds.add('route');
    if (e.type === 'status' && e.status === 'sending') steps.kinds.add('sending');
    if (e.type === 'send_attempt' && e.status !== null) steps.kinds.add('submit');
    if (e.type === 'receipt' && typeof e.detail.receiptId === 'string') steps.receiptIds.add(e.detail.receiptId);
    if (e.type === 'receipt' && e.status !== null && e.detail.correctedFrom === undefined) steps.kinds.add('settled');
    if (e.type === 'webhook' && e.detail.deliveryId !== undefined) steps.webhookAttempts.add(`${String(e.detail.deliveryId)}:${String(e.detail.attempt)}`);
  }
  return steps;
}

function initialSteps(m: HistoryMessage, events: readonly HistoryEvent[], seen: StoredSteps): HistoryEvent[] {
  if (m.direction === 'inbound') {
    if (seen.kinds.has('received')) return [];
    const detail = { route: m.route, numSegments: m.numSegments, smscId: m.smscId, deliveryTime: m.smscDeliveryTime };
    return [{ id: 'received', type: 'received', status: 'received', detail, dateCreated: m.dateCreated }];
  }
  if (seen.kinds.has('initial')) return [];
  if (m.messagingServiceSid !== null) {
    // The release row says what the message waited as; one still waiting says it itself.
    const release = events.find((e) => e.type === 'status' && e.detail.source === 'messaging_service');
    const released = typeof release?.detail.releasedFrom === 'string' ? release.detail.releasedFrom : null;
    const status = released ?? (m.status === 'scheduled' ? 'scheduled' : 'accepted');
    return [{ id: 'created', type: 'status', status, detail: { messagingServiceSid: m.messagingServiceSid }, dateCreated: m.dateCreated }];
  }
  const detail = m.direction === 'outbound-reply' ? { source: 'twiml', inReplyToSid: m.inReplyToSid } : {};
  return [{ id: 'created', type: 'status', status: 'queued', detail, dateCreated: m.dateCreated }];
}

/**
 * One `sending` step per claim: the claims that ended early (retry, takeover, deferral, release) left a row that
 * says when they started; the last one is on the message. The `route` step goes with the first claim.
 */
function claimSteps(m: HistoryMessage, events: readonly HistoryEvent[], seen: StoredSteps): HistoryEvent[] {
  if (m.direction === 'inbound' || seen.kinds.has('sending')) return [];
  const claims: Array<{ at: Date; attempt: unknown; claimedBy: unknown }> = [];
  const starts = new Set<number>();
  for (const e of events) {
    const started = e.detail.sendStartedAt;
    if (typeof started !== 'string') continue;
    const at = new Date(started);
    if (starts.has(at.getTime())) continue;
    starts.add(at.getTime());
    claims.push({ at, attempt: e.detail.attempt ?? null, claimedBy: e.detail.claimedBy ?? null });
  }
  if (m.sendStartedAt !== null && !starts.has(m.sendStartedAt.getTime())) {
    claims.push({ at: m.sendStartedAt, attempt: m.attempts, claimedBy: m.claimedBy ?? m.smscResult?.claimedBy ?? null });
  }
  claims.sort((a, b) => a.at.getTime() - b.at.getTime());
  const steps: HistoryEvent[] = claims.map((c) => ({
    id: `sending-${c.at.getTime()}`, type: 'status', status: 'sending',
    detail: { attempt: c.attempt, claimedBy: c.claimedBy, route: m.route }, dateCreated: c.at,
  }));
  const first = claims[0];
  if (m.routeSource !== null && first !== undefined && !seen.kinds.has('route')) {
    steps.push({ id: 'route', type: 'route', status: null, detail: { route: m.route, source: m.routeSource }, dateCreated: first.at });
  }
  return steps;
}

/** The SMSC's answer to the attempt that decided the message (sent, or failed for good). */
function submitSteps(m: HistoryMessage, seen: StoredSteps): HistoryEvent[] {
  if (m.smscResult === null || seen.kinds.has('submit')) return [];
  const { at, claimedBy: _claimedBy, ...detail } = m.smscResult;
  const status = detail.outcome === 'accepted' ? 'sent' : 'failed';
  const when = typeof at === 'string' ? new Date(at) : (status === 'sent' ? m.dateSent : null) ?? m.dateUpdated;
  return [{ id: 'submit', type: 'send_attempt', status, detail, dateCreated: when }];
}

function receiptDetail(r: Pick<HistoryReceipt, 'source' | 'smscMessageId' | 'stat' | 'err' | 'submitDate' | 'doneDate'>): Record<string, unknown> {
  return { source: r.source, smscMessageId: r.smscMessageId, stat: r.stat, err: r.err, submitDate: r.submitDate, doneDate: r.doneDate };
}

/**
 * Receipts: the one that settled the message is on the row (with the status it set); the others are rows of
 * delivery_receipts. A multi-part SMPP message's part receipts say how many parts were delivered so far.
 */
function receiptSteps(sources: HistorySources, seen: StoredSteps): HistoryEvent[] {
  const m = sources.message;
  // A parked receipt that settled the message later keeps its row; the message's receipt names it.
  const settlingRow = typeof m.receipt?.receiptId === 'string' ? m.receipt.receiptId : null;
  const settling = m.receipt === null ? null : settlingOnRow(m.receipt, m.dateUpdated);
  const rows = [...sources.receipts, ...(settling === null ? [] : [settling])]
    .sort((a, b) => a.dateReceived.getTime() - b.dateReceived.getTime() || receiptOrder(a) - receiptOrder(b));
  const partByMessageId = new Map(sources.submissions.filter((s) => s.smscMessageId !== null).map((s) => [s.smscMessageId as string, s]));
  const totalParts = Math.max(0, ...sources.submissions.map((s) => s.totalParts));
  const delivered = new Set<number>();
  const steps: HistoryEvent[] = [];
  let settledStep: HistoryEvent | undefined;
  for (const r of rows) {
    const part = r.smscMessageId === null ? undefined : partByMessageId.get(r.smscMessageId);
    if (part && r.stat !== null && DELIVERED_STATS.includes(r.stat.toUpperCase())) delivered.add(part.partNumber);
    if (r === settling) {
      if (seen.kinds.has('settled')) continue;
      const detail: Record<string, unknown> = { ...(settlingRow === null ? {} : { receiptId: settlingRow }), ...receiptDetail(r) };
      if (totalParts > 1 && part) Object.assign(detail, { partsDelivered: delivered.size, partsTotal: totalParts });
      settledStep = { id: 'receipt', type: 'receipt', status: null, detail, dateCreated: r.dateReceived };
      steps.push(settledStep);
      continue;
    }
    if (seen.receiptIds.has(r.id) || r.id === settlingRow) continue;
    const detail: Record<string, unknown> = { receiptId: r.id, ...receiptDetail(r) };
    if (totalParts > 1 && part) Object.assign(detail, { partsDelivered: delivered.size, partsTotal: totalParts });
    steps.push({ id: `receipt-${r.id}`, type: 'receipt', status: null, detail, dateCreated: r.dateReceived });
  }
  // A correction row (correctedFrom) replaced the status the settling receipt had set: that receipt keeps its own.
  const correction = sources.events.filter((e) => e.type === 'receipt' && typeof e.detail.correctedFrom === 'string')
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
  const settledStatus = typeof correction?.detail.correctedFrom === 'string' ? correction.detail.correctedFrom
    : FINAL_STATUSES.includes(m.status) ? m.status : null;
  if (settledStep !== undefined) {
    settledStep.status = settledStatus;
  } else if (m.receipt === null && settledStatus !== null && m.smscResult?.outcome !== 'permanent-failure' && !seen.kinds.has('settled')) {
    // A receipt kept as a delivery_receipts row that settled the message (how receipts were kept before the
    // message row held its final one): the last one before any correction set the status.
    const before = correction === undefined ? steps : steps.filter((e) => e.dateCreated.getTime() <= correction.dateCreated.getTime());
    const last = before.at(-1);
    if (last !== undefined) last.status = settledStatus;
  }
  return steps;
}

/** The receipt kept on the message row (messages.receipt), in the shape of a receipt row. */
function settlingOnRow(r: Record<string, unknown>, fallback: Date): HistoryReceipt {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    id: 'receipt', source: String(r.source ?? ''), smscMessageId: str(r.smscMessageId), stat: str(r.stat), err: str(r.err),
    submitDate: str(r.submitDate), doneDate: str(r.doneDate),
    dateReceived: typeof r.dateReceived === 'string' ? new Date(r.dateReceived) : fallback,
  };
}

/** Rows in id order; the message's own receipt, received in the same millisecond as a row, after it. */
function receiptOrder(r: HistoryReceipt): number {
  return /^[0-9]+$/.test(r.id) ? Number(r.id) : Number.MAX_SAFE_INTEGER;
}

/**
 * Webhook calls: a failed call is a webhook_attempts row; a delivery that succeeded says how its last call went
 * (a succeeded delivery whose last call is also an attempt row, as they were once all kept, is not listed twice).
 */
function webhookSteps(sources: HistorySources, seen: StoredSteps): HistoryEvent[] {
  const steps: HistoryEvent[] = [];
  for (const d of sources.deliveries) {
    const attempts = sources.attempts.filter((a) => a.deliveryId === d.id)
      .sort((a, b) => a.attempt - b.attempt || a.dateCreated.getTime() - b.dateCreated.getTime() || Number(a.id) - Number(b.id));
    const base = { kind: d.kind, deliveryId: d.id };
    const lastAttempt = attempts.at(-1);
    const successLogged = d.state === 'succeeded' && lastAttempt !== undefined && lastAttempt.attempt === d.attempts
      && lastAttempt.httpStatus !== null && lastAttempt.httpStatus >= 200 && lastAttempt.httpStatus < 300;
    attempts.forEach((a, i) => {
      if (seen.webhookAttempts.has(`${d.id}:${a.attempt}`)) return;
      const next = attempts[i + 1];
      const detail: Record<string, unknown> = {
        ...base, attempt: a.attempt, url: a.url, httpStatus: a.httpStatus, latencyMs: a.latencyMs, errorCode: a.errorCode,
        ...(a.error === null ? {} : { error: a.error }),
      };
      // The outcome goes on an attempt's last call; a failed call before the one that succeeded was retried.
      const lastOfAttempt = next === undefined || next.attempt !== a.attempt;
      const succeededLater = d.state === 'succeeded' && !successLogged;
      if (lastOfAttempt && (next !== undefined || d.state === 'pending' || (succeededLater && a.attempt < d.attempts))) detail.outcome = 'retry';
      else if (lastOfAttempt && !succeededLater) detail.outcome = d.state;
      steps.push({ id: `webhook-attempt-${a.id}`, type: 'webhook', status: null, detail, dateCreated: a.dateCreated });
    });
    if (d.state === 'succeeded' && !successLogged && !seen.webhookAttempts.has(`${d.id}:${d.attempts}`)) {
      steps.push({
        id: `webhook-${d.id}`, type: 'webhook', status: null,
        detail: { ...base, attempt: d.attempts, url: d.url, httpStatus: d.lastHttpStatus, latencyMs: d.lastLatencyMs, errorCode: null, outcome: 'succeeded' },
        dateCreated: d.dateCompleted ?? new Date(0),
      });
    }
  }
  return steps;
}

/** Steps written in the same transaction share a timestamp: they keep the order in which they happen. */
function rank(e: HistoryEvent): number {
  if (e.type === 'received' || e.id === 'created') return 0;
  if (e.type === 'lease_expired') return 1;
  if (e.type === 'route') return 2;
  if (e.type === 'status' && e.status === 'sending') return 3;
  if (e.type === 'webhook' && !/^[0-9]+$/.test(e.id)) return 4;
  return 5;
}

function order(events: HistoryEvent[]): HistoryEvent[] {
  // In one millisecond, the steps kept on the message (submit, the settling receipt...) come first, in the order
  // they were built, then the rows in id order: a row written in the same millisecond as the message's receipt is
  // a consequence of it (a late 'sent' ignored, a correction), never its cause.
  const seq = new Map(events.map((e, i) => [e, /^[0-9]+$/.test(e.id) ? Number(e.id) : i - events.length]));
  return events.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime() || rank(a) - rank(b)
    || (seq.get(a) as number) - (seq.get(b) as number));
}

function withoutKeys(detail: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  if (!keys.some((k) => Object.hasOwn(detail, k))) return detail;
  return Object.fromEntries(Object.entries(detail).filter(([k]) => !keys.includes(k)));
}
