import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { ApplyReceiptResult } from '../messaging/apply-receipt.js';
import type { ReceiveSmsOptions, ReceiveSmsResult } from '../messaging/receive-sms.js';
import type { Database } from '../store/database.js';
import { createSipInboundHandler, requestKeyOf, type InboundUseCases } from './inbound-handler.js';
import type { IncomingSipMessage } from './port.js';

const RECEIPT = 'id:0000012345 sub:001 dlvrd:001 submit date:2406151437 done date:2406151438 stat:DELIVRD err:000 text:Hello world';

function sipMessage(overrides: { headers?: Array<[string, string]>; body?: string | Buffer; from?: string } = {}): IncomingSipMessage {
  return {
    method: 'MESSAGE',
    requestUri: 'sip:14155550100@127.0.0.1:5070',
    from: overrides.from ?? '<sip:447700900123@127.0.0.1:5060>',
    to: '<sip:14155550100@127.0.0.1:5070>',
    fromUser: '447700900123',
    toUser: '14155550100',
    callId: 'abc@127.0.0.1',
    cseq: '2 MESSAGE',
    headers: overrides.headers ?? [['X-SMS-CODING', '0'], ['X-SMSC-ID', 'esme1'], ['X-DELIVERY_TIME', '02024-37-15 02:37:05']],
    body: Buffer.isBuffer(overrides.body) ? overrides.body : Buffer.from(overrides.body ?? 'Hello there', 'utf8'),
    source: { transport: 'udp', address: '127.0.0.1', port: 5060 },
  };
}

