// What happens to one claimed delivery between its claim and its recorded outcome: the HTTP calls (primary URL,
// <Redirect> documents, SmsFallbackUrl), TwiML interpretation, and the verdict. No database access: the worker
// records the returned run in a batch. Never throws.
import type { ClaimedDelivery } from './delivery-claim.js';
import { callWebhook, type WebhookOutcome } from './http-caller.js';
import type { HttpTransport } from './http-transport.js';
import { interpretTwimlResponse, TWIML_CODES, TwimlError, type TwimlMessage } from './twiml.js';
import type { UrlPolicyOptions } from './url-policy.js';
import { withFallbackError } from './webhook-params.js';
import type { WebhookMethod } from './webhook-request.js';

/** TwiML documents fetched per chain (the first answer plus <Redirect>s) before 14106. */
export const MAX_TWIML_DOCUMENTS = 10;
/** Twilio: "Document retrieval limit reached". */
export const DOCUMENT_LIMIT_CODE = 14106;

export interface HttpSettings {
  timeoutMs: number;
  maxRedirects: number;
  urlPolicy: UrlPolicyOptions;
  signal: AbortSignal;
  maxDocuments?: number;
  transport?: HttpTransport;
}

/** One HTTP request made for a delivery: becomes a `webhook_attempts` row and a `webhook` message event. */
export interface CallRecord {
  url: string;
  httpStatus: number | null;
  latencyMs: number;
  /** The 112xx code of a failed call, or the TwiML code (12100, 12300, 11750, 14106) of an unusable answer. */
  errorCode: number | null;
  error: string | null;
  fallback: boolean;
  /** 1 for the URL itself, 2… for documents reached through <Redirect>. */
  document: number;
}

/** A TwiML error or warning, recorded as a `twiml` message event. */
export interface TwimlEvent {
  code: number;
  message: string;
  url: string;
  fatal: boolean;
}

export type RunVerdict = 'succeeded' | 'retry' | 'failed' | 'released';

export interface DeliveryRun {
  delivery: ClaimedDelivery;
  calls: CallRecord[];
  twimlEvents: TwimlEvent[];
  /** <Message> verbs of the chain that succeeded (inbound `sms` deliveries only). */
  replies: TwimlMessage[];
  /** X- headers of every answer of that chain, later ones winning (carried onto `<Sms>` replies). */
  responseXHeaders?: Record<string, string>;
  /** `retry` means "retry if attempts and deadline allow", decided when the run is recorded. */
  verdict: RunVerdict;
  lastHttpStatus: number | null;
  lastError: string | null;
}

type ChainResult =
  | { ok: true; replies: TwimlMessage[]; responseXHeaders?: Record<string, string> }
  | { ok: false; errorCode: number; error: string; errorUrl: string; retriable: boolean; httpStatus: number | null };

interface Chain {
  delivery: ClaimedDelivery;
  authToken: string;
  http: HttpSettings;
  calls: CallRecord[];
  twimlEvents: TwimlEvent[];
}

export async function runDelivery(delivery: ClaimedDelivery, http: HttpSettings): Promise<DeliveryRun> {
  const run: DeliveryRun = { delivery, calls: [], twimlEvents: [], replies: [], verdict: 'failed', lastHttpStatus: null, lastError: null };
  if (delivery.authToken === null) {
    run.lastError = `Account ${delivery.accountSid} not found: cannot sign the request`;
    return run;
  }
  const chain: Chain = { delivery, authToken: delivery.authToken, http, calls: run.calls, twimlEvents: run.twimlEvents };
  const result = delivery.kind === 'sms' ? await runInbound(chain) : await runCallback(chain);
  if (http.signal.aborted) return { ...run, verdict: 'released', lastError: 'Aborted by shutdown' };
  if (result.ok) {
    return { ...run, verdict: 'succeeded', replies: result.replies, responseXHeaders: result.responseXHeaders ?? {}, lastHttpStatus: lastStatus(run.calls) };
  }
  return {
    ...run,
    verdict: result.retriable ? 'retry' : 'failed',
    lastHttpStatus: result.httpStatus,
    lastError: `${result.errorCode}: ${result.error}`,
  };
}

/** Status callbacks: any 2xx is a success, the body is ignored, there is no fallback. */
async function runCallback(chain: Chain): Promise<ChainResult> {
  const { delivery } = chain;
  const outcome = await call(chain, { url: delivery.url, method: delivery.method, params: delivery.params, fallback: false, document: 1 });
  if (outcome.ok) return { ok: true, replies: [] };
  return httpFailure(outcome, delivery.url);
}

/**
 * Inbound SMS: the primary chain; when it cannot be fetched or its TwiML cannot be executed, SmsFallbackUrl at
 * once with ErrorCode/ErrorUrl (spec §6.3). Only HTTP failures of the primary are worth a later retry: broken
 * TwiML stays broken.
 */
