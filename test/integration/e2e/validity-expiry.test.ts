// Issue 6, "Done when" 2: a message with ValidityPeriod=2 towards a silent SMSC ends `failed` with 30001, and
// its status callback carries ErrorCode=30001 to the customer's receiver.
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

it('fails a message whose validity ends while the SMSC is silent, with 30001 in the row and the callback', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const receiver = await startWebhookRecorder();
  cleanup.push(() => receiver.stop());
  const sipPort = await freePort('udp');
  const smsc = await startSimulator({ servicePort: sipPort, policy: { answer: 'silence' } });
  cleanup.push(() => smsc.stop());
  const service = await startInProcess(serviceEnv({ databaseUrl: testDb.url, sipPort, smscPort: smsc.port }));
  cleanup.push(() => service.close());
  const api = apiClient(service.url);
  expect((await api.createNumber({ PhoneNumber: OUR_NUMBER })).status).toBe(201);

  const created = await api.createMessage({
    To: '+447700900123', From: OUR_NUMBER, Body: 'too late', ValidityPeriod: '2', StatusCallback: `${receiver.url}/status`,
  });
  expect(created.status).toBe(201);
  const sid = String(created.body.sid);

  const failed = await waitFor('the message to fail', async () => {
    const fetched = await api.fetchMessage(sid);
    return fetched.body.status === 'failed' ? fetched.body : undefined;
  }, { timeoutMs: 15_000 });
  expect(failed).toMatchObject({ status: 'failed', error_code: 30001 });
  // It was really tried: the SMSC saw the body (and never answered).
  expect(smsc.received().map((m) => [m.text, m.outcome.kind])).toContainEqual(['too late', 'silence']);

  const callback = await waitFor('the failed status callback', () =>
    receiver.requests().find((r) => r.params.MessageSid === sid && r.params.MessageStatus === 'failed'));
  expect(callback).toMatchObject({ path: '/status', params: { MessageStatus: 'failed', ErrorCode: '30001', AccountSid: expect.any(String) } });
  // No callback claims the message was sent.
  expect(receiver.requests().filter((r) => r.params.MessageSid === sid).map((r) => r.params.MessageStatus)).toEqual(['failed']);
});
