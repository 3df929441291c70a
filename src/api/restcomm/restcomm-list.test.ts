import { describe, expect, it } from 'vitest';
import { checkPageInRange, planRestcommList, restcommListEnvelope } from './restcomm-list.js';

describe('planRestcommList', () => {
  it('defaults to page 0 of 50, newest first', () => {
    expect(planRestcommList({})).toMatchObject({ page: 0, pageSize: 50, sort: { field: 'DateCreated', descending: true } });
  });
  it('reads SortBy with an optional direction and refuses anything else', () => {
    expect(planRestcommList({ SortBy: 'From' }).sort).toEqual({ field: 'From', descending: false });
    expect(planRestcommList({ SortBy: 'Price:desc' }).sort).toEqual({ field: 'Price', descending: true });
    for (const bad of ['DateCreated:bogus', ':asc', 'Sid', 'From:asc:x']) expect(() => planRestcommList({ SortBy: bad })).toThrow();
  });
  it('reads StartTime/EndTime as days, EndTime inclusive of the next day as RestComm does', () => {
    const plan = planRestcommList({ StartTime: '2026-12-01', EndTime: '2026-12-02' });
    expect(plan.filter.createdFrom?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(plan.filter.createdUntil?.toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(() => planRestcommList({ StartTime: '2026-13-01' })).toThrow();
  });
});

describe('restcommListEnvelope', () => {
  const plan = (page: number) => planRestcommList({ Page: String(page), PageSize: '10' });
  const items = (n: number) => Array.from({ length: n }, (_, i) => i);
  it('keeps RestComm\'s shapes: string start/end, "null" links, last page end = start + count (34 items)', () => {
    const first = restcommListEnvelope({ uri: '/u', plan: plan(0), total: 34, items: items(10), lastSid: 'SMa' });
    expect(first).toMatchObject({ page: 0, num_pages: 3, total: 34, start: '0', end: '9', previous_page_uri: 'null',
      first_page_uri: '/u?Page=0&PageSize=10', next_page_uri: '/u?Page=1&PageSize=10&AfterSid=SMa', last_page_uri: '/u?Page=3&PageSize=10' });
    expect(restcommListEnvelope({ uri: '/u', plan: plan(2), total: 34, items: items(10), lastSid: 'SMb' })).toMatchObject({ start: '20', end: '29' });
    const last = restcommListEnvelope({ uri: '/u', plan: plan(3), total: 34, items: items(4), lastSid: 'SMc' });
    expect(last).toMatchObject({ start: '30', end: '34', next_page_uri: 'null', previous_page_uri: '/u?Page=2&PageSize=10' });
  });
  it('refuses a page past total / PageSize', () => {
    expect(() => checkPageInRange(plan(3), 34)).not.toThrow();
    expect(() => checkPageInRange(plan(4), 34)).toThrow();
  });
});
