import { describe, expect, it } from 'vitest';
import { buildMessageHistory, type HistoryEvent, type HistoryMessage, type HistorySources } from './message-history.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

function message(overrides: Partial<HistoryMessage> = {}): HistoryMessage {
  return {
    sid: 'SM1', direction: 'outbound-api', status: 'queued', dateCreated: t(0), dateUpdated: t(0), dateSent: null, attempts: 0,
    route: null, routeSource: null, claimedBy: null, sendStartedAt: null, smscResult: null, receipt: null,
    messagingServiceSid: null, inReplyToSid: null, numSegments: 1, smscId: null, smscDeliveryTime: null,
    ...overrides,
  };
}

function sources(overrides: Partial<HistorySources>): HistorySources {
  return { message: message(), events: [], receipts: [], submissions: [], deliveries: [], attempts: [], ...overrides };
}

const steps = (events: HistoryEvent[]) => events.map((e) => [e.type, e.status]);

const sentOverSip = message({
  status: 'delivered', dateSent: t(2), dateUpdated: t(3), attempts: 1, route: 'sip', routeSource: 'default',
  sendStartedAt: t(1), smscResult: { sipStatus: 202, route: 'sip', attempt: 1, outcome: 'accepted', at: t(2).toISOString(), claimedBy: 'i1' },
  receipt: { source: 'sip', stat: 'DELIVRD', err: '000', submitDate: '2601011200', doneDate: '2601011200', smscMessageId: null, dateReceived: t(3).toISOString() },
});

