// How RestComm-Connect answers (spec §1.1, §1.5): XML unless the path ends in `.json` or Accept contains
// `json`; errors as the plain text of its exception mappers, with RestComm's status codes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';

export type RestcommFormat = 'json' | 'xml';

/** `.json` on the last path segment forces JSON; otherwise Accept decides, and an absent Accept means XML. */
export function negotiateFormat(options: { jsonSuffix: boolean; accept: string | undefined }): RestcommFormat {
  if (options.jsonSuffix) return 'json';
  return options.accept?.toLowerCase().includes('json') === true ? 'json' : 'xml';
}

/** Splits a trailing `.json` off a path segment (RestComm's AcceptFilter does the same before routing). */
export function stripJsonSuffix(segment: string): { value: string; jsonSuffix: boolean } {
  return segment.endsWith('.json') ? { value: segment.slice(0, -'.json'.length), jsonSuffix: true } : { value: segment, jsonSuffix: false };
}

const builder = new XMLBuilder({ suppressEmptyNode: true, processEntities: true });

/** `<RestcommResponse>…</RestcommResponse>`, without a prologue (XStream writes none). */
export function restcommXml(content: Record<string, unknown>): string {
  return builder.build({ RestcommResponse: content }) as string;
}

export function sendRestcomm(reply: FastifyReply, format: RestcommFormat, body: { json: unknown; xml: Record<string, unknown> }): FastifyReply {
  if (format === 'json') return reply.status(200).type('application/json').send(JSON.stringify(body.json, null, 2));
  return reply.status(200).type('application/xml').send(restcommXml(body.xml));
}

/** A RestComm error: its status, its plain-text message (may be empty) and any extra response headers. */
export class RestcommError extends Error {
  override readonly name = 'RestcommError';
  constructor(readonly status: number, readonly text: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(text || `HTTP ${status}`);
  }
}

export const REALM_HEADER = { 'www-authenticate': 'Basic realm="Restcomm realm"' } as const;

export function sendRestcommError(reply: FastifyReply, error: RestcommError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).type('text/plain; charset=utf-8').send(error.text);
}

/** The request path without its query string and without a trailing `.json` (the list envelope's `uri`). */
export function requestPath(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  return stripJsonSuffix(path).value;
}
