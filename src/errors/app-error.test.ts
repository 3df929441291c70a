import { describe, expect, it } from 'vitest';
import { AppError, renderTemplate } from './app-error.js';
import { ERROR_REGISTRY } from './registry.js';

describe('AppError', () => {
  it('renders Twilio\'s four-key body', () => {
    const error = new AppError('invalidTo', { to: '+1x' });
    expect(error.toBody()).toEqual({
      code: 21211, message: "The 'To' number +1x is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400,
    });
  });
  it('keeps a placeholder without a value visible', () => {
    expect(renderTemplate('a {x} b {y}', { x: 1 })).toBe('a 1 b {y}');
  });
  it('has an HTTP error status and a five-digit code for every entry', () => {
    for (const [key, e] of Object.entries(ERROR_REGISTRY)) {
      expect(e.status >= 400 && e.status < 600, key).toBe(true);
      expect(String(e.code), key).toMatch(/^\d{5}$/);
    }
  });
});
