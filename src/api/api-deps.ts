// What the route plugins need, assembled once in app.ts.
import type { FastifyRequest } from 'fastify';
import type { Database } from '../store/database.js';
import type { MessageWriter, SenderDirectory } from '../messaging/ports.js';
import type { Account } from '../store/account-store.js';
import type { Principal } from './auth.js';
import type { ScheduleWindow } from '../messaging/schedule.js';

export interface ApiDeps {
  db: Database;
  writer: MessageWriter;
  senders: SenderDirectory;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: whether webhook URLs may name a private IP address literally. */
  allowPrivateWebhookUrls: boolean;
  /** SCHEDULE_MIN_LEAD_S / SCHEDULE_MAX_LEAD_S: the SendAt window. */
  scheduleWindow: ScheduleWindow;
}

/** The authorised path account; the auth hook guarantees it on every route with {AccountSid}. */
export function pathAccount(request: FastifyRequest): Account {
  if (!request.account) throw new Error('route with {AccountSid} ran without the account hook');
  return request.account;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('authenticated route ran without the auth hook');
  return request.principal;
}
