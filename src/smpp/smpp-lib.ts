// The one place that loads npm `smpp@0.5.1` (CommonJS, no types) and turns it into a byte-transparent framer.
//
// Why the configuration below (spec smpp-and-gsm.md §2.4, §2.8):
// - its "encodings" auto-detect sends GSM bytes labelled data_coding 0x01 and turns non-GSM characters into '@';
// - its message filter decodes received short_message/message_payload with a lossy GSM table (DLR text "@$"
//   arrives as "¡¤") and, for UDH IEIs 0x24/0x25, applies national shift tables even with no encodings left;
// - its time filter resolves relative validity against "now" on receive.
// Removing the encodings and the message/time filters makes PDU fields plain Buffers and strings in both
// directions; our own code (`encoding/`, `smpp-time.ts`) owns every byte of text and every timestamp.
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Server as NetServer, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/** A decoded PDU. Mandatory parameters and known TLVs are plain properties named as in SMPP 3.4. */
export interface SmppPdu {
  command: string;
  command_id: number;
  command_status: number;
  sequence_number: number;
  isResponse(): boolean;
  /** Builds the matching `*_resp` (or generic_nack for an unknown command) with our sequence number. */
  response(params?: Record<string, unknown>): SmppPdu;
  toBuffer(): Buffer;
  readonly [field: string]: unknown;
}

export type SmppResponseCallback = (pdu: SmppPdu) => void;

/** A `smpp` Session: one TCP/TLS connection with its own sequence numbers and callback table. */
export interface SmppSession extends EventEmitter {
  socket: Socket;
  /** Callbacks keyed by sequence_number; the library never expires them, so we delete ours on timeout. */
  _callbacks: Record<number, SmppResponseCallback | undefined>;
  /** Returns false (and calls nothing) when the socket is not writable. */
  send(pdu: SmppPdu, onResponse?: SmppResponseCallback, onSent?: SmppResponseCallback): boolean;
  pause(): void;
  resume(): void;
  close(callback?: () => void): void;
  destroy(callback?: () => void): void;
}

export interface SmppServer extends NetServer {
  sessions: SmppSession[];
}

export interface SmppConnectOptions extends Partial<ConnectionOptions> {
  host: string;
  port: number;
  tls?: boolean;
}

interface SmppParamDef {
  filter?: unknown;
}

interface SmppModule {
  connect(options: SmppConnectOptions): SmppSession;
  createServer(options: { key?: string | Buffer; cert?: string | Buffer }, listener: (s: SmppSession) => void): SmppServer;
  PDU: new (command: string | Buffer, params?: Record<string, unknown>) => SmppPdu;
  encodings: Record<string, unknown>;
  filters: { message: unknown; time: unknown };
  commands: Record<string, { id: number; params?: Record<string, SmppParamDef> }>;
  tlvs: Record<string, SmppParamDef & { id: number }>;
}

const require = createRequire(import.meta.url);
const smpp = require('smpp') as SmppModule;

function makeFramerOnly(lib: SmppModule): void {
  for (const key of Object.keys(lib.encodings)) delete lib.encodings[key];
  const stripped = new Set<unknown>([lib.filters.message, lib.filters.time]);
  const defs: SmppParamDef[] = [...Object.values(lib.tlvs)];
  for (const command of Object.values(lib.commands)) defs.push(...Object.values(command.params ?? {}));
  for (const def of defs) if (stripped.has(def.filter)) delete def.filter;
}

makeFramerOnly(smpp);

/** Opens a client session. Each (re)connection must use a new session: `session.connect()` stalls on Node 20. */
export function connectSession(options: SmppConnectOptions): SmppSession {
  return smpp.connect(options);
}

export function createSmppServer(
  options: { key?: string | Buffer; cert?: string | Buffer },
  onSession: (session: SmppSession) => void,
): SmppServer {
  return smpp.createServer(options, onSession);
}

/** Builds a PDU. Pass Buffers for short_message/message_payload and an explicit data_coding. */
export function createPdu(command: string, params: Record<string, unknown> = {}): SmppPdu {
  return new smpp.PDU(command, params);
}

/** Decodes one complete PDU from bytes (fixtures, tests); throws on a PDU longer than 16384 octets. */
export function decodePdu(bytes: Buffer): SmppPdu {
  return new smpp.PDU(bytes);
}

/** True when `smpp` knows `<command>_resp`, i.e. the request expects an answer. */
export function hasResponseCommand(command: string): boolean {
  return `${command}_resp` in smpp.commands;
}

/** Reads a field of a decoded PDU with a type check, so callers never trust `unknown`. */
export function numberField(pdu: SmppPdu, name: string, fallback = 0): number {
  const value = pdu[name];
  return typeof value === 'number' ? value : fallback;
}

export function stringField(pdu: SmppPdu, name: string): string {
  const value = pdu[name];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return '';
}

export function bufferField(pdu: SmppPdu, name: string): Buffer | undefined {
  const value = pdu[name];
  return Buffer.isBuffer(value) ? value : undefined;
}
