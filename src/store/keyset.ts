// Keyset paging for the Prisma-backed lists (numbers, keys, accounts): the same (date_created DESC, sid DESC)
// order and the same position semantics as the messages list.
export interface KeysetPosition {
  direction: 'after' | 'before';
  dateCreated: Date;
  sid: string;
}

export interface KeysetQuery {
  where: Record<string, unknown>;
  orderBy: Array<Record<string, 'asc' | 'desc'>>;
}

export function keysetQuery(position: KeysetPosition | undefined): KeysetQuery {
  if (!position) return { where: {}, orderBy: [{ dateCreated: 'desc' }, { sid: 'desc' }] };
  const op = position.direction === 'after' ? 'lt' : 'gt';
  const dir = position.direction === 'after' ? 'desc' : 'asc';
  return {
    where: {
      OR: [
        { dateCreated: { [op]: position.dateCreated } },
        { dateCreated: position.dateCreated, sid: { [op]: position.sid } },
      ],
    },
    orderBy: [{ dateCreated: dir }, { sid: dir }],
  };
}

/** Rows fetched backwards come out oldest first; the list order is newest first. */
export function inListOrder<T>(rows: T[], position: KeysetPosition | undefined): T[] {
  return position?.direction === 'before' ? rows.reverse() : rows;
}
