/** Admin reads: every page of a list (bounded), plus shared lookups. */
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';

export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  maxPages = 20,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(cursor);
    out.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export function useStores() {
  return useQuery('stores', () =>
    unwrap(api.GET('/api/v1/stores', { params: { query: { limit: 100 } } })),
  );
}

export function useAdminCategories() {
  return useQuery('admin:categories', () =>
    allPages((cursor) =>
      unwrap(api.GET('/api/v1/admin/categories', { params: { query: { cursor, limit: 100 } } })),
    ),
  );
}

export function useAdminProducts() {
  return useQuery('admin:products', () =>
    allPages((cursor) =>
      unwrap(api.GET('/api/v1/admin/products', { params: { query: { cursor, limit: 100 } } })),
    ),
  );
}
