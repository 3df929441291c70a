/**
 * User Data Header (3GPP TS 23.040 §9.2.3.24): UDHL, then information elements (IEI, length, data). Builds and
 * reads concatenation (0x00 8-bit reference, 0x08 16-bit reference) and application ports (0x04 8-bit,
 * 0x05 16-bit). Every other IE is kept byte for byte. Input comes from the wire (X-SMS-UDH hex, SMPP
 * short_message with UDHI), so every malformation is a UdhError with a code, never an exception from indexing.
 */
import { UdhError } from './encoding-error.js';

export type UdhIe = { iei: number; data: Uint8Array };
export type Udh = {
  /** UDHL: the octets after the length octet. */
  length: number;
  ies: UdhIe[];
  /** The whole header, UDHL included. */
  bytes: Uint8Array;
};

export type Concatenation = { reference: number; total: number; sequence: number; referenceBits: 8 | 16 };
export type Ports = { source: number; destination: number; bits: 8 | 16 };

export const IEI_CONCAT_8 = 0x00;
export const IEI_PORTS_8 = 0x04;
export const IEI_PORTS_16 = 0x05;
export const IEI_CONCAT_16 = 0x08;

/** Data lengths fixed by TS 23.040 for the IEs we interpret. */
const FIXED_LENGTH: ReadonlyMap<number, number> = new Map([
  [IEI_CONCAT_8, 3],
  [IEI_PORTS_8, 2],
  [IEI_PORTS_16, 4],
  [IEI_CONCAT_16, 4],
]);

/** TP-UD is 140 octets; a header cannot be longer. */
const MAX_UDH_OCTETS = 140;

/** Parses a whole UDH, from hex (as in X-SMS-UDH, either case) or bytes. Nothing may follow the header. */
export function parseUdh(input: string | Uint8Array): Udh {
  const bytes = typeof input === 'string' ? hexToBytes(input) : input;
  if (bytes.length === 0) throw new UdhError('UDH_EMPTY', 'UDH is empty: it needs at least the UDHL octet');
  const length = bytes[0] ?? 0;
  if (bytes.length !== length + 1) {
    throw new UdhError(
      'UDH_LENGTH_MISMATCH',
      `UDHL says ${length} octets follow, but ${bytes.length - 1} do`,
    );
  }
  return { length, ies: parseIes(bytes.subarray(1)), bytes: Uint8Array.from(bytes) };
}

/**
 * Splits user data that starts with a UDH (esm_class 0x40 on SMPP) into the header and the payload after it.
 */
export function splitUserData(userData: Uint8Array): { udh: Udh; payload: Uint8Array } {
  if (userData.length === 0) throw new UdhError('UDH_EMPTY', 'user data is empty: expected a UDH (UDHI set)');
  const length = userData[0] ?? 0;
  if (userData.length < length + 1) {
    throw new UdhError(
      'UDH_LENGTH_MISMATCH',
      `UDHL says ${length} octets follow, but the user data has only ${userData.length - 1}`,
    );
  }
  return { udh: parseUdh(userData.subarray(0, length + 1)), payload: userData.slice(length + 1) };
}

/** UDHL + the IEs, in the order given. */
export function buildUdh(ies: UdhIe[]): Buffer {
  const body: number[] = [];
  for (const ie of ies) {
    checkIe(ie);
    body.push(ie.iei, ie.data.length, ...ie.data);
  }
  if (body.length + 1 > MAX_UDH_OCTETS) {
    const octets = body.length + 1;
    throw new UdhError('UDH_TOO_LONG', `UDH of ${octets} octets exceeds the ${MAX_UDH_OCTETS}-octet user data`);
  }
  return Buffer.from([body.length, ...body]);
}

/** Uppercase hex, the form X-SMS-UDH uses. */
export function udhToHex(udh: Uint8Array): string {
  return Buffer.from(udh.buffer, udh.byteOffset, udh.byteLength).toString('hex').toUpperCase();
}

/** The concatenation IE (0x00 or 0x08). */
export function concatenationIe(concat: Concatenation): UdhIe {
  checkRange('reference', concat.reference, concat.referenceBits === 16 ? 0xffff : 0xff);
  checkRange('total', concat.total, 0xff, 1);
  checkRange('sequence', concat.sequence, concat.total, 1);
  const reference =
    concat.referenceBits === 16 ? [concat.reference >> 8, concat.reference & 0xff] : [concat.reference];
  return {
    iei: concat.referenceBits === 16 ? IEI_CONCAT_16 : IEI_CONCAT_8,
    data: Uint8Array.from([...reference, concat.total, concat.sequence]),
  };
}

