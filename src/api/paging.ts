// Twilio's list envelope over keyset pages: plans the query from PageSize/Page/PageToken, then builds
// uri / first_page_uri / next_page_uri / previous_page_uri (relative, filters repeated) and start / end / page.
import { decodePageToken, encodePageToken, type PageToken } from './page-token.js';
import type { KeysetPosition } from '../store/keyset.js';

export interface PagingParams {
  PageSize?: number | undefined;
  Page?: number | undefined;
  PageToken?: string | undefined;
}

export interface PagePlan {
  pageSize: number;
  page: number;
  tokenText: string | undefined;
  position: KeysetPosition | undefined;
  /** Without a token, Page n means rows n*PageSize…; with one, the token decides. */
  offset: number;
  /** One more than the page, to learn whether another page follows. */
  limit: number;
}

export function planPage(params: PagingParams, sidPrefix: 'SM' | 'PN' | 'SK' | 'AC'): PagePlan {
  const pageSize = params.PageSize ?? 50;
  const page = params.Page ?? 0;
  const token: PageToken | undefined = params.PageToken === undefined ? undefined : decodePageToken(params.PageToken, sidPrefix);
  return {
    pageSize,
    page,
    tokenText: params.PageToken,
    position: token && { direction: token.direction, dateCreated: token.key.dateCreated, sid: token.key.sid },
    offset: token ? 0 : page * pageSize,
    limit: pageSize + 1,
  };
}

interface Keyed {
  dateCreated: Date;
  sid: string;
}

export interface PageMeta {
  end: number;
  first_page_uri: string;
  next_page_uri: string | null;
  page: number;
  page_size: number;
  previous_page_uri: string | null;
  start: number;
  uri: string;
}

/** `rows` is what the store returned for `plan` (up to pageSize + 1 rows, in list order). */
export function buildPage<T extends Keyed>(options: {
  path: string;
  filters: Array<[string, string | undefined]>;
  plan: PagePlan;
  rows: T[];
}): { records: T[]; meta: PageMeta } {
  const { plan, rows } = options;
  const backwards = plan.position?.direction === 'before';
  const overflow = rows.length > plan.pageSize;
  // Fetched backwards, the surplus row is the newest one, at the front; forwards, the oldest, at the end.
  const records = backwards ? rows.slice(Math.max(0, rows.length - plan.pageSize)) : rows.slice(0, plan.pageSize);
  const hasNext = backwards || overflow;
  const hasPrevious = backwards ? overflow : plan.page > 0 || plan.position !== undefined;
  const first = records[0];
  const last = records[records.length - 1];
  const link = (page: number, token?: string): string => {
    const query = new URLSearchParams();
    for (const [name, value] of options.filters) if (value !== undefined) query.append(name, value);
    query.append('PageSize', String(plan.pageSize));
    query.append('Page', String(page));
    if (token !== undefined) query.append('PageToken', token);
    return `${options.path}?${query.toString()}`;
  };
  const start = plan.page * plan.pageSize;
  return {
    records,
    meta: {
      end: records.length === 0 ? 0 : start + records.length - 1,
      first_page_uri: link(0),
      next_page_uri: hasNext && last ? link(plan.page + 1, encodePageToken({ direction: 'after', key: last })) : null,
      page: plan.page,
      page_size: plan.pageSize,
      previous_page_uri: hasPrevious && first && plan.page > 0
        ? link(plan.page - 1, encodePageToken({ direction: 'before', key: first }))
        : null,
      start,
      uri: link(plan.page, plan.tokenText),
    },
  };
}
