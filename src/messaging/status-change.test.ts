import { describe, expect, it } from 'vitest';
import { canTransition } from './status-change.js';

describe('canTransition', () => {
  it('moves forward through queued, sending, sent, final', () => {
    expect(canTransition('queued', 'sending')).toBe(true);
    expect(canTransition('sending', 'sent')).toBe(true);
    expect(canTransition('sent', 'delivered')).toBe(true);
    expect(canTransition('sent', 'undelivered')).toBe(true);
    expect(canTransition('queued', 'failed')).toBe(true);
    expect(canTransition('queued', 'delivered')).toBe(true);
  });

  it('never lets a late status overwrite a later one', () => {
    expect(canTransition('delivered', 'sent')).toBe(false);
    expect(canTransition('sent', 'sent')).toBe(false);
    expect(canTransition('sent', 'sending')).toBe(false);
    expect(canTransition('failed', 'delivered')).toBe(false);
    expect(canTransition('undelivered', 'delivered')).toBe(false);
  });

  it('cancels only what has not started sending, and canceled is final', () => {
    expect(canTransition('queued', 'canceled')).toBe(true);
    expect(canTransition('scheduled', 'canceled')).toBe(true);
    expect(canTransition('sending', 'canceled')).toBe(false);
    expect(canTransition('canceled', 'sent')).toBe(false);
  });

  it('rejects statuses outside the outbound machine', () => {
    expect(canTransition('received', 'sent')).toBe(false);
    expect(canTransition('queued', 'read')).toBe(false);
  });
});
