// Translates database errors into AppErrors at the store boundary, so no Prisma or driver type leaks upward.
import { AppError } from '../errors/app-error.js';
import type { ErrorKey } from '../errors/registry.js';

interface CodedError {
  code?: unknown;
  meta?: unknown;
}

/** Prisma P2002 or PostgreSQL 23505 (raw queries through the driver). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as CodedError | null)?.code;
  return code === 'P2002' || code === '23505';
}

/** Prisma P2025: the record an update or delete needed was not there. */
export function isRecordMissing(error: unknown): boolean {
  return (error as CodedError | null)?.code === 'P2025';
}

export interface TranslateOptions {
  /** What a unique violation means here, e.g. phoneNumberTaken. */
  unique?: { key: ErrorKey; params: Record<string, string | number> };
  /** The request path, for 20404's message. */
  path?: string;
}

/** Rethrows `error` as an AppError when it is a known database condition; anything else propagates unchanged. */
export function translateDatabaseError(error: unknown, options: TranslateOptions = {}): never {
  if (isUniqueViolation(error)) {
    if (options.unique) throw new AppError(options.unique.key, options.unique.params, { cause: error });
    throw new AppError('conflict', { detail: 'a unique value is already taken' }, { cause: error });
  }
  if (isRecordMissing(error)) throw new AppError('notFound', { path: options.path ?? 'resource' }, { cause: error });
  throw error;
}
