import { describe, expect, it } from 'vitest';
import { classifyFetchError } from './webhook-failure.js';

function fetchFailed(code: string, message = `${code} failure`): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

describe('classifyFetchError', () => {
  it.each([
    ['ECONNREFUSED', 11205],
    ['ECONNRESET', 11205],
    ['UND_ERR_CONNECT_TIMEOUT', 11205],
    ['UND_ERR_SOCKET', 11205],
    ['ENOTFOUND', 11210],
    ['EAI_AGAIN', 11210],
    ['HPE_INVALID_CONSTANT', 11206],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 11235],
    ['CERT_HAS_EXPIRED', 11236],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 11237],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 11237],
    ['EPROTO', 11220],
    ['ESOMETHINGELSE', 11200],
  ])('%s -> %i', (code, expected) => {
    expect(classifyFetchError(fetchFailed(code), 15000).errorCode).toBe(expected);
  });

  it('reports timeouts and aborts as 11200', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyFetchError(timeout, 250)).toEqual({ errorCode: 11200, error: 'Timed out after 250 ms' });
    expect(classifyFetchError(new DOMException('aborted', 'AbortError'), 250)).toEqual({ errorCode: 11200, error: 'Request aborted' });
  });

  it('keeps the socket error text', () => {
    expect(classifyFetchError(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 1)).toEqual({
      errorCode: 11205,
      error: 'connect ECONNREFUSED 127.0.0.1:9',
    });
  });

  it('finds the code inside an AggregateError cause (Happy Eyeballs)', () => {
    const aggregate = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:9'), { code: 'ECONNREFUSED' })], '');
    expect(classifyFetchError(new TypeError('fetch failed', { cause: aggregate }), 1).errorCode).toBe(11205);
  });
});
