// The per-account and per-number choice of road to the SMSC (`sms_route`): "sip", "smpp", or null for "the next
// level decides" (number → account → SMSC_DEFAULT_ROUTE). The dispatcher reads these columns when it claims a
// message (dispatch/claim.ts); this file only writes and reads them for the API.
import type { SmscRoute } from '../messaging/smsc-gateway.js';
import { findAccount, type Account } from './account-store.js';
import type { Database } from './database.js';
import type { PhoneNumber } from './phone-number-store.js';
import { changingDirectory } from './directory-version.js';

/** The API's spelling: a road, or `default` to clear the choice. */
export type SmscRouteChoice = SmscRoute | 'default';

export function routeColumn(choice: SmscRouteChoice): SmscRoute | null {
  return choice === 'default' ? null : choice;
}

/** What the API shows for a stored column value. */
export function routeChoice(column: string | null): SmscRouteChoice {
  return column === 'sip' || column === 'smpp' ? column : 'default';
}

/** Sets an account's road; null when the account does not exist. */
export async function setAccountRoute(db: Database, options: { accountSid: string; route: SmscRouteChoice }): Promise<Account | null> {
  const { count } = await changingDirectory(() => db.prisma.account.updateMany({
    where: { sid: options.accountSid },
    data: { smsRoute: routeColumn(options.route) },
  }));
  return count === 0 ? null : findAccount(db, options.accountSid);
}

/** Sets the road of messages sent from a number of the account; null when there is no such number. */
export async function setNumberRoute(
  db: Database,
  options: { accountSid: string; sid: string; route: SmscRouteChoice },
): Promise<PhoneNumber | null> {
  const { count } = await changingDirectory(() => db.prisma.phoneNumber.updateMany({
    where: { sid: options.sid, accountSid: options.accountSid },
    data: { smsRoute: routeColumn(options.route) },
  }));
  return count === 0 ? null : db.prisma.phoneNumber.findFirst({ where: { sid: options.sid, accountSid: options.accountSid } });
}
