// Issue 15, point 2: the console, driven in Debian's chromium. Sign-in (account token and API key), the live
// overview, message search, a message's page, numbers, unmatched receipts, and tenant isolation in the pages and
// in the JSON endpoints behind them. Screenshots go to .tmp/screenshots/ (docs/images/console.png is one of them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveScreenshot, withBrowser, type Page } from '../../helpers/browser.js';
import { call, HANDSET, OUR_NUMBER, startConsoleFixture, SUB_NUMBER, waitFor, type ConsoleFixture } from './console-fixture.js';

let f: ConsoleFixture;
beforeAll(async () => {
  f = await startConsoleFixture();
}, 90_000);
afterAll(async () => {
  await f?.close();
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${f.service.url}/`);
  await page.getByLabel('SID', { exact: true }).fill(username);
  await page.getByLabel('Auth token or secret').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

const cellTexts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

describe('the console in a browser', () => {
  it('is served at / and refuses wrong credentials', async () => {
    const root = await fetch(`${f.service.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    await withBrowser(async (page) => {
      await page.goto(`${f.service.url}/`);
      expect(page.url()).toBe(`${f.service.url}/console/`);
      await page.getByLabel('SID', { exact: true }).fill(f.parent.sid);
      await page.getByLabel('Auth token or secret').fill('not-the-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#sign-in-error').innerText()).toBe('Those credentials were not accepted.');
      expect(await page.locator('#nav').isHidden()).toBe(true);
      await saveScreenshot(page, 'console-sign-in');
    });
  });

  it('signs in with the account SID and token and shows the live overview', async () => {
    // The SMSC probe's first result (on a loaded machine its OPTIONS may time out): the page must show it as is.
    const probe = await waitFor('the first SMSC probe', async () => {
      const ready = (await (await fetch(`${f.service.url}/readyz`)).json()) as { smsc: { reachable: boolean | null; last_status: number | null } };
      return ready.smsc.reachable === null ? undefined : ready.smsc;
    }, { timeoutMs: 15_000 });
    await withBrowser(async (page) => {
      await signIn(page, f.parent.sid, f.parent.token);
      expect(await page.locator('#stat-queued').innerText()).toBe('0');
      expect(await page.locator('#stat-sending').innerText()).toBe('0');
      expect(await page.locator('#stat-failed-webhooks').innerText()).toBe('2');
      expect(await page.locator('#stat-unmatched').innerText()).toBe('1');
      // The chart: the parent's two messages, delivered, in the current minute (or the one before).
      const bars = page.locator('figure.chart svg rect[data-status="delivered"]');
      const counts = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
      expect(counts.reduce((a, n) => a + n, 0)).toBe(2);
      expect(await page.locator('figure.chart .legend [data-status="delivered"]').innerText()).toBe('delivered 2');
      expect(await page.locator('#sip-probe').innerText()).toContain(probe.reachable ? `answers OPTIONS (${probe.last_status}` : 'does not answer');
      expect(await page.locator('#smpp-binds').innerText()).toBe('none configured');
      const errors = await page.locator('#errors tbody tr').allInnerTexts();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^\d{5}\t.*\t1$/);
      expect(await page.locator('figure.chart .legend [data-status="failed"]').innerText()).toBe('failed 1');
      await saveScreenshot(page, 'console-overview');
    }, { viewport: { width: 1280, height: 900 } });
  });

  it('finds messages by SID, by number and status, and by date, and opens a message with its whole history', async () => {
    await withBrowser(async (page) => {
      await signIn(page, f.parent.sid, f.parent.token);
      await page.locator('#nav').getByRole('link', { name: 'Messages', exact: true }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.refused, f.second, f.delivered]);

      await page.getByLabel('Message SID').fill(f.delivered);
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.delivered]);

      await page.goto(`${f.service.url}/console/#/messages`);
      // The new view has rendered (a fresh form) once the unfiltered list is back.
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.refused, f.second, f.delivered]);
      await page.getByLabel('Number (To or From)').fill(HANDSET.slice(1)); // without the "+"
      await page.getByLabel('Status').selectOption('delivered');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.delivered]);
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.refused]);
      await page.getByLabel('Status').selectOption('canceled');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('#no-messages').waitFor();

      const today = new Date().toISOString().slice(0, 10);
      await page.goto(`${f.service.url}/console/#/messages?Date=${today}&Number=${encodeURIComponent(OUR_NUMBER)}`);
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.refused, f.second, f.delivered]);
      await page.goto(`${f.service.url}/console/#/messages?Date=2020-01-01`);
      await page.locator('#no-messages').waitFor();

      await page.goto(`${f.service.url}/console/#/messages?Sid=${f.delivered}`);
      await page.getByRole('link', { name: f.delivered }).click();
      await page.getByRole('heading', { name: `Message ${f.delivered}` }).waitFor();
      const fields = await page.locator('#message-fields').innerText();
      expect(fields).toContain('Your code is 4711');
      expect(fields).toContain('delivered');
      // Status changes in order, the SIP answer, the receipt, and each status callback's HTTP status.
      const statuses = (await cellTexts(page, '#events tbody td:nth-child(3)')).filter((text) => text !== '');
      expect(statuses).toEqual(['queued', 'sending', 'sent', 'delivered']);
      expect(await page.locator('#events tbody tr[data-type="send_attempt"]').innerText()).toContain('200');
      expect(await page.locator('#events tbody tr[data-type="receipt"]').count()).toBeGreaterThan(0);
      expect(await cellTexts(page, '#webhook-attempts td.http-status')).toEqual(['500', '500']);
      expect(await page.locator('#receipts').innerText()).toContain('stat:DELIVRD');
      await saveScreenshot(page, 'console-message');
    });
    // The API's Events.json, which the page shares its query with: the steps in time order (the ordinary ones come
    // from the message row, the others from their rows), each with its own id.
    const events = await call({ url: `${f.service.url}/2010-04-01/Accounts/${f.parent.sid}/Messages/${f.delivered}/Events.json`, auth: f.parent.auth });
    const listed = events.body.events as Array<{ id: string; type: string; status: string | null; date_created: string }>;
    expect(listed.filter((e) => e.status !== null).map((e) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(new Set(listed.map((e) => e.id)).size).toBe(listed.length);
    const times = listed.map((e) => Date.parse(e.date_created));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('lists the numbers with their webhooks, and the unmatched receipts', async () => {
    await withBrowser(async (page) => {
      await signIn(page, f.parent.sid, f.parent.token);
      await page.locator('#nav').getByRole('link', { name: 'Numbers', exact: true }).click();
      const numbers = await page.locator('#numbers tbody').innerText();
      expect(numbers).toContain(OUR_NUMBER);
      expect(numbers).toContain(`POST ${f.app.url}/sms`);
      expect(numbers).not.toContain(SUB_NUMBER);
      await page.locator('#nav').getByRole('link', { name: 'Unmatched receipts', exact: true }).click();
      const receipts = await page.locator('#unmatched-receipts tbody').innerText();
      expect(receipts).toContain('text:Who sent this');
      expect(receipts).toContain('gave up after 5 tries');
      await saveScreenshot(page, 'console-unmatched-receipts');
    });
  });

  it('signs in with an API key and acts on the key\'s account', async () => {
    await withBrowser(async (page) => {
      await signIn(page, f.key.sid, f.key.secret);
      expect(await page.locator('#stat-failed-webhooks').innerText()).toBe('2');
      expect(await page.locator('#account-picker option:checked').innerText()).toContain(f.parent.sid);
    });
  });

  it('shows a subaccount only its own messages, and a parent its subaccount\'s through the picker', async () => {
    await withBrowser(async (page) => {
      await signIn(page, f.sub.sid, f.sub.token);
      expect(await page.locator('#account-picker option').allInnerTexts()).toEqual([`Shop subaccount (${f.sub.sid})`]);
      expect(await page.locator('#stat-failed-webhooks').innerText()).toBe('0');
      expect(await page.locator('#stat-unmatched').innerText()).toBe('0');
      await page.locator('#nav').getByRole('link', { name: 'Messages', exact: true }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.subMessage]);
      await page.goto(`${f.service.url}/console/#/messages/${f.delivered}`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      await page.locator('#nav').getByRole('link', { name: 'Failed webhooks', exact: true }).click();
      await page.getByText('No failed webhook.').waitFor();
      await saveScreenshot(page, 'console-subaccount');
    });
    await withBrowser(async (page) => {
      await signIn(page, f.parent.sid, f.parent.token);
      await page.locator('#account-picker').selectOption(f.sub.sid);
      await expect.poll(() => page.locator('#stat-failed-webhooks').innerText()).toBe('0');
      await page.locator('#nav').getByRole('link', { name: 'Messages', exact: true }).click();
      await expect.poll(() => cellTexts(page, '#messages tbody td:first-child')).toEqual([f.subMessage]);
    });
  });
});

