import { describe, expect, it } from 'vitest';
import type { OutboundSms } from '../messaging/smsc-gateway.js';
import { SmppCommandError, SmppConnectionError } from './errors.js';
import type { EsmeClient } from './esme-session.js';
import { createSmppGateway } from './smpp-gateway.js';
import type { SubmitSmParams } from './submit-builder.js';

type Answer = string | Error;

/** An EsmeClient that answers each submit from a script and records what it was given. */
function scriptedClient(answers: Answer[], bound = true) {
  const submitted: SubmitSmParams[] = [];
  const client = {
    start: async () => undefined,
    stop: async () => undefined,
    isBound: () => bound,
    onDeliver: () => undefined,
    async submit(params: SubmitSmParams) {
      submitted.push(params);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('unexpected submit');
      if (answer instanceof Error) throw answer;
      return { messageId: answer };
    },
  } satisfies EsmeClient;
  return { client, submitted };
}

const message: OutboundSms = {
  sid: 'SM00000000000000000000000000000001', accountSid: 'AC00000000000000000000000000000001',
  to: '+447700900123', from: '+15005550006', body: 'Hello', coding: 0, udh: null, messageClass: null, validUntil: null,
  receiptRequested: true,
};
const long = { ...message, body: 'x'.repeat(200) };
const options = { longMessageMode: 'udh' as const, bodyEncoding: 'utf-8' as const };

describe('createSmppGateway', () => {
  it('returns the SMSC id of every part in part order', async () => {
    const { client, submitted } = scriptedClient(['0000000007', '0000000008']);
    const result = await createSmppGateway({ clients: [client], ...options }).submit(long);
    expect(result).toEqual({ kind: 'accepted', smscMessageIds: ['0000000007', '0000000008'], detail: { parts: 2, smscMessageIds: ['0000000007', '0000000008'] } });
    expect(submitted.map((p) => [p.esm_class, p.registered_delivery, p.short_message.subarray(0, 6).toString('hex')])).toEqual([
      [0x40, 1, expect.stringMatching(/^050003..0201$/)],
      [0x40, 1, expect.stringMatching(/^050003..0202$/)],
    ]);
  });

  it('sends one message_payload PDU in payload mode', async () => {
    const { client, submitted } = scriptedClient(['42']);
    const result = await createSmppGateway({ clients: [client], longMessageMode: 'payload', bodyEncoding: 'utf-8' }).submit(long);
    expect(result.kind === 'accepted' && result.smscMessageIds).toEqual(['42']);
    expect(submitted[0]?.message_payload?.toString('utf8')).toBe('x'.repeat(200));
    expect(submitted[0]?.short_message.length).toBe(0);
  });

  it('stops at a throttled part and asks for a retry', async () => {
    const { client, submitted } = scriptedClient(['1', new SmppCommandError({ command: 'submit_sm', commandStatus: 0x58 })]);
    const result = await createSmppGateway({ clients: [client], ...options }).submit(long);
    expect(result).toEqual({
      kind: 'temporary-failure', reason: 'submit_sm rejected with ESME_RTHROTTLED (0x58)',
      detail: { parts: 2, acceptedParts: ['1'], failedPart: 2, commandStatus: 0x58, commandStatusName: 'ESME_RTHROTTLED' },
    });
    expect(submitted).toHaveLength(2);
  });

  it('fails for good on a permanent command_status, with the table\'s Twilio code', async () => {
    const { client } = scriptedClient([new SmppCommandError({ command: 'submit_sm', commandStatus: 0x0b })]);
    const result = await createSmppGateway({ clients: [client], ...options }).submit(message);
    expect(result).toMatchObject({
      kind: 'permanent-failure', errorCode: 30005, errorMessage: 'Unknown destination handset (submit_sm ESME_RINVDSTADR)',
    });
  });

  it('reports a dropped link as temporary and says the part may have been accepted', async () => {
    const { client } = scriptedClient([new SmppConnectionError({ reason: 'socket closed', sent: true })]);
    const result = await createSmppGateway({ clients: [client], ...options }).submit(message);
    expect(result).toEqual({
      kind: 'temporary-failure', reason: 'SMPP connection lost: socket closed',
      detail: { parts: 1, acceptedParts: [], failedPart: 1, smppError: 'SMPP_CONNECTION_LOST', mayHaveBeenAccepted: true },
    });
  });

  it('spreads messages over the bound sessions and skips unbound ones', async () => {
    const a = scriptedClient(['a1', 'a2']);
    const down = scriptedClient([], false);
    const b = scriptedClient(['b1']);
    const gateway = createSmppGateway({ clients: [a.client, down.client, b.client], ...options });
    expect(gateway.isReady()).toBe(true);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const result = await gateway.submit(message);
      ids.push(result.kind === 'accepted' ? result.smscMessageIds[0] : result.kind);
    }
    expect(ids).toEqual(['a1', 'b1', 'a2']);
    expect(down.submitted).toEqual([]);
  });

  it('is not ready and fails temporarily with no bound session', async () => {
    const gateway = createSmppGateway({ clients: [scriptedClient([], false).client], ...options });
    expect(gateway.isReady()).toBe(false);
    expect(await gateway.submit(message)).toEqual({ kind: 'temporary-failure', reason: 'no bound SMPP session', detail: { parts: 1 } });
  });

  it('refuses what cannot be encoded, and sets the message class in data_coding', async () => {
    const { client, submitted } = scriptedClient(['9']);
    const gateway = createSmppGateway({ clients: [client], ...options });
    expect(await gateway.submit({ ...message, to: 'not a number!' })).toMatchObject({ kind: 'permanent-failure', errorCode: 30008, detail: { encodeError: 'INVALID_ADDRESS' } });
    expect(await gateway.submit({ ...message, coding: 1, body: 'ff00' })).toMatchObject({ kind: 'permanent-failure', errorCode: 30008, detail: { encodeError: 'binary' } });
    await gateway.submit({ ...message, coding: 2, messageClass: 0 });
    expect(submitted.map((p) => p.data_coding)).toEqual([0x18]);
  });
});
