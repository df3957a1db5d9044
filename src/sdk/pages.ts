/**
 * The `listAll` helpers: async iterables over every item of a paginated list, asking for one page
 * at a time as the loop goes (`for await (const ep of client.endpoints.listAll())`). Breaking out of
 * the loop asks for no more pages.
 */

/** One page of an offset-paged list: its items and, where the list answers one, the total. */
export interface OffsetPage<T> {
  items: T[];
  total?: number;
}

/**
 * limit/offset paging (the VPC Endpoint lists, ListResourceInstances, IAM's page/per_page): pages
 * of `limit` from `offset` on, until `total` items were seen, or, without a total, a page comes back
 * short; an empty page ends it either way.
 */
export async function* offsetPaged<T>(
  start: { limit?: number | undefined; offset?: number | undefined },
  maxLimit: number,
  page: (offset: number, limit: number) => Promise<OffsetPage<T>>,
): AsyncGenerator<T, void, undefined> {
  const limit = start.limit ?? maxLimit;
  let offset = start.offset ?? 0;
  for (;;) {
    const { items, total } = await page(offset, limit);
    yield* items;
    offset += items.length;
    if (items.length === 0 || (total === undefined ? items.length < limit : offset >= total)) return;
  }
}

/**
 * Every item of a limit/offset list that answers `total_count`: `list` is the list call, `items`
 * takes a page's items out of its answer.
 */
export function everyItem<
  Q extends { limit?: number; offset?: number },
  P extends { total_count: number },
  I,
>(
  query: Q,
  maxLimit: number,
  list: (query: Q) => Promise<P>,
  items: (page: P) => I[],
): AsyncGenerator<I, void, undefined> {
  return offsetPaged(query, maxLimit, async (offset, limit) => {
    const page = await list({ ...query, offset, limit });
    return { items: items(page), total: page.total_count };
  });
}

/** One page of a marker-paged list: its items, and the marker of the next page when there may be one. */
export interface MarkerPage<T> {
  items: T[];
  next: string | undefined;
}

/**
 * marker paging (the VPC API's route tables, the audit trail): each page starts at the marker the one
 * before gave, until a page gives none or comes back empty.
 */
export async function* markerPaged<T>(
  start: { limit?: number | undefined; marker?: string | undefined },
  maxLimit: number,
  page: (marker: string | undefined, limit: number) => Promise<MarkerPage<T>>,
): AsyncGenerator<T, void, undefined> {
  const limit = start.limit || maxLimit;
  let marker = start.marker;
  for (;;) {
    const { items, next } = await page(marker, limit);
    yield* items;
    if (items.length === 0 || next === undefined) return;
    marker = next;
  }
}
