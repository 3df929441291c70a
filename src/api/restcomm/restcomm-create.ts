// RestComm-Connect's create parameters (spec §1.2) as our create parameters. The required-field texts are
// RestComm's own; everything else is then validated by the same rules as a Twilio-API send
// (messaging/outbound-draft.ts), so a RestComm app cannot send what a Twilio app may not. `X-…` fields become
// SIP headers (sip/x-headers.ts): the SMSC's own ones as the fields they stand for, others passed through.
import type { CreateMessageParams } from '../../messaging/outbound-draft.js';
import { isXHeaderName, parseXHeaderRequest, XHeaderError, type SeedHeaderFields } from '../../sip/x-headers.js';
import { RestcommError } from './restcomm-response.js';

export type RestcommForm = Record<string, unknown>;

export interface RestcommSend {
  params: CreateMessageParams;
  /** Pass-through X- headers for the outgoing MESSAGE. */
  sipHeaders: Record<string, string>;
  /** X-REG-DELIVERY, when given. */
  receiptDemand?: boolean;
}

function field(form: RestcommForm, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RestcommError(400, `${name} must be given once`);
  return value;
}

/** RestComm's `Encoding`: GSM (default), UCS-2 or UTF-8, `_` for `-` accepted; case-sensitive as in RestComm. */
function coding(text: string | undefined): CreateMessageParams['SmscCoding'] {
  if (text === undefined || text === '' || text === 'GSM') return undefined;
  if (['UCS-2', 'UCS_2', 'UTF-8', 'UTF_8'].includes(text)) return 'ucs2';
  throw new RestcommError(400, `Encoding must be GSM, UCS-2 or UTF-8, not ${text}`);
}

function xFields(form: RestcommForm): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of Object.keys(form)) {
    if (isXHeaderName(name)) fields[name] = field(form, name) ?? '';
  }
  return fields;
}

/** The seed headers as create parameters; X-SMS-CODING wins over Encoding. Coding 1 takes Body as hex octets. */
function seedParams(seed: SeedHeaderFields, params: CreateMessageParams): CreateMessageParams {
  const next: CreateMessageParams = { ...params };
  if (seed.udh !== undefined) next.SmscUdh = seed.udh;
  if (seed.coding === 0) next.SmscCoding = 'gsm7';
  if (seed.coding === 2) next.SmscCoding = 'ucs2';
  if (seed.coding === 1) {
    next.SmscCoding = 'binary';
    next.SmscBinaryBody = params.Body;
    delete next.Body;
  }
  if (seed.validitySeconds !== undefined) next.ValidityPeriod = seed.validitySeconds;
  if (seed.messageClass !== undefined) next.SmscMessageClass = seed.messageClass;
  return next;
}

export function restcommCreateParams(form: RestcommForm, options: { xHeaderDeny: readonly string[]; now: Date }): RestcommSend {
  const from = field(form, 'From');
  if (from === undefined) throw new RestcommError(400, 'From can not be null.');
  const rawTo = field(form, 'To');
  if (rawTo === undefined) throw new RestcommError(400, 'To can not be null.');
  const body = field(form, 'Body');
  if (body === undefined) throw new RestcommError(400, 'Body can not be null.');
  const statusCallback = field(form, 'StatusCallback');
  const smscCoding = coding(field(form, 'Encoding'));
  const base: CreateMessageParams = {
    From: from,
    // RestComm strips `client:` to address one of its SIP clients; here the rest must be a number.
    To: rawTo.startsWith('client:') ? rawTo.slice('client:'.length) : rawTo,
    Body: body,
    ...(statusCallback === undefined || statusCallback === '' ? {} : { StatusCallback: statusCallback, StatusCallbackMethod: 'POST' as const }),
    ...(smscCoding === undefined ? {} : { SmscCoding: smscCoding }),
  };
  let request;
  try {
    request = parseXHeaderRequest(xFields(form), { deny: options.xHeaderDeny, now: options.now });
  } catch (error) {
    if (error instanceof XHeaderError) throw new RestcommError(400, error.message);
    throw error;
  }
  return {
    params: seedParams(request.seed, base),
    sipHeaders: request.passThrough,
    ...(request.seed.receipt === undefined ? {} : { receiptDemand: request.seed.receipt }),
  };
}