/** A fake of the two use cases, recording their calls and answering what the test says. */
function fakeUseCases(answers: { sms?: ReceiveSmsResult | Error; receipt?: ApplyReceiptResult | Error }) {
  const smsCalls: ReceiveSmsOptions[] = [];
  const receiptCalls: Array<{ rawText: string; fromUser: string; toUser: string }> = [];
  const settle = <T>(answer: T | Error | undefined): Promise<T> => {
    if (answer === undefined) return Promise.reject(new Error('unexpected call'));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const useCases = {
    receiveSms: async (options: ReceiveSmsOptions) => {
      smsCalls.push(options);
      return settle(answers.sms);
    },
    applySipReceipt: async (options: { rawText: string; fromUser: string; toUser: string }) => {
      receiptCalls.push({ rawText: options.rawText, fromUser: options.fromUser, toUser: options.toUser });
      return settle(answers.receipt);
    },
  } satisfies InboundUseCases;
  return { useCases, smsCalls, receiptCalls };
}

function handlerWith(fake: ReturnType<typeof fakeUseCases>, extra: { unknownNumberStatus?: number; onStored?: () => void; maxInFlight?: number } = {}) {
  return createSipInboundHandler({
    db: {} as Database,
    logger: pino({ level: 'silent' }),
    bodyCharset: { 0: 'utf-8', 1: 'binary', 2: 'utf-8' },
    unknownNumberStatus: extra.unknownNumberStatus ?? 604,
    reassemblyTimeoutMs: 300_000,
    useCases: fake.useCases,
    ...(extra.onStored ? { onStored: extra.onStored } : {}),
    ...(extra.maxInFlight === undefined ? {} : { maxInFlight: extra.maxInFlight }),
  });
}

describe('createSipInboundHandler', () => {
  it('answers 200 for a stored message, passes every decoded field on and calls onStored', async () => {
    const fake = fakeUseCases({ sms: { outcome: 'stored', messageSid: 'SM' + '0'.repeat(32) } });
    const onStored = vi.fn();
    const reply = await handlerWith(fake, { onStored })(sipMessage());
    expect(reply).toEqual({ status: 200, reason: 'OK' });
    expect(onStored).toHaveBeenCalledTimes(1);
    expect(fake.smsCalls).toEqual([{
      fromUser: '447700900123', toUser: '14155550100', text: 'Hello there', payload: Buffer.from('Hello there'), decodeError: null,
      coding: 0, udhHex: null, smscId: 'esme1',
      deliveryTime: '02024-37-15 02:37:05', requestKey: 'abc@127.0.0.1|2 MESSAGE|<sip:447700900123@127.0.0.1:5060>',
      route: 'sip', reassemblyTimeoutMs: 300_000,
      sipXHeaders: { 'X-SMS-CODING': '0', 'X-SMSC-ID': 'esme1', 'X-DELIVERY_TIME': '02024-37-15 02:37:05' },
    }]);
  });

  it.each<ReceiveSmsResult>([{ outcome: 'part-stored' }, { outcome: 'duplicate', messageSid: 'SMx' }, { outcome: 'duplicate' }])(
    'answers 200 for %o without announcing anything',
    async (sms) => {
      const onStored = vi.fn();
      expect(await handlerWith(fakeUseCases({ sms }), { onStored })(sipMessage())).toEqual({ status: 200, reason: 'OK' });
      expect(onStored).not.toHaveBeenCalled();
    },
  );

  it('answers the configured permanent status for an unknown number', async () => {
    const fake = fakeUseCases({ sms: { outcome: 'unknown-number' } });
    expect(await handlerWith(fake)(sipMessage())).toEqual({ status: 604, reason: 'Does Not Exist Anywhere' });
    expect(await handlerWith(fake, { unknownNumberStatus: 500 })(sipMessage())).toEqual({ status: 500, reason: 'Server Internal Error' });
    expect(await handlerWith(fake, { unknownNumberStatus: 699 })(sipMessage())).toEqual({ status: 699, reason: 'Unknown Number' });
  });

  it('answers 480 at once beyond maxInFlight MESSAGEs being stored, and accepts again when one finishes', async () => {
    const releases: Array<() => void> = [];
    const calls: ReceiveSmsOptions[] = [];
    const useCases = {
      receiveSms: (options: ReceiveSmsOptions) => {
        calls.push(options);
        return new Promise<ReceiveSmsResult>((resolve) => releases.push(() => resolve({ outcome: 'stored', messageSid: 'SM1' })));
      },
      applySipReceipt: () => Promise.reject(new Error('unexpected call')),
    } satisfies InboundUseCases;
    const handler = handlerWith({ useCases, smsCalls: [], receiptCalls: [] }, { maxInFlight: 2 });
    const first = handler(sipMessage());
    const second = handler(sipMessage());
    expect(await handler(sipMessage())).toEqual({ status: 480, reason: 'Temporarily Unavailable' });
    expect(calls).toHaveLength(2);
    releases[0]?.();
    expect(await first).toEqual({ status: 200, reason: 'OK' });
    const fourth = handler(sipMessage());
    releases[1]?.();
    releases[2]?.();
    expect(await Promise.all([second, fourth])).toEqual([{ status: 200, reason: 'OK' }, { status: 200, reason: 'OK' }]);
    expect(calls).toHaveLength(3);
  });

  it('answers 480, never a 5xx, when storing fails (the SMSC must retry)', async () => {
    const fake = fakeUseCases({ sms: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
    expect(await handlerWith(fake)(sipMessage())).toEqual({ status: 480, reason: 'Temporarily Unavailable' });
  });

  it('answers 606 (final at the SMSC) with a Reason header for an SMS it will never store, without calling a use case', async () => {
    const fake = fakeUseCases({});
    const reply = await handlerWith(fake)(sipMessage({ headers: [['X-SMS-CODING', '8']] }));
    expect(reply).toEqual({
      status: 606,
      reason: 'Not Acceptable',
      headers: [['Reason', `SIP;cause=606;text="X-SMS-CODING: '8' is not 0, 1 or 2"`]],
    });
    expect(fake.smsCalls).toHaveLength(0);
  });

  it.each(['garbage', '<sip:@x>', '<sip:x.example>'])('answers 400 for From: %s and stores nothing', async (from) => {
    const fake = fakeUseCases({ sms: { outcome: 'stored', messageSid: 'SMz' } });
    const reply = await handlerWith(fake)(sipMessage({ from }));
    expect(reply.status).toBe(400);
    expect(reply.headers?.[0]?.[1]).toMatch(/^SIP;cause=400;text="From: /);
    expect(fake.smsCalls).toHaveLength(0);
  });

  it('hands 8-bit data holding 0x00 on as its exact bytes, and text holding U+0000 too (never a 4xx)', async () => {
    const fake = fakeUseCases({ sms: { outcome: 'stored', messageSid: 'SMb' } });
    const binary = Buffer.from('0605040b8423f0000102ff', 'hex');
    expect(await handlerWith(fake)(sipMessage({ body: binary, headers: [['X-SMS-CODING', '1']] }))).toEqual({ status: 200, reason: 'OK' });
    expect(await handlerWith(fake)(sipMessage({ body: Buffer.from('a\u0000b') }))).toEqual({ status: 200, reason: 'OK' });
    expect(fake.smsCalls.map((call) => [call.coding, Buffer.from(call.payload).toString('hex'), call.text])).toEqual([
      [1, '0605040b8423f0000102ff', binary.toString('latin1')],
      [0, '610062', 'a\u0000b'],
    ]);
  });

  it('treats text holding a NUL that otherwise spells a receipt as a message', async () => {
    const fake = fakeUseCases({ sms: { outcome: 'stored', messageSid: 'SMn' } });
    await handlerWith(fake)(sipMessage({ body: RECEIPT.replace('Hello', 'He\u0000llo') }));
    expect(fake.receiptCalls).toHaveLength(0);
    expect(fake.smsCalls).toHaveLength(1);
  });

  it('hands a receipt body to the receipt use case with the SIP users, and answers 200 even when unmatched', async () => {
    const fake = fakeUseCases({ receipt: { outcome: 'unmatched', receiptId: '7' } });
    expect(await handlerWith(fake)(sipMessage({ body: RECEIPT }))).toEqual({ status: 200, reason: 'OK' });
    expect(fake.receiptCalls).toEqual([{ rawText: RECEIPT, fromUser: '447700900123', toUser: '14155550100' }]);
    expect(fake.smsCalls).toHaveLength(0);
  });

  it('answers 480 when a receipt cannot be stored', async () => {
    const fake = fakeUseCases({ receipt: new Error('database is down') });
    expect(await handlerWith(fake)(sipMessage({ body: RECEIPT }))).toEqual({ status: 480, reason: 'Temporarily Unavailable' });
  });

  it('treats 8-bit data that happens to spell a receipt as a message', async () => {
    const fake = fakeUseCases({ sms: { outcome: 'stored', messageSid: 'SMy' } });
    await handlerWith(fake)(sipMessage({ body: RECEIPT, headers: [['X-SMS-CODING', '1']] }));
    expect(fake.receiptCalls).toHaveLength(0);
    expect(fake.smsCalls).toHaveLength(1);
  });
});

describe('requestKeyOf', () => {
  it('joins Call-ID, CSeq and From, so a new branch of the same request gives the same key', () => {
    expect(requestKeyOf({ callId: 'c1', cseq: ' 2 MESSAGE', from: '<sip:1@h> ' })).toBe('c1|2 MESSAGE|<sip:1@h>');
  });
});
