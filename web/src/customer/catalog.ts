/** Catalog reads for the customer screens. */
import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import type { CategoryNode, StoreProduct } from '../lib/types';

/** The store's in-stock products, best sellers first (``onOffer``: only those under MRP). */
export function usePopular(storeId: string | null | undefined, onOffer: boolean, limit: number) {
  return useQuery(storeId ? `popular:${storeId}:${onOffer}:${limit}` : null, () =>
    unwrap(
      api.GET('/api/v1/stores/{store_id}/popular', {
        params: { path: { store_id: storeId! }, query: { on_offer: onOffer, limit } },
      }),
    ),
  );
}

export function useCategories() {
  return useQuery('categories', () => unwrap(api.GET('/api/v1/categories')));
}

export function findCategory(
  tree: CategoryNode[] | undefined,
  id: string,
): { node: CategoryNode; parent: CategoryNode | null } | null {
  for (const node of tree ?? []) {
    if (node.id === id) return { node, parent: null };
    for (const child of (node.children ?? []) as CategoryNode[]) {
      if (child.id === id) return { node: child, parent: node };
      const deeper = findCategory((child.children ?? []) as CategoryNode[], id);
      if (deeper) return deeper;
    }
  }
  return null;
}

export interface ProductFilter {
  category_id?: string | undefined;
  q?: string | undefined;
  brand?: string | undefined;
  min_price?: number | undefined;
  max_price?: number | undefined;
  in_stock?: boolean | undefined;
  limit?: number;
}

export function fetchProducts(storeId: string, filter: ProductFilter, cursor?: string | null) {
  return unwrap(
    api.GET('/api/v1/stores/{store_id}/products', {
      params: {
        path: { store_id: storeId },
        query: {
          category_id: filter.category_id || undefined,
          q: filter.q || undefined,
          brand: filter.brand || undefined,
          min_price: filter.min_price,
          max_price: filter.max_price,
          in_stock: filter.in_stock,
          limit: filter.limit ?? 24,
          cursor: cursor ?? undefined,
        },
      },
    }),
  );
}

/** First page from the shared cache, more pages on demand ("Load more"). */
export function useProducts(storeId: string | null | undefined, filter: ProductFilter) {
  const key = storeId
    ? `products:${storeId}:${filter.category_id ?? ''}:${filter.q ?? ''}:${filter.brand ?? ''}:` +
      `${filter.min_price ?? ''}:${filter.max_price ?? ''}:${filter.in_stock ?? ''}:${filter.limit ?? 24}`
    : null;
  const first = useQuery(key, () => fetchProducts(storeId!, filter));
  const [more, setMore] = useState<StoreProduct[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  useEffect(() => {
    setMore([]);
    setCursor(first.data?.next_cursor ?? null);
  }, [key, first.data]);

  const loadMore = useCallback(async () => {
    if (!storeId || !cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await fetchProducts(storeId, filter, cursor);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storeId, cursor, key]);

  return {
    page: first.data,
    items: first.data ? [...first.data.items, ...more] : undefined,
    loading: first.loading,
    error: first.error ?? moreError,
    reload: first.reload,
    hasMore: !!cursor,
    loadMore,
    loadingMore,
  };
}

/** Completions under the search box while the customer types (a correction, categories, products). */
export function useSuggestions(storeId: string | null | undefined, q: string) {
  return useQuery(storeId && q.trim().length >= 2 ? `suggest:${storeId}:${q.trim()}` : null, () =>
    unwrap(
      api.GET('/api/v1/stores/{store_id}/search/suggestions', {
        params: { path: { store_id: storeId! }, query: { q: q.trim(), limit: 8 } },
      }),
    ),
  );
}

const RECENT_KEY = 'kirana.recent-searches';
const RECENT_MAX = 6;

/** What this device searched for lately, newest first (kept on the device only). */
export function recentSearches(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberSearch(q: string): void {
  const term = q.trim();
  if (term.length < 2) return;
  const next = [term, ...recentSearches().filter((s) => s.toLowerCase() !== term.toLowerCase())];
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(next.slice(0, RECENT_MAX)));
  } catch {
    // storage full or disabled: recent searches are a convenience
  }
}

export function forgetSearches(): void {
  try {
    localStorage.removeItem(RECENT_KEY);
  } catch {
    // as above
  }
}
