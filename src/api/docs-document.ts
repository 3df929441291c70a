// The OpenAPI document as /openapi.json and Swagger UI (/docs) serve it: the committed one, with the server that
// answered the request as its only `servers` entry, and for the UI an empty example on every form field that has
// none. Swagger UI's "Try it out" fills each form field with its example, or else with a type sample ("string",
// 0, true) that it then sends; empty fields start empty, and the API takes an empty form field as absent
// (empty-parameters.ts), so Execute works with only To, From and Body filled.
import type { FastifyRequest } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';

interface Server {
  url: string;
  description: string;
}

/** The document with the server that answered this request as its only `servers` entry. */
export function withThisServer<T extends object>(document: T, request: FastifyRequest): T & { servers: Server[] } {
  return { ...document, servers: [{ url: `${request.protocol}://${request.host}`, description: 'This server' }] };
}

/** A copy of the document whose form-encoded request bodies have an empty example on each property without examples. */
export function withEmptyFormExamples<T extends object>(document: T): T {
  const copy = structuredClone(document) as T & { paths?: Record<string, Record<string, unknown>> };
  for (const operations of Object.values(copy.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const content = (operation as { requestBody?: { content?: Record<string, { schema?: unknown }> } }).requestBody?.content;
      const properties = (content?.[FORM]?.schema as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties;
      for (const property of Object.values(properties ?? {})) {
        // An array's example is a list (the UI parses a text one as JSON).
        if (property.examples === undefined && property.example === undefined) property.examples = property.type === 'array' ? [[]] : [''];
      }
    }
  }
  return copy;
}
