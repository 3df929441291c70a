// Issue 6, "Done when" 7: an MO from sipp (playing the SMSC's sending side) reaches a number whose SmsUrl answers
// `<Response><Message>pong</Message></Response>`; the reply goes out as a SIP MESSAGE to the SMSC (a second sipp,
// answering 200), from our number to the handset, with the body "pong".
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { smscScenario } from '../inbound/smsc-scenario.js';
import { freePort, runSipp, startSipp, writeScenario } from '../sip/sipp.js';
import { apiClient, OUR_NUMBER, serviceEnv, startInProcess, waitFor } from './e2e-harness.js';
import { ANSWER_ANYTHING, headerValue, messageArrivals, parseSippTrace } from './sipp-trace.js';
import { startWebhookRecorder } from './webhook-recorder.js';

const HANDSET = '447700900123';
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('answers an MO with the TwiML <Message> as a SIP MESSAGE to the SMSC, from our number to the handset', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const app = await startWebhookRecorder({ twiml: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>pong</Message></Response>' });
  cleanup.push(() => app.stop());
  const traceFile = join(await mkdtemp(join(tmpdir(), 'e2e-twiml-')), 'messages.log');
  const smscIn = await startSipp({
    scenario: await writeScenario(ANSWER_ANYTHING), transport: 'udp', calls: 1_000, timeoutS: 60,
    extraArgs: ['-trace_msg', '-message_file', traceFile],
  });
  cleanup.push(async () => {
    smscIn.kill();
    await smscIn.done;
  });
  const sipPort = await freePort('udp');
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smscIn.port, extra: { SMSC_RECEIPTS: 'false' } }));
  cleanup.push(() => service.close());
  expect((await apiClient(service.url).createNumber({ PhoneNumber: OUR_NUMBER, SmsUrl: `${app.url}/sms` })).status).toBe(201);

  const mo = await runSipp({
    scenario: await writeScenario(smscScenario({
      messages: [{ toUser: OUR_NUMBER.slice(1), fromUser: HANDSET, headerLines: ['X-SMS-CODING: 0'], body: 'ping', expectStatus: 200 }],
    })),
    transport: 'udp',
    remote: `127.0.0.1:${sipPort}`,
  });
  expect(mo.exitCode, mo.errors + mo.stderr).toBe(0);

  const webhook = await waitFor('the inbound webhook', () => app.requests().find((r) => r.path === '/sms'));
  expect(webhook.params).toMatchObject({ From: `+${HANDSET}`, To: OUR_NUMBER, Body: 'ping' });

  const [reply] = await waitFor('the reply at the SMSC', async () => {
    const found = messageArrivals(parseSippTrace(await readFile(traceFile, 'utf8').catch(() => '')));
    return found.length > 0 ? found : undefined;
  });
  expect(reply!.body).toBe('pong');
  expect(reply!.startLine).toMatch(new RegExp(`^MESSAGE sip:${HANDSET}@127\\.0\\.0\\.1:${smscIn.port}[;> ]`));
  expect(headerValue(reply!, 'To')).toMatch(new RegExp(`^<sip:${HANDSET}@127\\.0\\.0\\.1:${smscIn.port}[;>]`));
  expect(headerValue(reply!, 'From')).toMatch(new RegExp(`^<sip:${OUR_NUMBER.slice(1)}@127\\.0\\.0\\.1:${sipPort}>;tag=`));
  expect(headerValue(reply!, 'X-SMS-CODING')).toBe('0');

  // The reply is a message of its own, linked to nothing but the conversation, and recorded as sent.
  const rows = await waitFor('the reply row to be sent', async () => {
    const found = await service.db.query<{ direction: string; status: string; from_address: string; to_address: string; body: string }>(
      `SELECT direction, status, from_address, to_address, body FROM messages ORDER BY date_created`,
    );
    return found.some((r) => r.direction === 'outbound-reply' && r.status === 'sent') ? found : undefined;
  });
  expect(rows).toEqual([
    { direction: 'inbound', status: 'received', from_address: `+${HANDSET}`, to_address: OUR_NUMBER, body: 'ping' },
    { direction: 'outbound-reply', status: 'sent', from_address: OUR_NUMBER, to_address: `+${HANDSET}`, body: 'pong' },
  ]);
  expect(messageArrivals(parseSippTrace(await readFile(traceFile, 'utf8')))).toHaveLength(1);
});