describe('buildMessageHistory', () => {
  it('lists the ordinary steps of a delivered message from its row alone', () => {
    const events = buildMessageHistory(sources({ message: sentOverSip }));
    expect(steps(events)).toEqual([
      ['status', 'queued'], ['route', null], ['status', 'sending'], ['send_attempt', 'sent'], ['receipt', 'delivered'],
    ]);
    expect(events[2]?.detail).toEqual({ attempt: 1, claimedBy: 'i1', route: 'sip' });
    // The row's bookkeeping (at, claimedBy) is not part of the step's detail.
    expect(events[3]).toMatchObject({ dateCreated: t(2), detail: { sipStatus: 202, route: 'sip', attempt: 1, outcome: 'accepted' } });
    expect(events[3]?.detail).not.toHaveProperty('at');
    expect(events[4]?.detail).toMatchObject({ source: 'sip', stat: 'DELIVRD', err: '000' });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('puts a row written in the same millisecond as the settling receipt after it (a late sent ignored)', () => {
    const late: HistoryEvent = { id: '3', type: 'send_attempt', status: null, dateCreated: t(3), detail: { late: true, ignoredStatus: 'sent' } };
    const events = buildMessageHistory(sources({ message: sentOverSip, events: [late] }));
    expect(steps(events)).toEqual([
      ['status', 'queued'], ['route', null], ['status', 'sending'], ['send_attempt', 'sent'], ['receipt', 'delivered'], ['send_attempt', null],
    ]);
  });

  it('merges a retry, its claim and webhook calls in time order', () => {
    const m = message({ ...sentOverSip, attempts: 2, sendStartedAt: t(10), dateSent: t(11), smscResult: { ...sentOverSip.smscResult, attempt: 2, at: t(11).toISOString() },
      receipt: { ...sentOverSip.receipt, dateReceived: t(12).toISOString() } });
    const retry: HistoryEvent = {
      id: '7', type: 'send_attempt', status: null, dateCreated: t(2),
      detail: { route: 'sip', attempt: 1, outcome: 'temporary-failure', reason: 'timeout', retryInMs: 1000, claimedBy: 'i1', sendStartedAt: t(1).toISOString() },
    };
    const events = buildMessageHistory(sources({
      message: m,
      events: [retry],
      deliveries: [{ id: '5', kind: 'status_callback', url: 'http://cb', state: 'succeeded', attempts: 2, lastHttpStatus: 200, lastLatencyMs: 4, lastError: null, dateCompleted: t(20) }],
      attempts: [{ id: '9', deliveryId: '5', attempt: 1, url: 'http://cb', httpStatus: 503, latencyMs: 3, errorCode: 11200, error: null, dateCreated: t(15) }],
    }));
    expect(steps(events)).toEqual([
      ['status', 'queued'], ['route', null], ['status', 'sending'], ['send_attempt', null], ['status', 'sending'],
      ['send_attempt', 'sent'], ['receipt', 'delivered'], ['webhook', null], ['webhook', null],
    ]);
    expect(events[3]?.detail).not.toHaveProperty('sendStartedAt');
    expect(events[3]?.id).toBe('7');
    expect(events[7]?.detail).toMatchObject({ deliveryId: '5', attempt: 1, httpStatus: 503, outcome: 'retry' });
    expect(events[8]?.detail).toMatchObject({ deliveryId: '5', attempt: 2, httpStatus: 200, latencyMs: 4, outcome: 'succeeded' });
  });

  it('does not list twice a step that a stored row already holds (histories written one row per step)', () => {
    const stored: HistoryEvent[] = [
      { id: '1', type: 'status', status: 'queued', detail: {}, dateCreated: t(0) },
      { id: '2', type: 'status', status: 'sending', detail: { attempt: 1 }, dateCreated: t(1) },
      { id: '3', type: 'send_attempt', status: 'sent', detail: { outcome: 'accepted' }, dateCreated: t(2) },
      { id: '4', type: 'receipt', status: 'delivered', detail: { receiptId: '40' }, dateCreated: t(3) },
      { id: '5', type: 'webhook', status: null, detail: { deliveryId: '5', attempt: 1, outcome: 'succeeded' }, dateCreated: t(4) },
    ];
    const events = buildMessageHistory(sources({
      message: message({ ...sentOverSip, receipt: null }), events: stored,
      receipts: [{ id: '40', source: 'sip', smscMessageId: null, stat: 'DELIVRD', err: null, submitDate: null, doneDate: null, dateReceived: t(3) }],
      deliveries: [{ id: '5', kind: 'status_callback', url: 'u', state: 'succeeded', attempts: 1, lastHttpStatus: 200, lastLatencyMs: 1, lastError: null, dateCompleted: t(4) }],
      attempts: [{ id: '8', deliveryId: '5', attempt: 1, url: 'u', httpStatus: 200, latencyMs: 1, errorCode: null, error: null, dateCreated: t(4) }],
    }));
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('gives the receipt row that settled the message its status when the row holds no final receipt', () => {
    const events = buildMessageHistory(sources({
      message: message({ ...sentOverSip, receipt: null }),
      receipts: [
        { id: '1', source: 'sip', smscMessageId: null, stat: 'ENROUTE', err: null, submitDate: null, doneDate: null, dateReceived: t(3) },
        { id: '2', source: 'sip', smscMessageId: null, stat: 'DELIVRD', err: '000', submitDate: null, doneDate: null, dateReceived: t(4) },
      ],
    }));
    expect(events.filter((e) => e.type === 'receipt').map((e) => [e.id, e.status, e.detail.receiptId])).toEqual([
      ['receipt-1', null, '1'], ['receipt-2', 'delivered', '2'],
    ]);
  });

  it('counts the delivered parts of a multi-part SMPP message', () => {
    const events = buildMessageHistory(sources({
      message: message({ ...sentOverSip, route: 'smpp', status: 'sent', receipt: null }),
      submissions: [{ partNumber: 1, totalParts: 2, smscMessageId: 'a' }, { partNumber: 2, totalParts: 2, smscMessageId: 'b' }],
      receipts: [{ id: '1', source: 'smpp', smscMessageId: 'a', stat: 'DELIVRD', err: null, submitDate: null, doneDate: null, dateReceived: t(3) }],
    }));
    expect(events.find((e) => e.type === 'receipt')?.detail).toMatchObject({ partsDelivered: 1, partsTotal: 2 });
  });

  it('lists the settling part receipt, kept on the message, after the part rows, with the parts delivered', () => {
    const settling = { source: 'smpp', stat: 'DELIVRD', err: '000', submitDate: null, doneDate: null, smscMessageId: 'b', dateReceived: t(4).toISOString() };
    const events = buildMessageHistory(sources({
      message: message({ ...sentOverSip, route: 'smpp', receipt: settling }),
      submissions: [{ partNumber: 1, totalParts: 2, smscMessageId: 'a' }, { partNumber: 2, totalParts: 2, smscMessageId: 'b' }],
      receipts: [{ id: '1', source: 'smpp', smscMessageId: 'a', stat: 'DELIVRD', err: null, submitDate: null, doneDate: null, dateReceived: t(3) }],
    }));
    expect(events.filter((e) => e.type === 'receipt').map((e) => [e.id, e.status, e.detail.partsDelivered, e.detail.smscMessageId])).toEqual([
      ['receipt-1', null, 1, 'a'], ['receipt', 'delivered', 2, 'b'],
    ]);
  });

  it('lists a parked receipt that settled the message later once: its row is named by the message\'s receipt', () => {
    const events = buildMessageHistory(sources({
      message: message({ ...sentOverSip, receipt: { ...sentOverSip.receipt, receiptId: '2' } }),
      receipts: [
        { id: '1', source: 'sip', smscMessageId: null, stat: 'ENROUTE', err: null, submitDate: null, doneDate: null, dateReceived: t(2) },
        { id: '2', source: 'sip', smscMessageId: null, stat: 'DELIVRD', err: '000', submitDate: null, doneDate: null, dateReceived: t(3) },
      ],
    }));
    expect(events.filter((e) => e.type === 'receipt').map((e) => [e.id, e.status, e.detail.receiptId])).toEqual([
      ['receipt-1', null, '1'], ['receipt', 'delivered', '2'],
    ]);
  });

  it('lists takeovers with the claim they ended, and an inbound message from its row', () => {
    const m = message({ status: 'sending', attempts: 2, route: 'sip', routeSource: 'number', claimedBy: 'i2', sendStartedAt: t(40) });
    const takeover: HistoryEvent = {
      id: '3', type: 'lease_expired', status: 'queued', dateCreated: t(40),
      detail: { claimedBy: 'i1', claimedUntil: t(31).toISOString(), sendStartedAt: t(1).toISOString(), attempt: 1 },
    };
    const events = buildMessageHistory(sources({ message: m, events: [takeover] }));
    expect(events.map((e) => [e.type, e.status, e.detail.claimedBy ?? null])).toEqual([
      ['status', 'queued', null], ['route', null, null], ['status', 'sending', 'i1'], ['lease_expired', 'queued', 'i1'], ['status', 'sending', 'i2'],
    ]);
    const inbound = buildMessageHistory(sources({ message: message({ direction: 'inbound', status: 'received', route: 'smpp', smscId: 'esme' }) }));
    expect(inbound).toEqual([{ id: 'received', type: 'received', status: 'received', detail: { route: 'smpp', numSegments: 1, smscId: 'esme', deliveryTime: null }, dateCreated: t(0) }]);
  });

  it('says what a Messaging Service message waited as', () => {
    const waiting = buildMessageHistory(sources({ message: message({ status: 'scheduled', messagingServiceSid: 'MG1' }) }));
    expect(steps(waiting)).toEqual([['status', 'scheduled']]);
    const released = buildMessageHistory(sources({
      message: message({ status: 'queued', messagingServiceSid: 'MG1' }),
      events: [{ id: '4', type: 'status', status: 'queued', detail: { source: 'messaging_service', releasedFrom: 'scheduled' }, dateCreated: t(9) }],
    }));
    expect(steps(released)).toEqual([['status', 'scheduled'], ['status', 'queued']]);
    expect(released[0]?.detail).toEqual({ messagingServiceSid: 'MG1' });
  });
});
