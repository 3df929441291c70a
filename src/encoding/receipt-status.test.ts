import { describe, expect, it } from 'vitest';
import { mapReceiptStatus, twilioDeliveryErrorMessage } from './receipt-status.js';

describe('mapReceiptStatus: the documented table', () => {
  it.each([
    ['DELIVRD', '000', 'delivered', null, null, true],
    ['delivrd', '000', 'delivered', null, null, true],
    ['DELIVERED', '0', 'delivered', null, null, true],
    ['ENROUTE', '000', 'sent', null, null, false],
    ['ENROUTE', '008', 'sent', null, null, false], // Restcomm: temporary failure, retries continue
    ['ACCEPTD', '000', 'sent', null, null, false],
    ['EXPIRED', '000', 'undelivered', 30003, 'Unreachable destination handset', true],
    ['REJECTD', '000', 'undelivered', 30007, 'Message filtered', true],
    ['DELETED', '000', 'undelivered', 30008, 'Unknown error', true],
    ['UNKNOWN', '000', 'undelivered', 30008, 'Unknown error', true],
    ['SKIPPED', '000', 'undelivered', 30008, 'Unknown error', true],
    ['UNDELIV', '001', 'undelivered', 30005, 'Unknown destination handset', true],
    ['UNDELIV', '005', 'undelivered', 30004, 'Message blocked', true],
    ['UNDELIV', '008', 'undelivered', 30003, 'Unreachable destination handset', true],
    ['UNDELIV', '4', 'undelivered', 30006, 'Landline or unreachable carrier', true],
    ['UNDELIV', '194', 'undelivered', 30008, 'Unknown error', true], // Restcomm: SIP 5xx/6xx downstream
    ['UNDELIV', '228', 'undelivered', 30003, 'Unreachable destination handset', true], // validity expired
    ['UNDELIV', '229', 'undelivered', 30007, 'Message filtered', true],
    ['UNDELIVERABLE', '000', 'undelivered', 30008, 'Unknown error', true],
    ['UNDELIV', 'xyz', 'undelivered', 30008, 'Unknown error', true],
    ['UNDELIV', '', 'undelivered', 30008, 'Unknown error', true],
    ['BOGUS', '000', 'sent', null, null, false],
  ] as const)('stat:%s err:%s -> %s %s', (stat, err, status, errorCode, errorMessage, final) => {
    expect(mapReceiptStatus(stat, err)).toEqual({ status, errorCode, errorMessage, final });
  });
});

describe('twilioDeliveryErrorMessage', () => {
  it('names 30001..30010', () => {
    const codes = Array.from({ length: 10 }, (_, i) => 30001 + i);
    expect(codes.map(twilioDeliveryErrorMessage)).toEqual([
      'Queue overflow',
      'Account suspended',
      'Unreachable destination handset',
      'Message blocked',
      'Unknown destination handset',
      'Landline or unreachable carrier',
      'Message filtered',
      'Unknown error',
      'Missing segment',
      'Message price exceeds max price',
    ]);
  });

  it('refuses other codes', () => {
    expect(() => twilioDeliveryErrorMessage(21211)).toThrowError(
      new RangeError('21211 is not a Twilio delivery error code (30001-30010)'),
    );
  });
});
