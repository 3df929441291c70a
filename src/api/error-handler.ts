// One error handler and one not-found handler: every failure leaves as Twilio's {code, message, more_info,
// status}. Schema-validation failures are mapped to the Twilio code of the field that failed.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { ErrorKey } from '../errors/registry.js';
import { databaseFailure } from '../store/database-errors.js';

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Route config: the error for a request with no body at all (e.g. 21604 on Messages create). */
export interface ErrorRouteConfig {
  missingBodyError?: ErrorKey;
}

/** Field → [error when missing, error when malformed]; with the template parameter the value fills. */
const FIELD_ERRORS: Readonly<Record<string, { missing: ErrorKey; invalid: ErrorKey; param: string }>> = {
  To: { missing: 'toRequired', invalid: 'invalidTo', param: 'to' },
  From: { missing: 'fromRequired', invalid: 'invalidFrom', param: 'from' },
  Body: { missing: 'bodyRequired', invalid: 'bodyRequired', param: 'body' },
  PhoneNumber: { missing: 'phoneNumberRequired', invalid: 'invalidPhoneNumber', param: 'phoneNumber' },
  StatusCallback: { missing: 'invalidStatusCallback', invalid: 'invalidStatusCallback', param: 'url' },
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    request.twilioCode = appError.code;
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(appError.status).send(appError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('notFound', { path: pathOf(request) });
    request.twilioCode = error.code;
    return reply.status(error.status).send(error.toBody());
  });
}

export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  // The database out of reach is a 503 the client may retry (Twilio's 20503), not an internal error.
  const failure = databaseFailure(error);
  if (failure === 'timeout') return new AppError('databaseTimedOut', {}, { cause: error });
  if (failure === 'connection-lost') return new AppError('databaseConnectionLost', {}, { cause: error });
  if (failure === 'unavailable') return new AppError('databaseUnavailable', {}, { cause: error });
  if (error.validation) {
    return fromValidation(error.validation as unknown as AjvError[], error.validationContext, request);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new AppError('unsupportedContentType', { contentType: request.headers['content-type'] ?? '(none)' }, { cause: error });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('malformedBody', { reason: error.message }, { cause: error });
  }
  return new AppError('internal', {}, { cause: error });
}

function fromValidation(errors: AjvError[], context: string | undefined, request: FastifyRequest): AppError {
  const first = errors[0];
  if (context === 'params' || first === undefined) return new AppError('notFound', { path: pathOf(request) });
  const field = first.keyword === 'required'
    ? String(first.params.missingProperty ?? '')
    : decodePointer(first.instancePath.split('/')[1] ?? '');
  if (field === '') {
    const config = request.routeOptions.config as ErrorRouteConfig;
    if (config.missingBodyError) return new AppError(config.missingBodyError);
    return new AppError('invalidParameter', { name: context ?? 'request', reason: first.message ?? 'invalid' });
  }
  const mapped = context === 'body' ? FIELD_ERRORS[field] : undefined;
  if (mapped) {
    if (first.keyword === 'required') return new AppError(mapped.missing);
    const source = request.body as Record<string, unknown> | undefined;
    return new AppError(mapped.invalid, { [mapped.param]: String(source?.[field] ?? '') });
  }
  return new AppError('invalidParameter', { name: field, reason: first.message ?? 'invalid' });
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
