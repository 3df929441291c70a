// AppError carries a registry key and the values for its message template; the error handler turns it into
// Twilio's error body. Code anywhere in src/ may throw it; only the API layer renders it.
import { ERROR_REGISTRY, moreInfoUrl, type ErrorKey } from './registry.js';

export type ErrorParams = Readonly<Record<string, string | number>>;

/** Twilio's error body: exactly these four keys (extra `type`/`title` keys change how twilio-node reads it). */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly key: ErrorKey;
  readonly status: number;
  readonly code: number;
  readonly params: ErrorParams;

  constructor(key: ErrorKey, params: ErrorParams = {}, options?: { cause?: unknown }) {
    const definition = ERROR_REGISTRY[key];
    super(renderTemplate(definition.message, params), options);
    this.key = key;
    this.status = definition.status;
    this.code = definition.code;
    this.params = params;
  }

  toBody(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: moreInfoUrl(this.code), status: this.status };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Replaces {name} with params.name; a placeholder without a value stays visible rather than vanishing. */
export function renderTemplate(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
