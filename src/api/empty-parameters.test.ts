import { describe, expect, it } from 'vitest';
import { withoutEmptyValues } from './empty-parameters.js';

describe('withoutEmptyValues', () => {
  it('drops empty values and empty repeats, and keeps everything else as it is', () => {
    expect(withoutEmptyValues({
      To: '+15551234567', From: '', ValidityPeriod: '', SmartEncoded: 'false', MediaUrl: ['', ''], PersistentAction: ['', 'a'], Body: ' ',
    })).toEqual({ To: '+15551234567', SmartEncoded: 'false', PersistentAction: ['a'], Body: ' ' });
    expect(withoutEmptyValues({})).toEqual({});
  });
});
