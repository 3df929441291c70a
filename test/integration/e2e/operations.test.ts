// Issue 6 "Operations": /healthz, /readyz (database + SIP transport; SMSC reachability from the OPTIONS probe is
// reported but never makes the service unready) and Prometheus /metrics after one message went through.
import { afterEach, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/test-database.js';
import { freePort } from '../sip/sipp.js';
import { apiClient, OUR_NUMBER, serviceEnv, startInProcess, startSimulator, waitFor } from './e2e-harness.js';
import { startWebhookRecorder } from './webhook-recorder.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('reports readiness and SMSC reachability, and exposes the pipeline in /metrics', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const receiver = await startWebhookRecorder();
  cleanup.push(() => receiver.stop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: {} });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port }));
  cleanup.push(() => service.close());

  expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ status: 'ok' });
  const ready = await waitFor('the first SMSC probe', async () => {
    const body = (await (await fetch(`${service.url}/readyz`)).json()) as { smsc: { reachable: boolean | null } };
    return body.smsc.reachable === null ? undefined : body;
  }, { timeoutMs: 10_000 });
  expect(ready).toMatchObject({ status: 'ready', database: true, sip: true, smsc: { reachable: true, last_status: 200 } });

  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);
  const created = await api.createMessage({ To: '+447700900123', From: OUR_NUMBER, Body: 'metrics', StatusCallback: `${receiver.url}/status` });
  await waitFor('the message to be delivered', async () =>
    (await api.fetchMessage(String(created.body.sid))).body.status === 'delivered' ? true : undefined, { timeoutMs: 15_000 });
  // The outbox records a callback once its attempt is over: wait until the outbox counters have both.
  const outboxSucceeded = (text: string) => /^smsc_webhook_outbox_events_total\{event="succeeded"\} 2$/m.test(text);
  await waitFor('both status callbacks', async () =>
    receiver.requests().length === 2 && outboxSucceeded(await (await fetch(`${service.url}/metrics`)).text()) ? true : undefined, { timeoutMs: 15_000 });

  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  expect(text).toContain('smsc_messages{direction="outbound-api",status="delivered"} 1');
  expect(text).toContain('smsc_submissions_total{route="sip",outcome="accepted",code="200"} 1');
  expect(text).toContain('smsc_send_duration_seconds_count{route="sip",outcome="accepted"} 1');
  expect(text).toContain('smsc_outbound_queue_depth{state="queued"} 0');
  expect(text).toContain('smsc_reachable 1');
  expect(text).toMatch(/^smsc_dispatcher_events_total\{event="sent"\} 1$/m);
  // The callbacks (sent, delivered) had their first attempt in the outbox runner, not the retry worker.
  expect(outboxSucceeded(text)).toBe(true);
  expect(text).toMatch(/^smsc_webhook_deliveries_total\{event="claimed"\} 0$/m);
  expect(text).toMatch(/^smsc_webhook_outbox_in_flight 0$/m);
  // HTTP requests by route pattern (never the raw URL with its SIDs) and status.
  expect(text).toContain('http_requests_total{method="POST",route="/2010-04-01/Accounts/:AccountSid/Messages.json",status="201",code=""} 1');
  expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/2010-04-01\/Accounts\/:AccountSid\/Messages\/:Sid.json",status="200"\} \d+$/m);
  expect(text).not.toContain(String(created.body.sid));
});

it('stays ready while the SMSC does not answer, and says so', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 'silence' } });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port }));
  cleanup.push(() => service.close());
  const ready = await waitFor('the first SMSC probe to time out', async () => {
    const response = await fetch(`${service.url}/readyz`);
    const body = (await response.json()) as { smsc: { reachable: boolean | null } };
    return body.smsc.reachable === null ? undefined : { status: response.status, body };
  }, { timeoutMs: 15_000 });
  expect(ready).toMatchObject({ status: 200, body: { status: 'ready', smsc: { reachable: false } } });
});
