// /docs in a real browser, as a new user tries the API: authorize, "Try it out" on POST Messages with only To,
// From and Body filled, Execute, and see the 201. Swagger UI sends the form encoding (listed first) with every
// optional field it shows, empty; the API takes those as absent. Screenshot: .tmp/screenshots/docs-create-message.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { saveScreenshot, withBrowser } from '../../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { basicAuth, newAccount, rawRequest, startApi, type ApiHarness } from '../api/api-harness.js';

const FROM = '+15005550006';
const TO = '+15551234567';
const OPERATION = '#operations-Messages-CreateMessage';

describe('Swagger UI at /docs', () => {
  let testDb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  let account: Account;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    api = await startApi({ db });
    account = await newAccount(db);
    const number = await rawRequest({
      baseUrl: api.baseUrl, method: 'POST', path: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`,
      auth: basicAuth(account.sid, account.authToken), form: { PhoneNumber: FROM },
    });
    expect(number.status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('sends a message with Try it out on POST Messages, filling only To, From and Body', async () => {
    await withBrowser(async (page) => {
      await page.goto(`${api.baseUrl}/docs`);
      await page.waitForSelector(OPERATION);
      expect(await page.title()).toBe('smsc-connect');
      // The server offered is the one that served the page, not the committed document's default.
      expect(await page.locator('.servers select option').allTextContents()).toEqual([`${api.baseUrl} - This server`]);

      await page.click('button.authorize');
      const dialog = page.locator('.modal-ux');
      await dialog.locator('input[type="text"]').fill(account.sid);
      await dialog.locator('input[type="password"]').fill(account.authToken);
      await dialog.locator('button.authorize').click();
      await dialog.locator('button.btn-done').click();

      const operation = page.locator(OPERATION);
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      expect(await operation.locator('.opblock-section-request-body select.content-type').inputValue())
        .toBe('application/x-www-form-urlencoded');
      await operation.locator('input[placeholder="AccountSid"]').fill(account.sid);
      await operation.locator('input[placeholder="To"]').fill(TO);
      await operation.locator('input[placeholder="From"]').fill(FROM);
      await operation.locator('input[placeholder="Body"]').fill('Hello from /docs');

      const sent = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/Messages.json'));
      await operation.locator('button.execute').click();
      const request = await sent;
      const status = operation.locator('.live-responses-table .response .response-col_status');
      await status.first().waitFor();
      await saveScreenshot(page, 'docs-create-message');

      const form = new URLSearchParams(request.postData() ?? '');
      expect(request.headers()['content-type']).toContain('application/x-www-form-urlencoded');
      expect([form.get('To'), form.get('From'), form.get('Body')]).toEqual([TO, FROM, 'Hello from /docs']);
      // The fields left alone go out empty (the API takes them as absent), not as type samples ("string", 0, true).
      expect(['ValidityPeriod', 'SmartEncoded', 'MediaUrl', 'StatusCallbackMethod', 'SmscCoding'].map((name) => form.get(name))).toEqual(['', '', '', '', '']);
      expect((await status.first().textContent())?.trim()).toBe('201');
      const body = JSON.parse((await operation.locator('.live-responses-table .response-col_description pre').first().textContent()) ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'queued', to: TO, from: FROM, body: 'Hello from /docs', direction: 'outbound-api' });
      const [row] = await db.query<{ status: string }>('SELECT status FROM messages WHERE sid = $1', [body.sid]);
      expect(row).toEqual({ status: 'queued' });
    });
  });
});
