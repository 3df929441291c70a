// Validation of a caller-supplied User Data Header (SmscUdh). The parsing is encoding/udh.ts's `parseUdh`
// (3GPP TS 23.040 §9.2.3.24); this adapter adds the API's one extra rule (a caller's header must hold at least
// one information element) and words each problem as the reason in "Invalid parameter SmscUdh: <reason>".
import { UdhError } from '../encoding/encoding-error.js';
import { parseUdh } from '../encoding/udh.js';

export type UdhCheck = { ok: true; hex: string; octets: number } | { ok: false; reason: string };

export function checkUdh(hex: string): UdhCheck {
  try {
    const udh = parseUdh(hex);
    if (udh.ies.length === 0) return { ok: false, reason: 'the header holds no information element' };
    return { ok: true, hex: hex.toUpperCase(), octets: udh.bytes.length };
  } catch (error) {
    if (error instanceof UdhError) return { ok: false, reason: reasonOf(error, hex) };
    throw error;
  }
}

function reasonOf(error: UdhError, hex: string): string {
  switch (error.code) {
    case 'UDH_EMPTY':
    case 'UDH_BAD_HEX':
    case 'UDH_ODD_HEX':
      return 'must be an even number of hex digits';
    case 'UDH_LENGTH_MISMATCH':
      // parseUdh checked the hex, so the first two digits are the UDHL.
      return `UDHL is ${Number.parseInt(hex.slice(0, 2), 16)} but ${hex.length / 2 - 1} octets follow it`;
    case 'UDH_IE_OVERRUN':
      return `the information element at octet ${error.offset} overruns the header`;
    default:
      // An IE we interpret with the wrong data length (a concatenation IE must carry 3 or 4 octets, ...).
      return error.message;
  }
}