async function runInbound(chain: Chain): Promise<ChainResult> {
  const { delivery } = chain;
  const primary = await runChain(chain, { url: delivery.url, method: delivery.method, params: delivery.params, fallback: false });
  if (primary.ok || delivery.fallbackUrl === null || chain.http.signal.aborted) return primary;
  const params = withFallbackError(delivery.params, { errorCode: primary.errorCode, errorUrl: primary.errorUrl });
  const fallback = await runChain(chain, { url: delivery.fallbackUrl, method: delivery.fallbackMethod, params, fallback: true });
  if (fallback.ok) return fallback;
  return { ...fallback, retriable: primary.retriable };
}

interface Request {
  url: string;
  method: WebhookMethod;
  params: Record<string, string>;
  fallback: boolean;
}

/** Fetches a TwiML document and follows its <Redirect>s, up to the document limit; replies only if all succeed. */
async function runChain(chain: Chain, start: Request): Promise<ChainResult> {
  const replies: TwimlMessage[] = [];
  const responseXHeaders: Record<string, string> = {};
  const maxDocuments = chain.http.maxDocuments ?? MAX_TWIML_DOCUMENTS;
  let request = start;
  for (let document = 1; ; document += 1) {
    const outcome = await call(chain, { ...request, document });
    if (!outcome.ok) return httpFailure(outcome, request.url);
    Object.assign(responseXHeaders, outcome.xHeaders ?? {});
    let redirect: { url: string; method: WebhookMethod; params?: Record<string, string> } | undefined;
    try {
      const result = interpretTwimlResponse({
        httpStatus: outcome.httpStatus ?? 200,
        contentType: outcome.contentType,
        body: outcome.body,
        baseUrl: outcome.finalUrl,
      });
      for (const warning of result.warnings) chain.twimlEvents.push({ ...warning, url: outcome.finalUrl, fatal: false });
      replies.push(...result.messages);
      redirect = result.redirect;
    } catch (error) {
      // The interpreter throws only TwimlError; anything else is still a document we could not execute.
      const code = error instanceof TwimlError ? error.code : TWIML_CODES.parseFailure;
      const message = error instanceof Error ? error.message : String(error);
      return twimlFailure(chain, { code, message, url: request.url, httpStatus: outcome.httpStatus });
    }
    if (redirect === undefined) return { ok: true, replies, responseXHeaders };
    if (document >= maxDocuments) {
      const message = `Document retrieval limit reached: more than ${maxDocuments} TwiML documents`;
      return twimlFailure(chain, { code: DOCUMENT_LIMIT_CODE, message, url: redirect.url, httpStatus: outcome.httpStatus });
    }
    // <Sms action> adds SmsStatus=sending to the parameters (RestComm); <Redirect> repeats them as they are.
    request = { ...request, url: redirect.url, method: redirect.method, params: { ...request.params, ...redirect.params } };
  }
}

async function call(chain: Chain, request: Request & { document: number }): Promise<WebhookOutcome> {
  const { http } = chain;
  const outcome = await callWebhook({
    url: request.url,
    method: request.method,
    params: request.params,
    authToken: chain.authToken,
    idempotencyToken: chain.delivery.idempotencyToken,
    timeoutMs: http.timeoutMs,
    maxRedirects: http.maxRedirects,
    urlPolicy: http.urlPolicy,
    signal: http.signal,
    ...(http.transport ? { transport: http.transport } : {}),
  });
  chain.calls.push({
    url: request.url,
    httpStatus: outcome.httpStatus,
    latencyMs: outcome.latencyMs,
    errorCode: outcome.errorCode,
    error: outcome.error,
    fallback: request.fallback,
    document: request.document,
  });
  return outcome;
}

/** A failed call is retried later, unless the URL policy refused it: that refusal would only repeat. */
function httpFailure(outcome: WebhookOutcome, url: string): ChainResult {
  return {
    ok: false,
    errorCode: outcome.errorCode ?? 11200,
    error: outcome.error ?? 'HTTP retrieval failure',
    errorUrl: url,
    retriable: !outcome.refused,
    httpStatus: outcome.httpStatus,
  };
}

/** A fatal TwiML problem: recorded as an event and on the call that produced the document. */
function twimlFailure(chain: Chain, failure: { code: number; message: string; url: string; httpStatus: number | null }): ChainResult {
  chain.twimlEvents.push({ code: failure.code, message: failure.message, url: failure.url, fatal: true });
  const last = chain.calls.at(-1);
  if (last) {
    last.errorCode = failure.code;
    last.error = failure.message;
  }
  return { ok: false, errorCode: failure.code, error: failure.message, errorUrl: failure.url, retriable: false, httpStatus: failure.httpStatus };
}

function lastStatus(calls: readonly CallRecord[]): number | null {
  return calls.at(-1)?.httpStatus ?? null;
}
