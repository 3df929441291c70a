// RestComm-Connect's authentication (spec §2) on our accounts and keys: HTTP Basic with the scheme word exactly
// `Basic`, username an Account SID (or an SK key), password the auth token or any value whose MD5 hex is the
// token (RestComm sets tokens to MD5(password), so an account moved over with its token keeps its password).
// Failures are 401 with `WWW-Authenticate: Basic realm="Restcomm realm"`; an account outside the caller's own
// and its subaccounts is 403, as RestComm's PermissionEvaluator answers.
import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Account } from '../../store/account-store.js';
import { findAccount } from '../../store/account-store.js';
import type { Database } from '../../store/database.js';
import { authenticate, parseBasicAuthorization, type Principal } from '../auth.js';
import { REALM_HEADER, RestcommError } from './restcomm-response.js';

const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export async function authenticateRestcomm(db: Database, authorization: string | undefined): Promise<Principal> {
  // RestComm's filter compares the scheme case-sensitively; our Twilio parser accepts any case.
  const credentials = authorization?.startsWith('Basic ') === true ? parseBasicAuthorization(authorization) : null;
  if (!credentials) throw new RestcommError(401, '', REALM_HEADER);
  try {
    return await authenticate(db, { authorization });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
  try {
    // The second chance: the password itself, of which the stored token is the MD5.
    return await authenticate(db, { authorization: basicHeader(credentials.username, md5Hex(credentials.password)) });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new RestcommError(401, '', REALM_HEADER);
  }
}

/** The path account, if the principal may act on it (its own or one of its subaccounts, active); else 403. */
export async function authorizeRestcommAccount(db: Database, principal: Principal, accountSid: string): Promise<Account> {
  const account = principal.account.sid === accountSid ? principal.account : await findAccount(db, accountSid);
  const owns = account !== null && (account.sid === principal.accountSid || account.ownerAccountSid === principal.accountSid);
  if (!account || !owns) throw new RestcommError(403, '');
  if (account.status !== 'active') throw new RestcommError(403, 'Provided Account is not active');
  return account;
}
