// Issue 15, point 2: failed webhooks, each with a redeliver button. Pressing it in the browser puts the delivery
// back in the queue for one more attempt with its original idempotency token; the worker then delivers it to the
// customer's application (now answering 200), and the message's history says so.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveScreenshot, withBrowser } from '../../helpers/browser.js';
import { call, startConsoleFixture, waitFor, type ConsoleFixture } from './console-fixture.js';

let f: ConsoleFixture;
beforeAll(async () => {
  f = await startConsoleFixture();
}, 90_000);
afterAll(async () => {
  await f?.close();
});

interface DeliveryRow {
  id: string;
  state: string;
  attempts: number;
  max_attempts: number;
  idempotency_token: string;
}

const deliveries = () => f.db.query<DeliveryRow>(
  `SELECT id::text AS id, state, attempts, max_attempts, idempotency_token FROM webhook_deliveries d WHERE message_sid = $1 ORDER BY d.id`,
  [f.delivered],
);

it('redelivers a failed status callback from the Failed webhooks page, once, with its idempotency token', async () => {
  const [sentCallback, deliveredCallback] = await deliveries();
  expect(sentCallback?.state).toBe('failed');
  const firstCall = f.app.requests().find((r) => r.params.MessageSid === f.delivered && r.params.MessageStatus === 'sent');
  expect(firstCall?.headers['i-twilio-idempotency-token']).toBe(sentCallback!.idempotency_token);
  f.app.answerWith(200);

  await withBrowser(async (page) => {
    await page.goto(`${f.service.url}/console/`);
    await page.getByLabel('SID', { exact: true }).fill(f.parent.sid);
    await page.getByLabel('Auth token or secret').fill(f.parent.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#nav').getByRole('link', { name: 'Failed webhooks', exact: true }).click();
    const rows = page.locator('#failed-webhooks tbody tr');
    await page.locator(`#failed-webhooks tr[data-id="${sentCallback!.id}"]`).waitFor();
    expect(await rows.first().innerText()).toContain('HTTP 500');
    await saveScreenshot(page, 'console-failed-webhooks');

    await page.locator(`#failed-webhooks tr[data-id="${sentCallback!.id}"] button.redeliver`).click();
    await page.locator(`#failed-webhooks tr[data-id="${sentCallback!.id}"] .requeued`).waitFor();
  });

  // Re-queued with one more attempt allowed, then delivered by the worker with the same token.
  const redelivered = await waitFor('the redelivery to succeed', async () => {
    const row = (await deliveries()).find((d) => d.id === sentCallback!.id);
    return row?.state === 'succeeded' ? row : undefined;
  }, { timeoutMs: 15_000 });
  expect(redelivered).toMatchObject({ attempts: 2, max_attempts: 2, idempotency_token: sentCallback!.idempotency_token });
  const calls = f.app.requests().filter((r) => r.params.MessageSid === f.delivered && r.params.MessageStatus === 'sent');
  expect(calls.map((r) => r.headers['i-twilio-idempotency-token'])).toEqual([sentCallback!.idempotency_token, sentCallback!.idempotency_token]);
  const attempts = await f.db.query<{ attempt: number; http_status: number }>(
    'SELECT attempt, http_status FROM webhook_attempts WHERE delivery_id = $1::bigint ORDER BY id', [sentCallback!.id],
  );
  // webhook_attempts holds failed attempts only (issue 13): the successful redelivery is the delivery row's state.
  expect(attempts).toEqual([{ attempt: 1, http_status: 500 }]);
  // The other callback was left alone.
  expect((await deliveries()).find((d) => d.id === deliveredCallback!.id)).toEqual(deliveredCallback);
  const [failedNow] = await f.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'failed'`);

  await withBrowser(async (page) => {
    await page.goto(`${f.service.url}/console/`);
    await page.getByLabel('SID', { exact: true }).fill(f.parent.sid);
    await page.getByLabel('Auth token or secret').fill(f.parent.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.locator('#stat-failed-webhooks').innerText()).toBe(String(failedNow!.n));
    await page.goto(`${f.service.url}/console/#/messages/${f.delivered}`);
    await page.locator('#webhook-attempts').waitFor();
    // The sent callback's two attempts come first (deliveries in order, attempts in order).
    expect((await page.locator('#webhook-attempts td.http-status').allInnerTexts()).slice(0, 2)).toEqual(['500', '200']);
    expect(await page.locator('#events').innerText()).toContain(`redelivery requested (attempt 2) by ${f.parent.sid}`);
  });
});

it('requeues only a failed delivery: a second press changes nothing', async () => {
  const [, deliveredCallback] = await deliveries();
  expect(deliveredCallback?.state).toBe('failed');
  f.app.answerWith(200);
  const url = `${f.service.url}/console/api/Accounts/${f.parent.sid}/webhooks/${deliveredCallback!.id}/redeliver`;
  const first = await call({ url, auth: f.parent.auth, method: 'POST' });
  expect(first).toMatchObject({ status: 200, body: { requeued: true, webhook: { id: deliveredCallback!.id, max_attempts: 2 } } });
  await waitFor('the redelivery to succeed', async () =>
    (await deliveries()).find((d) => d.id === deliveredCallback!.id)?.state === 'succeeded', { timeoutMs: 15_000 });
  const again = await call({ url, auth: f.parent.auth, method: 'POST' });
  expect(again).toMatchObject({ status: 200, body: { requeued: false, webhook: { state: 'succeeded', attempts: 2 } } });
  expect((await deliveries()).find((d) => d.id === deliveredCallback!.id)).toMatchObject({ state: 'succeeded', attempts: 2, max_attempts: 2 });
  const unknown = await call({ url: url.replace(`/${deliveredCallback!.id}/`, '/999999/'), auth: f.parent.auth, method: 'POST' });
  expect(unknown).toMatchObject({ status: 404, body: { code: 20404 } });
});
