// Which statuses allow which API operations. The sets are the contract between the API (cancel, redact,
// delete) and the dispatcher that moves messages forward.

export const MESSAGE_STATUSES = [
  'queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received', 'accepted',
  'scheduled', 'read', 'partially_delivered', 'canceled',
] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Not yet handed to the SMSC: these may still be canceled (and only while no dispatcher holds a claim). */
export const CANCELABLE_STATUSES: readonly MessageStatus[] = ['queued', 'accepted', 'scheduled'];

/** Still moving: DELETE answers 20009 and redaction 30400 until the message leaves these. */
export const IN_PROGRESS_STATUSES: readonly MessageStatus[] = ['queued', 'accepted', 'scheduled', 'sending', 'receiving'];

/**
 * "Post-flight" statuses, where the body may be redacted. `sent` is included: a message whose SMSC never
 * returns a receipt stays `sent` for good, and it must be possible to redact it.
 */
export const FINISHED_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter(
  (status) => !IN_PROGRESS_STATUSES.includes(status),
);

export function isInProgress(status: string): boolean {
  return (IN_PROGRESS_STATUSES as readonly string[]).includes(status);
}
