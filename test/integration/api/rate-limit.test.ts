// API_RATE_LIMIT: over the per-account limit the API answers 429 with Twilio's 20429 body; other accounts are
// not affected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { basicAuth, newAccount, rawRequest, startApi, type ApiHarness } from './api-harness.js';

describe('per-account API rate limit', () => {
  let tdb: TestDatabase;
  let db: Database;
  let api: ApiHarness;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await tdb.open();
    api = await startApi({ db, config: { apiRateLimit: 5 } });
  });
  afterAll(async () => {
    await api.close();
    await db.close();
    await tdb.drop();
  });

  it('answers 429 / 20429 past the limit within one second, for that account only', async () => {
    const busy = await newAccount(db, 'busy');
    const quiet = await newAccount(db, 'quiet');
    const list = (sid: string, token: string) =>
      rawRequest({ baseUrl: api.baseUrl, path: `/2010-04-01/Accounts/${sid}/Messages.json`, auth: basicAuth(sid, token) });
    // Twelve requests at once all land in one or two one-second windows: at most 10 can pass.
    const results = await Promise.all(Array.from({ length: 12 }, () => list(busy.sid, busy.authToken)));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(results.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(refused[0]?.json).toEqual({
      code: 20429, message: expect.any(String), more_info: 'https://www.twilio.com/docs/errors/20429', status: 429,
    });
    expect((await list(quiet.sid, quiet.authToken)).status).toBe(200);
  });
});
