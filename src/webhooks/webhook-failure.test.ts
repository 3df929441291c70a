import { describe, expect, it } from 'vitest';
import { ABORTED, classifyHttpError, timedOut } from './webhook-failure.js';

/** An error shaped as node:net / node:tls / node:http raise them: the code on the error itself. */
function nodeError(code: string, message = `${code} failure`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyHttpError', () => {
  it.each([
    ['ECONNREFUSED', 11205],
    ['ECONNRESET', 11205],
    ['EHOSTUNREACH', 11205],
    ['ETIMEDOUT', 11205],
    ['EPIPE', 11205],
    ['ENOTFOUND', 11210],
    ['EAI_AGAIN', 11210],
    ['HPE_INVALID_CONSTANT', 11206],
    ['HPE_HEADER_OVERFLOW', 11206],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 11235],
    ['CERT_HAS_EXPIRED', 11236],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 11237],
    ['SELF_SIGNED_CERT_IN_CHAIN', 11237],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 11237],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 11220],
    ['EPROTO', 11220],
    ['ESOMETHINGELSE', 11200],
  ])('%s -> %i', (code, expected) => {
    expect(classifyHttpError(nodeError(code)).errorCode).toBe(expected);
  });

  it('keeps the socket error text, naming the code when the text does not', () => {
    expect(classifyHttpError(nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toEqual({
      errorCode: 11205,
      error: 'connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(classifyHttpError(nodeError('ECONNRESET', 'socket hang up'))).toEqual({ errorCode: 11205, error: 'ECONNRESET: socket hang up' });
    expect(classifyHttpError(nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'))).toEqual({
      errorCode: 11237,
      error: 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate',
    });
  });

  it('finds the code of an AggregateError from trying every address (Happy Eyeballs)', () => {
    const perAddress = [nodeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:9'), nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9')];
    expect(classifyHttpError(new AggregateError(perAddress, ''))).toEqual({ errorCode: 11205, error: 'connect ECONNREFUSED ::1:9' });
    // Node also copies the first code onto the aggregate itself.
    expect(classifyHttpError(Object.assign(new AggregateError(perAddress, ''), { code: 'ECONNREFUSED' })).errorCode).toBe(11205);
  });

  it('falls back to 11200 for anything without a code', () => {
    expect(classifyHttpError(new Error('Invalid header value'))).toEqual({ errorCode: 11200, error: 'Invalid header value' });
    expect(classifyHttpError(undefined)).toEqual({ errorCode: 11200, error: 'HTTP retrieval failure' });
  });
});

describe('timeouts and aborts', () => {
  it('are both 11200, with the timeout in the reason', () => {
    expect(timedOut(250)).toEqual({ errorCode: 11200, error: 'Timed out after 250 ms' });
    expect(ABORTED).toEqual({ errorCode: 11200, error: 'Request aborted' });
  });
});
