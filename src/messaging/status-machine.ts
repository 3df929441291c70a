// The outbound status machine (architecture.md), pure:
//   queued ─▶ sending ─▶ sent ─▶ delivered | undelivered        (failed from any earlier step; canceled from queued)
// store/status-change-store.ts renders the same rule as SQL from these tables, so the two cannot drift.

export type OutboundStatus =
  | 'accepted' | 'scheduled' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'canceled';

/** Order of the outbound statuses; a change must move strictly up. accepted/scheduled precede queued. */
export const STATUS_RANK: Readonly<Record<OutboundStatus, number>> = {
  accepted: 0, scheduled: 0, queued: 1, sending: 2, sent: 3, delivered: 4, undelivered: 4, failed: 4, canceled: 4,
};
export const TERMINAL: readonly OutboundStatus[] = ['delivered', 'undelivered', 'failed', 'canceled'];
/** Only a message that has not started sending can be canceled. */
export const CANCELABLE: readonly OutboundStatus[] = ['accepted', 'scheduled', 'queued'];
/** A receipt may correct these final statuses (to each other, or to failed) within the correction window. */
export const CORRECTABLE: readonly OutboundStatus[] = ['delivered', 'undelivered'];

function isOutboundStatus(value: string): value is OutboundStatus {
  return Object.hasOwn(STATUS_RANK, value);
}

/** Whether `from` may become `to`. A late `sent` never overwrites `delivered`; terminal statuses stay. */
export function canTransition(from: string, to: string): boolean {
  if (!isOutboundStatus(from) || !isOutboundStatus(to)) return false;
  if (to === 'canceled') return CANCELABLE.includes(from);
  if (TERMINAL.includes(from)) return false;
  return STATUS_RANK[to] > STATUS_RANK[from];
}
