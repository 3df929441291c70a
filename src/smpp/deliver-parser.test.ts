import { describe, expect, it } from 'vitest';
import vectors from '../encoding/fixtures/vectors.json' with { type: 'json' };
import { parseDeliverSm, type MoDeliver, type ReceiptDeliver } from './deliver-parser.js';
import { createPdu, decodePdu } from './smpp-lib.js';

/** Encodes then decodes, so the parser sees exactly what the library yields for bytes off the wire. */
function received(params: Record<string, unknown>): ReturnType<typeof decodePdu> {
  return decodePdu(createPdu('deliver_sm', { sequence_number: 5, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900123', dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: '40404', ...params }).toBuffer());
}

function mo(params: Record<string, unknown>, options = {}): MoDeliver {
  const parsed = parseDeliverSm(received(params), options);
  if (parsed.kind !== 'mo') throw new Error(`expected MO, got ${parsed.kind}`);
  return parsed;
}

describe('parseDeliverSm: receipts', () => {
  it('reads the cloudhopper real-world receipt (hex TLV id vs decimal text id, "@$" kept as ASCII)', () => {
    const parsed = parseDeliverSm(decodePdu(Buffer.from(vectors.dlr_pdu_vector.pdu_hex, 'hex'))) as ReceiptDeliver;
    expect(parsed).toMatchObject({
      kind: 'receipt',
      sequenceNumber: 2,
      source: { ton: 1, npi: 1, address: '44951361920' },
      destination: { ton: 1, npi: 1, address: '40404' },
      esmClass: 4,
      messageId: '38601fa',
      messageState: 2,
      stat: 'DELIVRD',
      err: '000',
      text: vectors.dlr_pdu_vector.decoded.short_message_bytes_as_latin1,
    });
    expect(parsed.receipt?.id).toBe('0059113978');
    expect(parsed.receipt?.text).toBe('@$#!%&/:');
    expect(parsed.messageIdCandidates.slice(0, 2)).toEqual(['38601fa', '0059113978']);
    expect(parsed.messageIdCandidates).toContain('59113978');
  });

  it('falls back to the text when there are no TLVs, and tests the type bits, not esm_class == 4', () => {
    const text = 'id:0000000042 sub:001 dlvrd:000 submit date:2506151430 done date:2506151431 stat:UNDELIV err:011 text:hello';
    const parsed = parseDeliverSm(received({ esm_class: 0x04 | 0x03, data_coding: 0, short_message: Buffer.from(text, 'latin1') }));
    expect(parsed).toMatchObject({ kind: 'receipt', messageId: '0000000042', messageState: 5, stat: 'UNDELIV', err: '011', networkErrorCode: null });
  });

  it('derives stat from message_state when the text is not a receipt', () => {
    const parsed = parseDeliverSm(received({ esm_class: 0x04, data_coding: 0, short_message: Buffer.from('gone'), receipted_message_id: 'abc', message_state: 8 }));
    expect(parsed).toMatchObject({ kind: 'receipt', messageId: 'abc', messageState: 8, stat: 'REJECTD', receipt: null, err: null });
  });
});

describe('parseDeliverSm: MO messages', () => {
  it('decodes a single GSM 7-bit message (unpacked septets)', () => {
    const parsed = mo({ esm_class: 0, data_coding: 0, short_message: Buffer.from('486911001b65', 'hex') });
    expect(parsed).toMatchObject({ kind: 'mo', text: 'Hi_@€', alphabet: 'gsm7', udh: null, concatenation: null, decodeError: null });
    expect(parsed.source).toEqual({ ton: 1, npi: 1, address: '447700900123' });
  });

  it('reads UDH concatenation (8-bit and 16-bit references) and strips the UDH from the text', () => {
    const eight = mo({ esm_class: 0x40, data_coding: 0, short_message: Buffer.from('0500032a03026869', 'hex') });
    expect(eight.concatenation).toEqual({ reference: 0x2a, total: 3, sequence: 2, referenceBits: 8, via: 'udh' });
    expect(eight.text).toBe('hi');
    expect(eight.udh?.bytes).toEqual(Uint8Array.from([5, 0, 3, 0x2a, 3, 2]));
    const sixteen = mo({ esm_class: 0x40, data_coding: 8, short_message: Buffer.from('06080412340201' + '0416', 'hex') });
    expect(sixteen.concatenation).toEqual({ reference: 0x1234, total: 2, sequence: 1, referenceBits: 16, via: 'udh' });
    expect(sixteen.text).toBe('Ж');
  });

  it('reads SAR TLVs as concatenation', () => {
    const parsed = mo({ esm_class: 0, data_coding: 0, short_message: Buffer.from('part'), sar_msg_ref_num: 0x0102, sar_total_segments: 2, sar_segment_seqnum: 2 });
    expect(parsed.concatenation).toEqual({ reference: 0x0102, total: 2, sequence: 2, referenceBits: 16, via: 'sar' });
  });

  it('ignores a concatenation IE with sequence > total (TS 23.040)', () => {
    expect(mo({ esm_class: 0x40, data_coding: 0, short_message: Buffer.from('050003010203' + '61', 'hex') }).concatenation).toBeNull();
  });

  it('ignores a concatenation IE with total 0 (TS 23.040), keeping the UDH it came in', () => {
    const parsed = mo({ esm_class: 0x40, data_coding: 4, short_message: Buffer.from('050003070001' + '00ff', 'hex') });
    expect(parsed.concatenation).toBeNull();
    expect(parsed.udhBytes?.toString('hex')).toBe('050003070001');
    expect(parsed.userData.toString('hex')).toBe('00ff');
  });

  it('ignores a UDH whose IEs overrun its length, but keeps its octets and still starts the text after it', () => {
    const parsed = mo({ esm_class: 0x40, data_coding: 0, short_message: Buffer.from('0300050161' + '6869', 'hex') });
    expect(parsed).toMatchObject({ udh: null, concatenation: null, text: 'ahi' });
    expect(parsed.udhBytes?.toString('hex')).toBe('03000501');
  });

  it('keeps 8-bit user data holding 0x00 exactly, after the UDH', () => {
    const parsed = mo({ esm_class: 0x40, data_coding: 4, short_message: Buffer.from('0605040b8423f0' + '0001020000ff', 'hex') });
    expect(parsed).toMatchObject({ alphabet: 'binary', concatenation: null, decodeError: null });
    expect([parsed.udhBytes?.toString('hex'), parsed.userData.toString('hex')]).toEqual(['0605040b8423f0', '0001020000ff']);
  });

  it('follows the SMSC byte convention: RestComm sends UTF-8 under dc 0 and dc 8', () => {
    expect(mo({ data_coding: 0, short_message: Buffer.from('Grüße 😀') }, { bodyEncoding: 'utf-8' })).toMatchObject({ text: 'Grüße 😀', alphabet: 'utf-8' });
    expect(mo({ data_coding: 8, short_message: Buffer.from('Жж') }, { bodyEncoding: 'utf-8' }).text).toBe('Жж');
  });

  it('uses message_payload when short_message is empty', () => {
    const parsed = mo({ data_coding: 8, short_message: Buffer.alloc(0), message_payload: Buffer.from('d83dde00', 'hex') });
    expect(parsed.text).toBe('😀');
  });

  it('reads GSM coding-group data_coding values (0xF0 class 0 default alphabet, 0xF4 8-bit)', () => {
    expect(mo({ data_coding: 0xf0, short_message: Buffer.from('4869', 'hex') })).toMatchObject({ text: 'Hi', alphabet: 'gsm7' });
    expect(mo({ data_coding: 0xf4, short_message: Buffer.from('ff01', 'hex') })).toMatchObject({ alphabet: 'binary', userData: Buffer.from('ff01', 'hex') });
  });

  it('never throws on undecodable bytes: Latin-1 text plus the decode error', () => {
    const parsed = mo({ data_coding: 0, short_message: Buffer.from('41ff', 'hex') });
    expect(parsed.text).toBe('A\u00ff');
    expect(parsed.decodeError).toBe('octet 0xFF at index 1 is not a GSM-7 septet (0x00-0x7F)');
  });
});
