import { describe, expect, it } from 'vitest';
import { classifyKeyword } from './opt-out-keywords.js';

describe('classifyKeyword', () => {
  it('knows Twilio\'s default keywords, whole body, any case, trimmed', () => {
    for (const word of ['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'OPTOUT', ' stop\n']) expect(classifyKeyword(word)).toBe('STOP');
    for (const word of ['START', 'yes', 'Unstop']) expect(classifyKeyword(word)).toBe('START');
    for (const word of ['HELP', 'info']) expect(classifyKeyword(word)).toBe('HELP');
  });

  it('ignores anything that is not exactly one keyword', () => {
    for (const body of ['STOP PLEASE', 'please stop', 'STOP!', '', 'stahp']) expect(classifyKeyword(body)).toBeNull();
  });
});
