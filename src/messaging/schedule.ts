// Twilio's message scheduling rules (services spec §4): ScheduleType=fixed with SendAt, through a Messaging
// Service, inside a window after "now". Pure: the caller gives the clock and the window.
import { AppError } from '../errors/app-error.js';

export interface ScheduleWindow {
  /** SendAt must be more than this many seconds ahead (Twilio: 300). */
  minLeadS: number;
  /** … and at most this many (Twilio: 35 days). */
  maxLeadS: number;
}

export const DEFAULT_SCHEDULE_WINDOW: ScheduleWindow = { minLeadS: 300, maxLeadS: 35 * 86_400 };

/** ISO 8601 date-time with a zone (Z or ±hh:mm); fractions allowed. twilio-node sends YYYY-MM-DDTHH:mm:ssZ. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * When the message is due: null for an unscheduled one (no ScheduleType; a SendAt alone is ignored, as the spec
 * suggests), else SendAt. 35126 other type, 35111 no SendAt, 35115 unreadable, 35114 outside the window,
 * 35118 without a service.
 */
export function planSchedule(
  params: { ScheduleType?: string | undefined; SendAt?: string | undefined },
  options: { viaService: boolean; now: Date; window: ScheduleWindow },
): Date | null {
  const type = params.ScheduleType;
  if (type === undefined || type === '') return null;
  if (type !== 'fixed') throw new AppError('scheduleTypeUnsupported', { scheduleType: type });
  const text = params.SendAt;
  if (text === undefined || text === '') throw new AppError('sendAtMissing');
  const sendAt = ISO_DATE_TIME.test(text.trim()) ? new Date(text.trim()) : null;
  if (sendAt === null || Number.isNaN(sendAt.getTime())) throw new AppError('sendAtInvalid', { sendAt: text });
  const leadS = (sendAt.getTime() - options.now.getTime()) / 1000;
  if (leadS <= options.window.minLeadS || leadS > options.window.maxLeadS) {
    throw new AppError('sendAtOutOfWindow', { minSeconds: options.window.minLeadS, maxSeconds: options.window.maxLeadS });
  }
  if (!options.viaService) throw new AppError('scheduleNeedsService');
  return sendAt;
}
