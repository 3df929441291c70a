// Validation of a caller-supplied User Data Header (SmscUdh): hex, UDHL consistent with the length, and the
// information elements laid out exactly within it (3GPP TS 23.040 §9.2.3.24).

export type UdhCheck = { ok: true; hex: string; octets: number } | { ok: false; reason: string };

export function checkUdh(hex: string): UdhCheck {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) return { ok: false, reason: 'must be an even number of hex digits' };
  const bytes = Buffer.from(hex, 'hex');
  const udhl = bytes[0] ?? 0;
  if (udhl + 1 !== bytes.length) {
    return { ok: false, reason: `UDHL is ${udhl} but ${bytes.length - 1} octets follow it` };
  }
  if (udhl === 0) return { ok: false, reason: 'the header holds no information element' };
  // Walk the information elements: IEI, IEDL, then IEDL octets; they must end exactly at the header's end.
  let offset = 1;
  while (offset < bytes.length) {
    const iedl = bytes[offset + 1];
    if (iedl === undefined || offset + 2 + iedl > bytes.length) {
      return { ok: false, reason: `the information element at octet ${offset} overruns the header` };
    }
    offset += 2 + iedl;
  }
  return { ok: true, hex: hex.toUpperCase(), octets: bytes.length };
}
