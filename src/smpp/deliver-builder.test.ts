import { describe, expect, it } from 'vitest';
import { buildMoDelivers, buildReceiptDeliver } from './deliver-builder.js';
import { parseDeliverSm } from './deliver-parser.js';
import { createPdu, decodePdu } from './smpp-lib.js';

const roundTrip = (params: object): ReturnType<typeof parseDeliverSm> =>
  parseDeliverSm(decodePdu(createPdu('deliver_sm', { ...params, sequence_number: 1 }).toBuffer()));

describe('buildReceiptDeliver', () => {
  const input = {
    messageId: '0000000001',
    originalFrom: '+15005550006',
    originalTo: '+447700900123',
    stat: 'DELIVRD',
    submitDate: new Date('2025-06-15T14:30:10Z'),
    doneDate: new Date('2025-06-15T14:31:00Z'),
    originalText: 'Hello from smsc-connect, a long text',
  };

  it('writes RestComm-style Appendix B text, TLVs and reversed addresses', () => {
    const params = buildReceiptDeliver(input);
    expect(params.short_message.toString('latin1')).toBe(
      'id:0000000001 sub:001 dlvrd:001 submit date:2506151430 done date:2506151431 stat:DELIVRD err:000 text:Hello from smsc-conn',
    );
    expect(params).toMatchObject({
      esm_class: 0x04, data_coding: 0, receipted_message_id: '0000000001', message_state: 2,
      source_addr: '447700900123', destination_addr: '15005550006',
    });
  });

  it('is read back by the parser', () => {
    expect(roundTrip(buildReceiptDeliver({ ...input, stat: 'UNDELIV', err: '011' }))).toMatchObject({
      kind: 'receipt', messageId: '0000000001', messageState: 5, stat: 'UNDELIV', err: '011',
    });
  });

  it('rejects an unknown stat', () => {
    expect(() => buildReceiptDeliver({ ...input, stat: 'DONE' })).toThrow('unknown receipt stat DONE');
  });
});

describe('buildMoDelivers', () => {
  const mo = { from: '+447700900123', to: '40404', coding: 0 as const, longMessageMode: 'udh' as const, bodyEncoding: 'gsm7' as const };

  it('carries SAR TLVs instead of a UDH in sar mode', () => {
    const parts = buildMoDelivers({ ...mo, text: 'a'.repeat(161), concatenation: 'sar', concatReference: 7 });
    expect(parts.map((p) => [p.esm_class, p.short_message.length, p.sar_msg_ref_num, p.sar_total_segments, p.sar_segment_seqnum]))
      .toEqual([[0, 153, 7, 2, 1], [0, 8, 7, 2, 2]]);
    expect(roundTrip(parts[1] as object)).toMatchObject({
      kind: 'mo', text: 'a'.repeat(8), concatenation: { reference: 7, total: 2, sequence: 2, referenceBits: 16, via: 'sar' },
    });
  });

  it('keeps the 16-bit reference in sar mode', () => {
    const parts = buildMoDelivers({ ...mo, text: 'a'.repeat(161), concatenation: 'sar', concatReference: 0xbeef, concatReferenceBits: 16 });
    expect(parts.map((p) => p.sar_msg_ref_num)).toEqual([0xbeef, 0xbeef]);
  });

  it('uses UDH parts by default', () => {
    const parts = buildMoDelivers({ ...mo, text: 'a'.repeat(161), concatReference: 3 });
    expect(roundTrip(parts[0] as object)).toMatchObject({
      kind: 'mo', text: 'a'.repeat(153), concatenation: { reference: 3, total: 2, sequence: 1, referenceBits: 8, via: 'udh' },
    });
  });
});
