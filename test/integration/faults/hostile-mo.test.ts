// Fault suite, issue 12 points 3 and 4: the hostile-MO corpus (test/fixtures/sip-fuzz, raw SIP datagrams with NUL
// octets, invalid UTF-8, odd UDHs, malformed From/To) replayed over UDP against the real service (start() from
// main.ts on a cloned PostgreSQL database, the webhook going to a local application). Each request must get its
// documented final answer: 200 for every SMS whatever its bytes, 606 for one we will never store (final at the
// SMSC), 400 for malformed SIP; never 480 or another retry-forever 4xx for content. Nothing malformed is
// stored; every valid MO is stored byte for byte and its webhook delivered: accepted against delivered, 0 lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/main.js';
import { sendRawSip, responseHeader, type RawSipResponse } from '../../helpers/raw-sip.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { apiClient, serviceEnv, startInProcess, waitFor } from '../e2e/e2e-harness.js';
import { startWebhookRecorder, type WebhookRecorder } from '../e2e/webhook-recorder.js';
import { freePort } from '../sip/sipp.js';

interface CorpusCase {
  file: string;
  why: string;
  answer: number;
  stores: 'message' | 'part' | 'nothing';
  group?: string;
  expect?: { body: string; payloadHex: string; coding: number; udh: string | null; numSegments: number };
}
const FIXTURES = join(import.meta.dirname, '../../fixtures/sip-fuzz');
const corpus = JSON.parse(readFileSync(join(FIXTURES, 'corpus.json'), 'utf8')) as { number: string; handset: string; cases: CorpusCase[] };
const CODING_NAMES = ['gsm7', 'binary', 'ucs2'];

let testDb: TestDatabase;
let app: WebhookRecorder;
let service: RunningService;
let sipPort: number;
const answers = new Map<string, RawSipResponse>();

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await startWebhookRecorder();
  sipPort = await freePort('udp');
  // Nothing listens on the SMSC port: this case sends no MT.
  service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: await freePort('udp'), extra: { SMSC_RECEIPTS: 'false' } }));
  expect((await apiClient(service.url).createNumber({ PhoneNumber: corpus.number, SmsUrl: `${app.url}/sms` })).status).toBe(201);
  // In corpus order: the parts of a multipart message arrive one after the other, as the SMSC sends them.
  for (const c of corpus.cases) answers.set(c.file, await sendRawSip({ port: sipPort, request: readFileSync(join(FIXTURES, c.file)) }));
}, 120_000);
afterAll(async () => {
  await service?.close();
  await app?.stop();
  await testDb?.drop();
});

describe('the hostile-MO corpus against the running service', () => {
  it.each(corpus.cases.map((c) => [c.file, c] as const))('%s gets its documented final answer', (_file, c) => {
    const answer = answers.get(c.file);
    expect(answer?.status, c.why).toBe(c.answer);
    // The SMSC retries every 4xx but 400 for up to 72 h (smsc-sip-interface.md §5.5): content never gets one.
    expect(answer?.status === 200 || answer?.status === 400 || (answer?.status ?? 0) >= 500).toBe(true);
    if (c.answer !== 200) expect(responseHeader(answer!, 'Reason')).toMatch(new RegExp(`^SIP;cause=${c.answer};text="`));
  });

  it('stores every valid MO byte for byte and nothing malformed', async () => {
    const rows = await service.db.query<{
      sid: string; from_address: string; body: string; payload_hex: string | null; coding: number; udh: string | null; num_segments: number;
    }>(`SELECT sid, from_address, body, upper(encode(payload, 'hex')) AS payload_hex, coding, udh, num_segments
        FROM messages WHERE direction = 'inbound' ORDER BY date_created`);
    const expected = corpus.cases.filter((c) => c.stores === 'message').map((c) => c.expect!);
    expect(rows.map((r) => ({ body: r.body, payloadHex: r.payload_hex, coding: r.coding, udh: r.udh, numSegments: r.num_segments })))
      .toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => r.from_address))).toEqual(new Set([corpus.handset]));
    expect(await service.db.query('SELECT id FROM mo_parts')).toEqual([]);
    expect(await service.db.query('SELECT id FROM delivery_receipts')).toEqual([]);
  });

  it('delivers the webhook of every stored MO, with the payload hex, coding and UDH: accepted = delivered, 0 lost', async () => {
    const accepted = corpus.cases.filter((c) => c.stores === 'message');
    const hooks = await waitFor('a webhook per accepted MO', () => {
      const received = app.requests().filter((r) => r.path === '/sms');
      return received.length >= accepted.length ? received : undefined;
    }, { timeoutMs: 30_000 });
    const delivered = new Set(hooks.map((h) => h.params.MessageSid));
    const lost = accepted.length - delivered.size;
    expect({ accepted: accepted.length, delivered: delivered.size, lost }).toEqual({ accepted: accepted.length, delivered: accepted.length, lost: 0 });
    for (const c of accepted) {
      const hook = hooks.find((h) => h.params.SmscPayloadHex === c.expect!.payloadHex);
      expect(hook?.params, c.file).toMatchObject({
        Body: c.expect!.body, From: corpus.handset, To: corpus.number, NumSegments: String(c.expect!.numSegments),
        SmscCoding: CODING_NAMES[c.expect!.coding],
        ...(c.expect!.udh === null ? {} : { SmscUdh: c.expect!.udh }),
      });
      if (c.expect!.udh === null) expect(hook?.params.SmscUdh, c.file).toBeUndefined();
    }
  });

  it('shows the payload in the message resource and says in the events why a body is not its bytes', async () => {
    const binary = corpus.cases.find((c) => c.file === 'binary-nul.sip')!.expect!;
    const [row] = await service.db.query<{ sid: string }>(`SELECT sid FROM messages WHERE body = $1`, [binary.body]);
    const resource = await apiClient(service.url).fetchMessage(row!.sid);
    expect(resource.body).toMatchObject({ body: binary.body, smsc_payload_hex: binary.payloadHex, smsc_coding: 'binary', smsc_udh: null });
    const events = await service.db.query<{ body: string; detail: Record<string, unknown> }>(
      `SELECT m.body, e.detail FROM messages m JOIN message_events e ON e.message_sid = m.sid WHERE e.type = 'received'`,
    );
    expect(events.find((e) => e.body === 'HelloWorld')?.detail).toMatchObject({ nulsOmittedFromBody: 1 });
    expect(events.find((e) => e.body.startsWith('caf'))?.detail).toMatchObject({ decodeError: expect.stringMatching(/UTF-8/) });
  });
});
