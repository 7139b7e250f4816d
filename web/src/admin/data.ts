/** Admin reads: every page of a list (bounded), a list read a page at a time, shared lookups. */
import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';

type Page<T> = { items: T[]; next_cursor?: string | null };

export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
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

/**
 * A list shown a page at a time: the first page is a cached query under `key`, later pages are
 * appended by `loadMore` and dropped when the first page changes (a new filter, a reload).
 */
export function usePaged<T>(key: string | null, fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const first = useQuery(key, () => fetchPage());
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  useEffect(() => {
    setMore([]);
    setMoreError(null);
    setCursor(first.data?.next_cursor ?? null);
  }, [first.data]);
  const rows = useMemo(() => [...(first.data?.items ?? []), ...more], [first.data, more]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchPage(cursor);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  return {
    rows,
    loading: first.loading,
    error: first.error ?? moreError,
    reload: first.reload,
    hasMore: cursor !== null,
    /** For DataTable's `more`. */
    more: cursor ? { onMore: () => void loadMore(), busy: loadingMore } : null,
  };
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
