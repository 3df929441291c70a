import { describe, expect, it } from 'vitest';
import { databaseFailure } from './database-errors.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('databaseFailure', () => {
  it('recognises lost connections by SQLSTATE, driver message and socket code', () => {
    expect(databaseFailure(coded('57P01', 'terminating connection due to administrator command'))).toBe('connection-lost');
    expect(databaseFailure(coded('08006'))).toBe('connection-lost');
    expect(databaseFailure(coded('57P03', 'the database system is starting up'))).toBe('connection-lost');
    expect(databaseFailure(new Error('Connection terminated unexpectedly'))).toBe('connection-lost');
    expect(databaseFailure(new Error('Client has encountered a connection error and is not queryable'))).toBe('connection-lost');
    expect(databaseFailure(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe('connection-lost');
  });

  it('recognises statements cut short by a timeout, and a pool without a free connection', () => {
    expect(databaseFailure(coded('57014', 'canceling statement due to statement timeout'))).toBe('timeout');
    expect(databaseFailure(coded('55P03', 'canceling statement due to lock timeout'))).toBe('timeout');
    expect(databaseFailure(new Error('timeout exceeded when trying to connect'))).toBe('timeout');
  });

  it('recognises a server that refuses writes as a whole', () => {
    expect(databaseFailure(coded('25006', 'cannot execute INSERT in a read-only transaction'))).toBe('unavailable');
    expect(databaseFailure(coded('53100', 'could not extend file'))).toBe('unavailable');
    expect(databaseFailure(coded('53300', 'sorry, too many clients already'))).toBe('unavailable');
  });

  it('looks through Prisma\'s wrapping (meta.driverAdapterError, cause)', () => {
    const prisma = Object.assign(new Error('Raw query failed'), {
      code: 'P2010',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '57014', kind: 'postgres' } } },
    });
    expect(databaseFailure(prisma)).toBe('timeout');
    expect(databaseFailure(new Error('wrapped', { cause: coded('57P01') }))).toBe('connection-lost');
  });

  it('leaves data errors, bugs and non-errors alone', () => {
    expect(databaseFailure(coded('23505', 'duplicate key'))).toBeNull();
    expect(databaseFailure(coded('22P02'))).toBeNull();
    expect(databaseFailure(new TypeError('undefined is not a function'))).toBeNull();
    expect(databaseFailure(null)).toBeNull();
    expect(databaseFailure('Connection terminated')).toBeNull();
  });
});
