import { describe, expect, it } from 'vitest';
import { messageIdCandidates } from './message-id.js';

describe('messageIdCandidates', () => {
  it('correlates the cloudhopper receipt: hex TLV 38601fa and decimal text id 0059113978', () => {
    const candidates = messageIdCandidates(['38601fa', '0059113978']);
    expect(candidates.slice(0, 2)).toEqual(['38601fa', '0059113978']);
    expect(candidates).toContain('59113978');
    // Whichever form we stored from submit_sm_resp, one candidate matches it.
    expect(messageIdCandidates(['38601fa'])).toContain('0059113978');
    expect(messageIdCandidates(['0059113978'])).toContain('38601fa');
  });

  it('keeps non-numeric ids (UUIDs) as they are, once', () => {
    const id = 'c449ab9744f47b6af1879e49e75e4f40';
    expect(messageIdCandidates([id, id, null, ''])).toEqual([id]);
  });
});