describe('the console JSON endpoints', () => {
  const api = (path: string) => `${f.service.url}/console/api${path}`;

  it('apply the API\'s account rule: 401/20003 for a parent\'s path, 404/20404 for a parent\'s resource', async () => {
    const parentPath = await call({ url: api(`/Accounts/${f.parent.sid}/overview`), auth: f.sub.auth });
    expect(parentPath).toEqual({ status: 401, body: expect.objectContaining({ code: 20003, status: 401 }) });
    const parentMessage = await call({ url: api(`/Accounts/${f.sub.sid}/messages/${f.delivered}`), auth: f.sub.auth });
    expect(parentMessage).toEqual({ status: 404, body: expect.objectContaining({ code: 20404, status: 404 }) });
    const [failed] = await f.db.query<{ id: string }>(`SELECT id::text AS id FROM webhook_deliveries WHERE state = 'failed' LIMIT 1`);
    const redeliver = await call({ url: api(`/Accounts/${f.sub.sid}/webhooks/${failed!.id}/redeliver`), auth: f.sub.auth, method: 'POST' });
    expect(redeliver).toEqual({ status: 404, body: expect.objectContaining({ code: 20404 }) });
    const search = await call({ url: api(`/Accounts/${f.sub.sid}/messages?Sid=${f.delivered}`), auth: f.sub.auth });
    expect(search).toEqual({ status: 200, body: { messages: [], limit: 50 } });
    expect((await call({ url: api(`/Accounts/${f.sub.sid}/receipts/unmatched`), auth: f.sub.auth })).body).toEqual({ receipts: [] });
    expect((await call({ url: api('/session'), auth: 'Basic AAAA' })).status).toBe(401);
    // The parent reaches its subaccount, as in the API.
    const subMessage = await call({ url: api(`/Accounts/${f.sub.sid}/messages/${f.subMessage}`), auth: f.parent.auth });
    expect(subMessage.status).toBe(200);
    // And a subaccount cannot reach a sibling's (or its parent's) redeliver by id either: nothing changed.
    const [still] = await f.db.query<{ state: string }>('SELECT state FROM webhook_deliveries WHERE id = $1::bigint', [failed!.id]);
    expect(still?.state).toBe('failed');
  });

  it('answers 400/70002 for a status that does not exist', async () => {
    const answer = await call({ url: api(`/Accounts/${f.parent.sid}/messages?Status=lost`), auth: f.parent.auth });
    expect(answer).toEqual({ status: 400, body: expect.objectContaining({ code: 70002 }) });
  });
});
