import { describe, expect, it } from 'vitest';
import { sipHeaderParams, smppXHeaders } from './sip-header-params.js';

describe('sipHeaderParams', () => {
  it('gives one SipHeader_<Name> per X- header, names as received, and nothing for other headers', () => {
    expect(sipHeaderParams({ 'X-SMS-CODING': '0', 'x-smsc-id': 'esme', Via: 'v', 'Content-Type': 't' }))
      .toEqual({ 'SipHeader_X-SMS-CODING': '0', 'SipHeader_x-smsc-id': 'esme' });
    expect(sipHeaderParams(null)).toEqual({});
  });
});

describe('smppXHeaders', () => {
  it('names the bind, the coding and the UDH as the SMSC would over SIP', () => {
    expect(smppXHeaders({ systemId: 'smsc-connect', coding: 2, udhHex: '050003A70201' }))
      .toEqual({ 'X-SMSC-ID': 'smsc-connect', 'X-SMS-CODING': '2', 'X-SMS-UDH': '050003A70201' });
    expect(smppXHeaders({ systemId: 's', coding: 0, udhHex: null })).toEqual({ 'X-SMSC-ID': 's', 'X-SMS-CODING': '0' });
  });
});