/** The application port addressing IE (0x04 or 0x05): destination port first, then originator. */
export function portsIe(ports: Ports): UdhIe {
  const max = ports.bits === 16 ? 0xffff : 0xff;
  checkRange('destination port', ports.destination, max);
  checkRange('source port', ports.source, max);
  if (ports.bits === 8) return { iei: IEI_PORTS_8, data: Uint8Array.from([ports.destination, ports.source]) };
  return {
    iei: IEI_PORTS_16,
    data: Uint8Array.from([
      ports.destination >> 8,
      ports.destination & 0xff,
      ports.source >> 8,
      ports.source & 0xff,
    ]),
  };
}

/**
 * The concatenation the UDH declares, or null when it has none. Per TS 23.040 §9.2.3.24.1 an IE with
 * total 0, sequence 0 or sequence > total is ignored (null); if several appear, the last one counts.
 */
export function concatenationOf(udh: Udh): Concatenation | null {
  const ie = udh.ies.filter((each) => each.iei === IEI_CONCAT_8 || each.iei === IEI_CONCAT_16).at(-1);
  if (ie === undefined) return null;
  const d = ie.data;
  const referenceBits = ie.iei === IEI_CONCAT_16 ? 16 : 8;
  const reference = referenceBits === 16 ? ((d[0] ?? 0) << 8) | (d[1] ?? 0) : (d[0] ?? 0);
  const offset = referenceBits === 16 ? 2 : 1;
  const total = d[offset] ?? 0;
  const sequence = d[offset + 1] ?? 0;
  if (total === 0 || sequence === 0 || sequence > total) return null;
  return { reference, total, sequence, referenceBits };
}

/** The application ports the UDH declares, or null (the last port IE counts if several appear). */
export function portsOf(udh: Udh): Ports | null {
  const ie = udh.ies.filter((each) => each.iei === IEI_PORTS_8 || each.iei === IEI_PORTS_16).at(-1);
  if (ie === undefined) return null;
  const d = ie.data;
  if (ie.iei === IEI_PORTS_8) return { destination: d[0] ?? 0, source: d[1] ?? 0, bits: 8 };
  return { destination: ((d[0] ?? 0) << 8) | (d[1] ?? 0), source: ((d[2] ?? 0) << 8) | (d[3] ?? 0), bits: 16 };
}

function parseIes(body: Uint8Array): UdhIe[] {
  const ies: UdhIe[] = [];
  let at = 0;
  while (at < body.length) {
    const iei = body[at] ?? 0;
    if (at + 1 >= body.length) {
      throw new UdhError('UDH_IE_OVERRUN', `IE 0x${hex2(iei)} at offset ${at + 1} has no length octet`, at + 1);
    }
    const length = body[at + 1] ?? 0;
    if (at + 2 + length > body.length) {
      throw new UdhError(
        'UDH_IE_OVERRUN',
        `IE 0x${hex2(iei)} at offset ${at + 1} declares ${length} octets but only ${body.length - at - 2} remain`,
        at + 1,
      );
    }
    const ie = { iei, data: body.slice(at + 2, at + 2 + length) };
    checkIe(ie);
    ies.push(ie);
    at += 2 + length;
  }
  return ies;
}

function checkIe(ie: UdhIe): void {
  if (!Number.isInteger(ie.iei) || ie.iei < 0 || ie.iei > 0xff) {
    throw new UdhError('UDH_BAD_VALUE', `IEI must be an octet 0..255; got ${ie.iei}`);
  }
  const expected = FIXED_LENGTH.get(ie.iei);
  if (expected !== undefined && ie.data.length !== expected) {
    throw new UdhError(
      'UDH_IE_BAD_LENGTH',
      `IE 0x${hex2(ie.iei)} must carry ${expected} octets of data; got ${ie.data.length}`,
    );
  }
  if (ie.data.length > 0xff) throw new UdhError('UDH_TOO_LONG', `IE 0x${hex2(ie.iei)} data exceeds 255 octets`);
}

function hexToBytes(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]*$/.test(hex)) {
    throw new UdhError('UDH_BAD_HEX', `UDH hex contains a non-hex character: ${JSON.stringify(hex)}`);
  }
  if (hex.length % 2 !== 0) {
    throw new UdhError('UDH_ODD_HEX', `UDH hex has an odd number of digits (${hex.length}): ${JSON.stringify(hex)}`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function checkRange(name: string, value: number, max: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UdhError('UDH_BAD_VALUE', `${name} must be an integer ${min}..${max}; got ${value}`);
  }
}

function hex2(octet: number): string {
  return octet.toString(16).toUpperCase().padStart(2, '0');
}
