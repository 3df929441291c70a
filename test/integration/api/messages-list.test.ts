// Listing messages with the twilio SDK: paging across pages, token stability while messages arrive, filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { Database } from '../../../src/store/database.js';
import type { Account } from '../../../src/store/account-store.js';
import { basicAuth, newAccount, rawRequest, restError, sdkClient, startApi, type ApiHarness, type TwilioClient } from './api-harness.js';

const FROM = '+15005550006';

describe('Messages list (twilio SDK, PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  let account: Account;
  let client: TwilioClient;
  const created: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await testDb.open();
    api = await startApi({ db });
    account = await newAccount(db);
    client = sdkClient(api.baseUrl, account.sid, account.authToken);
    await client.incomingPhoneNumbers.create({ phoneNumber: FROM });
    for (let i = 0; i < 7; i++) {
      const m = await client.messages.create({ to: `+1555000000${i}`, from: FROM, body: `message ${i}` });
      created.push(m.sid);
    }
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('lists newest first across 4 pages of 2 with list()', async () => {
    const all = await client.messages.list({ pageSize: 2 });
    expect(all.map((m) => m.sid)).toEqual([...created].reverse());
  });

  it('pages with page() / nextPage() and prints Twilio\'s envelope', async () => {
    const seen: string[] = [];
    // nextPage() is typed as the generic Page; only instances and nextPage matter here.
    type SidPage = { instances: Array<{ sid: string }>; nextPage(): Promise<SidPage | undefined> };
    let page = (await client.messages.page({ pageSize: 2 })) as unknown as SidPage;
    let pages = 0;
    for (;;) {
      pages += 1;
      seen.push(...page.instances.map((m) => m.sid));
      const next = await page.nextPage();
      if (!next) break;
      page = next;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([...created].reverse());
    const first = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?PageSize=2&To=%2B15550000001`, auth: basicAuth(account.sid, account.authToken) });
    const envelope = first.json as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual(['end', 'first_page_uri', 'messages', 'next_page_uri', 'page', 'page_size', 'previous_page_uri', 'start', 'uri']);
    expect(envelope).toMatchObject({
      start: 0, end: 0, page: 0, page_size: 2, next_page_uri: null, previous_page_uri: null,
      uri: `/2010-04-01/Accounts/${account.sid}/Messages.json?To=%2B15550000001&PageSize=2&Page=0`,
      first_page_uri: `/2010-04-01/Accounts/${account.sid}/Messages.json?To=%2B15550000001&PageSize=2&Page=0`,
    });
  });

  it('keeps a PageToken stable while new messages arrive, and links back with previous_page_uri', async () => {
    const auth = basicAuth(account.sid, account.authToken);
    const first = (await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?PageSize=3`, auth })).json as { messages: Array<{ sid: string }>; next_page_uri: string };
    expect(first.next_page_uri).toMatch(new RegExp(`^/2010-04-01/Accounts/${account.sid}/Messages\\.json\\?PageSize=3&Page=1&PageToken=PA[A-Za-z0-9_-]+$`));
    const arrived = await client.messages.create({ to: '+15559999999', from: FROM, body: 'late arrival' });
    const second = (await rawRequest({ baseUrl: api.baseUrl, path: first.next_page_uri, auth })).json as {
      messages: Array<{ sid: string }>; start: number; end: number; page: number; previous_page_uri: string;
    };
    const newestFirst = [...created].reverse();
    expect(first.messages.map((m) => m.sid)).toEqual(newestFirst.slice(0, 3));
    expect(second.messages.map((m) => m.sid)).toEqual(newestFirst.slice(3, 6));
    expect([second.start, second.end, second.page]).toEqual([3, 5, 1]);
    const back = (await rawRequest({ baseUrl: api.baseUrl, path: second.previous_page_uri, auth })).json as { messages: Array<{ sid: string }> };
    expect(back.messages.map((m) => m.sid)).toEqual(newestFirst.slice(0, 3));
    await db.query('DELETE FROM messages WHERE sid = $1', [arrived.sid]);
  });

  it('rejects a forged PageToken with 21481', async () => {
    const error = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?PageToken=PAnonsense`, auth: basicAuth(account.sid, account.authToken) });
    expect(error).toMatchObject({ status: 400, json: { code: 21481, message: 'Invalid PageToken', more_info: 'https://www.twilio.com/docs/errors/21481', status: 400 } });
    expect(await restError(client.messages.list({ pageSize: 1001 }))).toMatchObject({ status: 400, code: 70002, message: 'Invalid parameter PageSize: must be <= 1000' });
  });

  it('filters by To and From', async () => {
    const byTo = await client.messages.list({ to: '+15550000003' });
    expect(byTo.map((m) => m.sid)).toEqual([created[3]]);
    const byFrom = await client.messages.list({ from: FROM, pageSize: 50 });
    expect(byFrom).toHaveLength(7);
    expect(await client.messages.list({ from: '+15005550009' })).toEqual([]);
  });

  it('filters by DateSent, DateSent< and DateSent> with Date objects and the spec\'s other forms', async () => {
    const sentAt = ['2024-01-01T10:00:00Z', '2024-01-02T00:00:00Z', '2024-01-02T23:59:59.500Z', '2024-01-03T10:00:00Z'];
    for (const [i, at] of sentAt.entries()) {
      await db.query("UPDATE messages SET status = 'sent', date_sent = $2 WHERE sid = $1", [created[i], at]);
    }
    const sids = (list: Array<{ sid: string }>) => list.map((m) => m.sid).sort();
    expect(sids(await client.messages.list({ dateSent: new Date('2024-01-02T00:00:00Z') }))).toEqual([created[1], created[2]].sort());
    expect(sids(await client.messages.list({ dateSentBefore: new Date('2024-01-02T00:00:00Z') }))).toEqual([created[0], created[1]].sort());
    expect(sids(await client.messages.list({ dateSentAfter: new Date('2024-01-02T23:59:59Z'), dateSentBefore: new Date('2024-01-31T00:00:00Z') })))
      .toEqual([created[2], created[3]].sort());
    const auth = basicAuth(account.sid, account.authToken);
    const forms: Array<[string, string[]]> = [
      ['DateSent=2024-01-01', [created[0] ?? '']],
      ['DateSent%3E=Wed,%2003%20Jan%202024%2009:00:00%20-0000', [created[3] ?? '']],
      ['DateSent%3C=01/01/2024%2003:00:00%20MST', [created[0] ?? '']],
      ['DateSent%3C=2024-01-01%2009:59:59.000', []],
    ];
    for (const [query, expected] of forms) {
      const page = (await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?${query}`, auth })).json as { messages: Array<{ sid: string }> };
      expect(sids(page.messages), query).toEqual(expected.sort());
    }
    const bad = await rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${account.sid}/Messages.json?DateSent=yesterday`, auth });
    expect(bad.json).toEqual({
      code: 70002, status: 400, more_info: 'https://www.twilio.com/docs/errors/70002',
      message: "Invalid parameter DateSent: 'yesterday' is not a date (use YYYY-MM-DD, ISO 8601 or RFC 2822)",
    });
  });
});
