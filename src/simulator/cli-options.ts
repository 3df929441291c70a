// Turns `smsc-connect simulate` flags into simulator options. Pure, so every flag error is testable; the
// command file only does I/O. The simulator has its own flags: it never reads the service's environment.
import { isIP } from 'node:net';
import { parseSipListen } from '../sip/native/listen-address.js';
import { parsePolicyAnswer, type SimulatorPolicy } from './policy.js';
import type { SmppMessageIdStyle } from './receipt-message.js';
import type { HttpFraming } from './http-helpers.js';
import type { ReceiptOutcomeSetting, SmppAccountSetting, SmscSimulatorOptions } from './simulator-types.js';

export type SimulateFlags = Record<string, string | boolean | undefined>;

export interface SimulateSetup {
  simulator: SmscSimulatorOptions;
  control: { host: string; port: number } | null;
  echo: { listen: { host: string; port: number }; authToken?: string; reply: 'echo' | 'none' } | null;
  moLoad: { from: string; to: string; text: string; count: number; ratePerSecond: number } | null;
  /** How the control API and the echo receiver frame HTTP: node:http, or minimal with --lean-http. */
  framing: HttpFraming;
}

export function parseSimulateFlags(flags: SimulateFlags): SimulateSetup {
  const text = (name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const policy: SimulatorPolicy = { answer: parsePolicyAnswer(text('policy') ?? '200'), latencyMs: parseLatency(text('latency-ms') ?? '0') };
  const smppListen = text('smpp-listen');
  const accounts = ((flags['smpp-account'] as string | undefined) ?? '').split(',').filter((a) => a !== '').map(parseAccount);
  if (smppListen === undefined && accounts.length > 0) throw new Error('--smpp-account needs --smpp-listen');
  if (smppListen !== undefined && accounts.length === 0) throw new Error('--smpp-listen needs at least one --smpp-account');
  const echo = text('echo-receiver');
  return {
    simulator: {
      sipListen: parseSipListen(text('sip-listen') ?? 'udp:127.0.0.1:5060'),
      serviceUri: text('service') ?? 'sip:127.0.0.1:5070;transport=udp',
      policy,
      receipts: {
        delayMs: parseCount(text('receipt-delay-ms') ?? '1000', '--receipt-delay-ms'),
        outcome: parseOutcome(text('receipt') ?? 'delivered'),
        undeliveredErr: parseCount(text('receipt-err') ?? '1', '--receipt-err'),
      },
      smpp: smppListen === undefined ? undefined : {
        listen: parseHostPort(smppListen, '--smpp-listen'), accounts,
        ...(text('smpp-message-ids') === undefined ? {} : { messageIds: parseIdStyle(text('smpp-message-ids') as string) }),
      },
    },
    control: text('control') === undefined ? null : parseHostPort(text('control')!, '--control'),
    echo: echo === undefined ? null : { listen: parseHostPort(echo, '--echo-receiver'), authToken: text('auth-token'), reply: parseReply(text('reply') ?? 'echo') },
    moLoad: parseMoLoad(text),
    framing: flags['lean-http'] === true ? 'minimal' : 'node',
  };
}

function parseIdStyle(value: string): SmppMessageIdStyle {
  if (value === 'padded' || value === 'decimal' || value === 'hex') return value;
  throw new Error(`Bad --smpp-message-ids "${value}": expected padded, decimal or hex`);
}

function parseMoLoad(text: (name: string) => string | undefined): SimulateSetup['moLoad'] {
  const count = text('mo-count');
  if (text('mo-text') === undefined && count === undefined) return null;
  const from = text('mo-from');
  const to = text('mo-to');
  if (from === undefined || to === undefined) throw new Error('--mo-text/--mo-count need --mo-from and --mo-to');
  const ratePerSecond = Number(text('mo-rate') ?? '10');
  if (!(ratePerSecond > 0)) throw new Error(`--mo-rate must be a positive number, got ${text('mo-rate')}`);
  return { from, to, text: text('mo-text') ?? 'Hello from the SMSC simulator', count: parseCount(count ?? '1', '--mo-count'), ratePerSecond };
}

function parseLatency(value: string): SimulatorPolicy['latencyMs'] {
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  return parseCount(value, '--latency-ms');
}

function parseOutcome(value: string): ReceiptOutcomeSetting {
  if (value === 'delivered' || value === 'undelivered') return value;
  const mix = /^mix:(\d+(?:\.\d+)?)$/.exec(value);
  if (mix && Number(mix[1]) <= 100) return { deliveredPercent: Number(mix[1]) };
  throw new Error(`Bad --receipt "${value}": expected delivered, undelivered or mix:<delivered percent>`);
}

function parseAccount(value: string): SmppAccountSetting {
  const [systemId, password, delivery, ...rest] = value.split(':');
  if (!systemId || password === undefined || rest.length > 0 || (delivery !== undefined && delivery !== 'sip' && delivery !== 'simulated')) {
    throw new Error(`Bad --smpp-account "${value}": expected system_id:password[:sip|simulated]`);
  }
  return { systemId, password, delivery: (delivery as 'sip' | 'simulated' | undefined) ?? 'sip' };
}

function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  const host = match?.[1]?.replace(/^\[|\]$/g, '');
  if (!match || host === undefined || isIP(host) === 0 || Number(match[2]) > 65535) {
    throw new Error(`Bad ${flag} "${value}": expected <ip>:<port>, e.g. 127.0.0.1:8090`);
  }
  return { host, port: Number(match[2]) };
}

function parseReply(value: string): 'echo' | 'none' {
  if (value === 'echo' || value === 'none') return value;
  throw new Error(`Bad --reply "${value}": expected echo or none`);
}

function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}
