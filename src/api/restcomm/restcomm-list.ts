// RestComm-Connect's list parameters and its JSON paging envelope (spec §1.6), pure. Its wire quirks are kept
// on purpose, because apps parse them: `start`/`end` are strings, a missing previous/next page is the string
// "null", `num_pages` is total / PageSize (so the last page's index equals it) and the last page's `end` is
// start + item count.
import type { RestcommMessageFilter, RestcommSortField } from '../../store/restcomm-message-list.js';
import { RESTCOMM_SORT_COLUMNS } from '../../store/restcomm-message-list.js';
import { storedStatusesFor } from './restcomm-representation.js';
import { RestcommError } from './restcomm-response.js';

export const DEFAULT_PAGE_SIZE = 50;
/** RestComm has no ceiling; one keeps a single request from reading the whole table. */
export const MAX_PAGE_SIZE = 1000;

export type RestcommListQuery = Record<string, string | undefined>;

export interface RestcommListPlan {
  filter: Omit<RestcommMessageFilter, 'accountSid'>;
  sort: { field: RestcommSortField; descending: boolean };
  page: number;
  pageSize: number;
}

const bad = (text: string): RestcommError => new RestcommError(400, text);

function nonNegativeInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,9}$/.test(text)) throw bad(`${name} must be a non-negative integer`);
  return Number(text);
}

/** `yyyy-MM-dd` as UTC midnight. */
function day(name: string, text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) throw bad(`${name} must be a date as yyyy-MM-dd`);
  return date;
}

function parseSort(text: string | undefined): RestcommListPlan['sort'] {
  if (text === undefined) return { field: 'DateCreated', descending: true };
  const [field = '', direction, ...rest] = text.split(':');
  if (field === '' || rest.length > 0 || !Object.hasOwn(RESTCOMM_SORT_COLUMNS, field)) {
    throw bad(`SortBy must be one of ${Object.keys(RESTCOMM_SORT_COLUMNS).join(', ')}, optionally followed by :asc or :desc`);
  }
  if (direction !== undefined && direction !== 'asc' && direction !== 'desc') throw bad('SortBy direction must be asc or desc');
  return { field: field as RestcommSortField, descending: direction === 'desc' };
}

const DAY_MS = 86_400_000;

export function planRestcommList(query: RestcommListQuery): RestcommListPlan {
  const pageSize = nonNegativeInteger('PageSize', query.PageSize, DEFAULT_PAGE_SIZE);
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw bad(`PageSize must be between 1 and ${MAX_PAGE_SIZE}`);
  const page = nonNegativeInteger('Page', query.Page, 0);
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
  const status = nonEmpty(query.Status);
  const start = nonEmpty(query.StartTime);
  const end = nonEmpty(query.EndTime);
  return {
    filter: {
      includeSubaccounts: query.SubAccounts === 'true',
      toSuffix: nonEmpty(query.To),
      fromSuffix: nonEmpty(query.From),
      statuses: status === undefined ? undefined : storedStatusesFor(status),
      bodyContains: nonEmpty(query.Body),
      createdFrom: start === undefined ? undefined : day('StartTime', start),
      // RestComm: date_created <= EndTime + 1 day.
      createdUntil: end === undefined ? undefined : new Date(day('EndTime', end).getTime() + DAY_MS),
    },
    sort: parseSort(nonEmpty(query.SortBy)),
    page,
    pageSize,
  };
}

/** RestComm refuses a page past the last one (page index > total / PageSize). */
export function checkPageInRange(plan: RestcommListPlan, total: number): void {
  if (plan.page > Math.floor(total / plan.pageSize)) throw bad(`Page ${plan.page} is past the last page`);
}

export function restcommListEnvelope<T>(options: {
  uri: string;
  plan: RestcommListPlan;
  total: number;
  items: T[];
  lastSid: string | undefined;
}): Record<string, unknown> {
  const { uri, plan, total, items } = options;
  const numPages = Math.floor(total / plan.pageSize);
  const start = plan.page * plan.pageSize;
  const isLast = plan.page >= numPages;
  const link = (page: number, extra = ''): string => `${uri}?Page=${page}&PageSize=${plan.pageSize}${extra}`;
  return {
    page: plan.page,
    num_pages: numPages,
    page_size: plan.pageSize,
    total,
    start: String(start),
    end: String(isLast ? start + items.length : start + plan.pageSize - 1),
    uri,
    first_page_uri: link(0),
    previous_page_uri: plan.page === 0 ? 'null' : link(plan.page - 1),
    next_page_uri: isLast ? 'null' : link(plan.page + 1, options.lastSid === undefined ? '' : `&AfterSid=${options.lastSid}`),
    last_page_uri: link(numPages),
    messages: items,
  };
}
