// An account routed over SMPP behaves like one over SIP for the API, statuses and status callbacks, and its
// receipts match exactly by SMSC message id: two messages with identical text to the same handset each get their
// own receipt, which no SIP heuristic can promise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, AUTH_TOKEN, startStack, submissions, waitFor, waitForStatus, type Stack } from './harness.js';

const HANDSET = '+447700900123';
let stack: Stack;
let numberSid: string;

beforeAll(async () => {
  stack = await startStack();
  const created = await stack.api.createNumber({ PhoneNumber: '+15005550006' });
  expect(created.status).toBe(201);
  numberSid = created.body.sid as string;
});
afterAll(async () => stack?.close());

describe('routing an account over SMPP', () => {
  it('sets and clears the account road through the API', async () => {
    const set = await stack.api.setAccountRoute('smpp');
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ sid: ACCOUNT_SID, smsc_route: 'smpp' });
    const bad = await stack.api.setAccountRoute('carrier-pigeon');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(70002);
  });

  it('lets only a main account change routing, and refuses other account updates', async () => {
    const sub = await stack.sdk.api.accounts.create({ friendlyName: 'customer' });
    const post = (sid: string, token: string, form: Record<string, string>) => fetch(`${stack.service.url}/2010-04-01/Accounts/${sid}.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const bySub = await post(sub.sid, sub.authToken, { SmscRoute: 'smpp' });
    expect([bySub.status, bySub.body.code]).toEqual([401, 20003]);
    const renamed = await post(ACCOUNT_SID, AUTH_TOKEN, { FriendlyName: 'new name' });
    expect([renamed.status, renamed.body.code, renamed.body.message]).toEqual([400, 70002, 'FriendlyName is not supported by this gateway: only SmscRoute can be updated']);
  });

  it('takes a message queued → sent → delivered with signed status callbacks', async () => {
    const created = await stack.sdk.messages.create({
      to: HANDSET, from: '+15005550006', body: 'Hello over SMPP', statusCallback: `${stack.receiver.url}/status`,
    });
    expect(created.status).toBe('queued');
    const delivered = await waitForStatus(stack, created.sid, 'delivered');
    expect(delivered.errorCode).toBeNull();
    const [submission] = await submissions(stack, created.sid);
    expect(submission).toMatchObject({ route: 'smpp', part_number: 1, total_parts: 1, status: 'delivered', smsc_message_id: expect.stringMatching(/^\d{10}$/) });
    const callbacks = await waitFor('two status callbacks', () => {
      const mine = stack.receiver.received.filter((r) => r.params.MessageSid === created.sid);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(callbacks.map((c) => [c.path, c.params.MessageStatus, c.signatureValid])).toEqual([
      ['/status', 'sent', true],
      ['/status', 'delivered', true],
    ]);
    const events = await stack.api.events(created.sid);
    expect(events.find((e) => e.type === 'route')?.detail).toEqual({ route: 'smpp', source: 'account' });
    expect(events.find((e) => e.type === 'send_attempt')?.detail).toMatchObject({ route: 'smpp', outcome: 'accepted', smscMessageIds: [submission?.smsc_message_id] });
  });

  it('matches receipts of two identical texts to the same handset exactly', async () => {
    // Receipts come late, in submit order: the first says DELIVRD, the second UNDELIV.
    stack.simulator.setReceipts({ delayMs: 1500, outcome: { deliveredPercent: 50 } });
    stack.randomQueue.push(0, 0.99);
    try {
      const first = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: 'Same words' });
      const second = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: 'Same words' });
      await waitFor('both sent', async () => (await Promise.all([first.sid, second.sid].map((sid) => submissions(stack, sid)))).every((rows) => rows.length === 1));
      const bySmscId = (await Promise.all([first.sid, second.sid].map(async (sid) => ({ sid, id: Number((await submissions(stack, sid))[0]!.smsc_message_id) }))))
        .sort((a, b) => a.id - b.id);
      const deliveredOne = await waitForStatus(stack, bySmscId[0]!.sid, 'delivered');
      const undeliveredOne = await waitForStatus(stack, bySmscId[1]!.sid, 'undelivered');
      expect([deliveredOne.body, undeliveredOne.body]).toEqual(['Same words', 'Same words']);
      expect(undeliveredOne.errorCode).toBe(30005); // UNDELIV err:001, unknown subscriber
    } finally {
      stack.simulator.setReceipts({ delayMs: 50, outcome: 'delivered' });
    }
  });

  it('sends a long text as UDH parts: delivered only when every part is', async () => {
    const body = 'Part of a long message. '.repeat(9); // 216 GSM characters: 2 parts
    const message = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body });
    expect(message.numSegments).toBe('2');
    await waitForStatus(stack, message.sid, 'delivered');
    const parts = await submissions(stack, message.sid);
    expect(parts.map((p) => [p.part_number, p.total_parts, p.status])).toEqual([[1, 2, 'delivered'], [2, 2, 'delivered']]);
    expect(new Set(parts.map((p) => p.smsc_message_id)).size).toBe(2);
  });

  it('makes a long text undelivered when one part is UNDELIV', async () => {
    stack.simulator.setReceipts({ outcome: { deliveredPercent: 50 } });
    stack.randomQueue.push(0, 0.99);
    try {
      const body = 'Another long message. '.repeat(10);
      const message = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body });
      const final = await waitForStatus(stack, message.sid, 'undelivered');
      expect(final.errorCode).toBe(30005);
      // The two parts' receipts may commit in either order (concurrent receipt batches): wait for both.
      const parts = await waitFor('both parts receipted', async () => {
        const rows = await submissions(stack, message.sid);
        return rows.every((p) => p.status !== 'submitted') ? rows : undefined;
      });
      expect(parts.map((p) => p.status)).toEqual(['delivered', 'undelivered']);
    } finally {
      stack.simulator.setReceipts({ outcome: 'delivered' });
    }
  });

  it('routes one number over SMPP inside an account that uses the default (SIP)', async () => {
    expect((await stack.api.setAccountRoute('default')).body.smsc_route).toBe('default');
    const smppNumber = await stack.api.createNumber({ PhoneNumber: '+15005550007', SmscRoute: 'smpp' });
    expect(smppNumber.body.smsc_route).toBe('smpp');
    expect((await stack.api.updateNumber(numberSid, { SmscRoute: 'default' })).body.smsc_route).toBe('default');
    const viaSmpp = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550007', body: 'From the SMPP number' });
    const viaSip = await stack.sdk.messages.create({ to: HANDSET, from: '+15005550006', body: 'From the SIP number' });
    await waitForStatus(stack, viaSmpp.sid, 'delivered');
    await waitForStatus(stack, viaSip.sid, 'delivered');
    expect((await submissions(stack, viaSmpp.sid)).map((s) => [s.route, s.smsc_message_id !== null])).toEqual([['smpp', true]]);
    // A SIP send records no submission row (the SMSC gives no id); the message row says the route.
    expect(await submissions(stack, viaSip.sid)).toEqual([]);
    const [sipRow] = await stack.service.db.query<{ route: string }>('SELECT route FROM messages WHERE sid = $1', [viaSip.sid]);
    expect(sipRow?.route).toBe('sip');
    expect((await stack.api.events(viaSmpp.sid)).find((e) => e.type === 'route')?.detail).toEqual({ route: 'smpp', source: 'number' });
    expect((await stack.api.events(viaSip.sid)).find((e) => e.type === 'route')?.detail).toEqual({ route: 'sip', source: 'default' });
  });
});
