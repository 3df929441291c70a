import { describe, expect, it } from 'vitest';
import { buildPage, planPage } from './paging.js';
import { decodePageToken } from './page-token.js';

const row = (n: number) => ({ dateCreated: new Date(Date.UTC(2026, 0, 1, 0, 0, n)), sid: `SM${String(n).padStart(32, '0')}` });

describe('buildPage', () => {
  it('links the next page with the last row and repeats the filters', () => {
    const plan = planPage({ PageSize: 2 }, 'SM');
    const page = buildPage({ path: '/p.json', filters: [['To', '+1 2'], ['DateSent>', '2024-01-01'], ['From', undefined]], plan, rows: [row(9), row(8), row(7)] });
    expect(page.records).toEqual([row(9), row(8)]);
    expect(page.meta).toMatchObject({ start: 0, end: 1, page: 0, page_size: 2, previous_page_uri: null,
      uri: '/p.json?To=%2B1+2&DateSent%3E=2024-01-01&PageSize=2&Page=0', first_page_uri: '/p.json?To=%2B1+2&DateSent%3E=2024-01-01&PageSize=2&Page=0' });
    const next = new URL(page.meta.next_page_uri ?? '', 'http://x');
    expect(next.searchParams.get('Page')).toBe('1');
    expect(decodePageToken(next.searchParams.get('PageToken') ?? '', 'SM')).toEqual({ direction: 'after', key: row(8) });
  });
  it('has no next page on the last page and links back with a PB token', () => {
    const first = buildPage({ path: '/p.json', filters: [], plan: planPage({ PageSize: 2 }, 'SM'), rows: [row(9), row(8), row(7)] });
    const token = new URL(first.meta.next_page_uri ?? '', 'http://x').searchParams.get('PageToken') ?? '';
    const plan = planPage({ PageSize: 2, Page: 1, PageToken: token }, 'SM');
    const last = buildPage({ path: '/p.json', filters: [], plan, rows: [row(7)] });
    expect(last.meta).toMatchObject({ start: 2, end: 2, page: 1, next_page_uri: null });
    const previous = new URL(last.meta.previous_page_uri ?? '', 'http://x').searchParams;
    expect(previous.get('Page')).toBe('0');
    expect(decodePageToken(previous.get('PageToken') ?? '', 'SM')).toEqual({ direction: 'before', key: row(7) });
  });
  it('reports end 0 for an empty page', () => {
    const page = buildPage({ path: '/p.json', filters: [], plan: planPage({}, 'SM'), rows: [] });
    expect(page.meta).toMatchObject({ start: 0, end: 0, page_size: 50, next_page_uri: null, previous_page_uri: null });
  });
});
