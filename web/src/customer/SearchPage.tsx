import { useEffect, useState } from 'react';
import { usePlace } from '../lib/place';
import { navigate, useSearchParam } from '../lib/router';
import { Empty, ErrorBanner } from '../ui';
import { useCategories, useProducts } from './catalog';
import { CategoryTiles } from './HomePage';
import { ProductCard, ProductGridSkeleton } from './ProductCard';
import { useCart } from './useCart';

/** Debounces typing so a query goes out once the customer pauses. */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function SearchPage() {
  const place = usePlace();
  const q = (useSearchParam('q') ?? '').trim();
  const term = useDebounced(q);
  const products = useProducts(term.length >= 2 ? place?.store_id : null, { q: term });
  const categories = useCategories();
  const cart = useCart();
  useEffect(() => {
    document.getElementById('global-search')?.focus();
  }, []);
  if (!place) {
    navigate('/location', { replace: true });
    return null;
  }
  return (
    <>
      <h1 className="sr-only">Search</h1>
      {term.length < 2 ? (
        <section aria-labelledby="browse-h">
          <h2 id="browse-h">Browse categories</h2>
          {categories.data ? <CategoryTiles tree={categories.data} /> : null}
        </section>
      ) : (
        <section aria-live="polite" aria-busy={products.loading}>
          <ErrorBanner error={products.error} onRetry={() => void products.reload()} />
          {products.items ? (
            products.items.length ? (
              <>
                <p className="muted">
                  Results for “{term}” at {place.store_name}
                </p>
                <div className="product-grid">
                  {products.items.map((p) => (
                    <ProductCard
                      key={p.id}
                      product={p}
                      quantity={cart.quantityOf(p.id)}
                      busy={cart.busy === p.id}
                      onChange={(qty) => void cart.setQuantity(p.id, qty)}
                    />
                  ))}
                </div>
              </>
            ) : (
              <Empty icon="search" title={`No results for “${term}”`}>
                <p>Try a shorter word, or browse the categories.</p>
              </Empty>
            )
          ) : (
            <ProductGridSkeleton count={5} />
          )}
        </section>
      )}
    </>
  );
}
