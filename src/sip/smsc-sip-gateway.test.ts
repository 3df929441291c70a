import { describe, expect, it } from 'vitest';
import type { OutboundSms } from '../messaging/smsc-gateway.js';
import type { OutgoingSipMessage, SipFinalResponse, SipPort } from './port.js';
import { createSipSmscGateway } from './smsc-sip-gateway.js';

/** A SipPort double that answers each request with the next scripted response (or throws). */
function scriptedPort(answers: Array<SipFinalResponse | Error>) {
  const sent: Array<{ message: OutgoingSipMessage; timeoutMs: number | undefined }> = [];
  const port: SipPort = {
    name: 'native',
    start: async () => undefined,
    stop: async () => undefined,
    isReady: () => true,
    onMessage: () => undefined,
    async request(_method, message, options) {
      sent.push({ message, timeoutMs: options?.timeoutMs });
      const answer = answers.shift();
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer scripted');
      return answer;
    },
  };
  return { port, sent };
}

const sms: OutboundSms = {
  sid: 'SM1', accountSid: 'AC1', to: '+447700900123', from: '+447700900456', body: 'Привет', coding: 2, udh: null,
  messageClass: null, validUntil: null, receiptRequested: true,
};

function gatewayFor(answers: Array<SipFinalResponse | Error>) {
  const { port, sent } = scriptedPort(answers);
  const gateway = createSipSmscGateway({ sip: port, smscUri: 'sip:127.0.0.1:5060', localHostPort: '127.0.0.1:5070', sendValidity: false, requestTimeoutMs: 4000 });
  return { gateway, sent };
}

describe('SIP SMSC gateway', () => {
  it('sends the MESSAGE built by the header codec and maps 200 to accepted', async () => {
    const { gateway, sent } = gatewayFor([{ status: 200, reason: 'OK', headers: [], local: false }]);
    expect(await gateway.submit(sms)).toEqual({ kind: 'accepted', smscMessageIds: [], detail: { sipStatus: 200, sipReason: 'OK', local: false } });
    expect(sent[0]?.timeoutMs).toBe(4000);
    expect(sent[0]?.message).toMatchObject({
      requestUri: 'sip:447700900123@127.0.0.1:5060',
      from: 'sip:447700900456@127.0.0.1:5070',
      headers: [['X-SMS-CODING', '2'], ['X-REG-DELIVERY', '1']],
    });
    expect(sent[0]?.message.body.toString('utf8')).toBe('Привет');
  });

  it('maps 500 to a permanent 30008 and a local 408 to a retry', async () => {
    const { gateway } = gatewayFor([
      { status: 500, reason: 'Server Internal Error', headers: [], local: false },
      { status: 408, reason: 'Request Timeout', headers: [], local: true },
    ]);
    expect(await gateway.submit(sms)).toMatchObject({ kind: 'permanent-failure', errorCode: 30008 });
    expect(await gateway.submit(sms)).toMatchObject({ kind: 'temporary-failure', reason: 'no response (408 Request Timeout)' });
  });

  it('retries when the request cannot be sent at all', async () => {
    const { gateway } = gatewayFor([new Error('transport not started')]);
    expect(await gateway.submit(sms)).toEqual({
      kind: 'temporary-failure',
      reason: 'SIP request not sent: transport not started',
      detail: { transportError: 'transport not started' },
    });
  });

  it('fails permanently, without sending, a message the SMSC cannot be given', async () => {
    const { gateway, sent } = gatewayFor([]);
    const outcome = await gateway.submit({ ...sms, to: '+44 7700 900123' });
    expect(outcome).toMatchObject({ kind: 'permanent-failure', errorCode: 30008 });
    expect(sent).toHaveLength(0);
  });
});
