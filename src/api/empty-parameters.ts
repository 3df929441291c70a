// An empty parameter counts as absent, as Twilio treats `StatusCallback=` or `To=` in a filter: a form sends
// every field it shows, filled or not (Swagger UI's "Try it out" on /docs does), and `ValidityPeriod=` or
// `SmartEncoded=` would otherwise fail validation as a malformed integer or boolean.
//
// - Query strings: always (no filter or paging parameter means anything when empty).
// - Form bodies: on routes whose config sets `emptyFormFieldsAreAbsent` (Messages create). Elsewhere an empty
//   value means something: `Body=` redacts a message, `SmsUrl=` clears a number's URL.
// - JSON bodies are left alone: an empty string there was written on purpose.
import type { FastifyRequest } from 'fastify';

/** Route config: empty fields of a form-encoded body are dropped before validation. */
export interface EmptyFieldsRouteConfig {
  emptyFormFieldsAreAbsent?: boolean;
}

/** The parameters without empty values; a repeated parameter (`MediaUrl=&MediaUrl=`) keeps its non-empty ones. */
export function withoutEmptyValues(parameters: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (value === '') continue;
    if (Array.isArray(value)) {
      const values = value.filter((item) => item !== '');
      if (values.length > 0) kept[name] = values;
      continue;
    }
    kept[name] = value;
  }
  return kept;
}

/** A preValidation hook: Fastify has parsed the query and body, and validates them after this. */
export async function dropEmptyParameters(request: FastifyRequest): Promise<void> {
  if (isPlainObject(request.query)) request.query = withoutEmptyValues(request.query);
  const config = request.routeOptions.config as EmptyFieldsRouteConfig;
  if (config.emptyFormFieldsAreAbsent !== true || !isPlainObject(request.body)) return;
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    request.body = withoutEmptyValues(request.body);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
