// The simulator's local control API (CLI `--control 127.0.0.1:8090`), so a demo can drive it with curl:
//   POST /mo {from,to,text,coding?,segments?,outOfOrder?,smscId?}   -> {responses:[{status,reason,local}]}
//   POST /smpp-mo {systemId?,from,to,text,coding?}                  -> {statuses:[...]}
//   POST /policy {answer?,latencyMs?}     POST /receipts {delayMs?,outcome?,undeliveredErr?}
//   GET /received   GET /stats   GET /policy
import { HttpError, jsonAnswer, localHttpServer, type HttpFraming, type LocalHttpServer, type PlainRequest } from './http-helpers.js';
import { MoRequestError, type MoRequest } from './mo-message.js';
import { PolicyError, type SimulatorPolicy } from './policy.js';
import type { SmscSimulator } from './smsc-simulator.js';
import type { SmppMoOptions } from './smpp-side.js';
import type { ReceiptSettings } from './simulator-types.js';

export type ControlApi = LocalHttpServer;

export function createControlApi(options: {
  simulator: SmscSimulator; listen: { host: string; port: number };
  /** 'node' (default) or 'minimal' (the bench's `--lean-http`, see http-helpers.ts). */
  framing?: HttpFraming;
}): ControlApi {
  const { simulator } = options;
  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    'POST /mo': async (body) => {
      const responses = await simulator.sendMo(requireText(body) as unknown as MoRequest);
      return { responses: responses.map(({ status, reason, local }) => ({ status, reason, local })) };
    },
    'POST /smpp-mo': async (body) => ({ statuses: await simulator.sendSmppMo(requireText(body) as unknown as SmppMoOptions) }),
    'POST /policy': async (body) => {
      simulator.setPolicy(body as SimulatorPolicy);
      return simulator.policy();
    },
    'POST /receipts': async (body) => {
      simulator.setReceipts(body as Partial<ReceiptSettings>);
      return {};
    },
    'GET /policy': async () => simulator.policy(),
    'GET /stats': async () => simulator.stats(),
    'GET /received': async () =>
      simulator.received().map(({ body, ...rest }) => ({ ...rest, bodyBase64: body.toString('base64') })),
  };
  const handler = async (request: PlainRequest) => {
    const route = routes[`${request.method} ${request.url.split('?')[0]}`];
    if (!route) throw new HttpError(404, `No route ${request.method} ${request.url}`);
    const body = request.method === 'POST' ? parseJson(request.body) : {};
    try {
      return jsonAnswer(200, await route(body));
    } catch (error) {
      if (error instanceof PolicyError || error instanceof MoRequestError) throw new HttpError(400, error.message);
      throw error;
    }
  };
  return localHttpServer({ listen: options.listen, handler, framing: options.framing });
}

function parseJson(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8') || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the 400 below
  }
  throw new HttpError(400, 'Body must be a JSON object');
}

function requireText(body: Record<string, unknown>): Record<string, unknown> {
  for (const field of ['from', 'to', 'text']) {
    if (typeof body[field] !== 'string' || body[field] === '') throw new HttpError(400, `"${field}" must be a non-empty string`);
  }
  return body;
}
