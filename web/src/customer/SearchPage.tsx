import { useEffect, useState } from 'react';
import { usePlace } from '../lib/place';
import { Link, navigate, useLocation, useSearchParam } from '../lib/router';
import { Empty, ErrorBanner } from '../ui';
import { rememberSearch, useCategories, useProducts } from './catalog';
import { CategoryTiles } from './HomePage';
import { ProductGridSkeleton, ProductList } from './ProductCard';

/** Debounces typing so a query goes out once the customer pauses. */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

type Page = NonNullable<ReturnType<typeof useProducts>['page']>;
type Facets = NonNullable<Page['facets']>;

const FILTERS = ['category_id', 'brand', 'in_stock', 'min_price', 'max_price'] as const;
type FilterName = (typeof FILTERS)[number];

/** The search URL with one filter set (or cleared, with null), the others kept. */
function withFilter(name: FilterName, value: string | null): string {
  const params = new URLSearchParams(location.search);
  if (value === null) params.delete(name);
  else params.set(name, value);
  return `/search?${params.toString()}`;
}

/** An amount in the currency's whole units (euros, rupees), as the price filter takes them. */
function wholeUnits(minor: number): number {
  return Math.round(minor / 100);
}

/** One facet as radio buttons (its eight biggest values, with their counts) and a way back
 * to any value. */
function FacetChoice({
  legend,
  name,
  anyLabel,
  chosen,
  options,
}: {
  legend: string;
  name: FilterName;
  anyLabel: string;
  chosen: string | null;
  options: { value: string; label: string; count: number }[];
}) {
  if (!options.length) return null;
  const set = (value: string | null) => navigate(withFilter(name, value), { replace: true });
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.slice(0, 8).map((o) => (
        <label className="check" key={o.value}>
          <input
            type="radio"
            name={`facet-${name}`}
            checked={chosen === o.value}
            onChange={() => set(o.value)}
          />
          {o.label} ({o.count})
        </label>
      ))}
      {chosen ? (
        <button type="button" className="link-btn" onClick={() => set(null)}>
          {anyLabel}
        </button>
      ) : null}
    </fieldset>
  );
}

function FacetPanel({ facets, params }: { facets: Facets; params: URLSearchParams }) {
  const set = (name: FilterName, value: string | null) =>
    navigate(withFilter(name, value), { replace: true });
  const inWholeUnits = (name: string) => {
    const value = numberParam(params, name);
    return value === undefined ? '' : String(wholeUnits(value));
  };
  const [min, setMin] = useState(() => inWholeUnits('min_price'));
  const [max, setMax] = useState(() => inWholeUnits('max_price'));
  const active = FILTERS.filter((f) => params.get(f) !== null).length;
  // Beside the hits on a wide screen; on a phone, folded under one line above them, so the
  // results are what the customer sees first.
  const wide = typeof matchMedia === 'function' && matchMedia('(min-width: 900px)').matches;
  return (
    <aside className="facets" aria-label="Filters">
      <details open={wide || active > 0}>
        <summary>Filters{active ? ` (${active})` : ''}</summary>
        <div className="facet-groups">
          <fieldset>
            <legend>Availability</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={params.get('in_stock') === 'true'}
                onChange={(e) => set('in_stock', e.target.checked ? 'true' : null)}
              />
              In stock only ({facets.in_stock})
            </label>
          </fieldset>
          <FacetChoice
            legend="Category"
            name="category_id"
            anyLabel="Any category"
            chosen={params.get('category_id')}
            options={facets.categories.map((c) => ({ value: c.id, label: c.name, count: c.count }))}
          />
          <FacetChoice
            legend="Brand"
            name="brand"
            anyLabel="Any brand"
            chosen={params.get('brand')}
            options={facets.brands.map((b) => ({ value: b.name, label: b.name, count: b.count }))}
          />
          {facets.price ? (
            <fieldset>
              <legend>
                Price ({wholeUnits(facets.price.min)}–{wholeUnits(facets.price.max)})
              </legend>
              <form
                className="price-range"
                onSubmit={(e) => {
                  e.preventDefault();
                  const params = new URLSearchParams(location.search);
                  for (const [name, value] of [
                    ['min_price', min],
                    ['max_price', max],
                  ] as const) {
                    if (value.trim() && Number.isFinite(Number(value)) && Number(value) >= 0)
                      params.set(name, String(Math.round(Number(value) * 100)));
                    else params.delete(name);
                  }
                  navigate(`/search?${params.toString()}`, { replace: true });
                }}
              >
                <label>
                  <span className="sr-only">Lowest price</span>
                  <input
                    inputMode="decimal"
                    placeholder="Min"
                    value={min}
                    onChange={(e) => setMin(e.target.value)}
                  />
                </label>
                <label>
                  <span className="sr-only">Highest price</span>
                  <input
                    inputMode="decimal"
                    placeholder="Max"
                    value={max}
                    onChange={(e) => setMax(e.target.value)}
                  />
                </label>
                <button type="submit" className="btn">
                  Go
                </button>
              </form>
            </fieldset>
          ) : null}
        </div>
      </details>
    </aside>
  );
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function SearchPage() {
  const place = usePlace();
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const q = (useSearchParam('q') ?? '').trim();
  const term = useDebounced(q);
  const products = useProducts(term.length >= 2 ? place?.store_id : null, {
    q: term,
    category_id: params.get('category_id') ?? undefined,
    brand: params.get('brand') ?? undefined,
    in_stock: params.get('in_stock') === 'true' ? true : undefined,
    min_price: numberParam(params, 'min_price'),
    max_price: numberParam(params, 'max_price'),
  });
  const categories = useCategories();
  useEffect(() => {
    document.getElementById('global-search')?.focus();
  }, []);
  useEffect(() => {
    if (term.length >= 2 && products.page && products.page.total) rememberSearch(term);
  }, [term, products.page]);
  if (!place) {
    navigate('/location', { replace: true });
    return null;
  }
  const page = products.page;
  const filtered = FILTERS.some((f) => params.get(f) !== null);
  return (
    <>
      <h1 className="sr-only">Search</h1>
      {term.length < 2 ? (
        <section aria-labelledby="browse-h">
          <h2 id="browse-h">Browse categories</h2>
          {categories.data ? <CategoryTiles tree={categories.data} /> : null}
        </section>
      ) : (
        <section aria-live="polite" aria-busy={products.loading} className="search-results">
          <ErrorBanner error={products.error} onRetry={() => void products.reload()} />
          {page?.did_you_mean ? (
            <p className="did-you-mean">
              {products.items?.length ? 'Showing results for ' : 'Did you mean '}
              <Link to={`/search?q=${encodeURIComponent(page.did_you_mean)}`}>
                {page.did_you_mean}
              </Link>
              ?
            </p>
          ) : null}
          {page?.facets && (products.items?.length || filtered) ? (
            <FacetPanel facets={page.facets} params={params} key={search} />
          ) : null}
          <div className="search-hits">
            {products.items ? (
              products.items.length ? (
                <>
                  <p className="muted">
                    {page?.total ?? products.items.length} results for “{term}” at{' '}
                    {place.store_name}
                  </p>
                  <ProductList items={products.items} />
                  {products.hasMore ? (
                    <button
                      type="button"
                      className="btn"
                      disabled={products.loadingMore}
                      onClick={() => void products.loadMore()}
                    >
                      {products.loadingMore ? 'Loading…' : 'Show more'}
                    </button>
                  ) : null}
                </>
              ) : (
                <Empty icon="search" title={`No results for “${term}”`}>
                  <p>
                    {filtered
                      ? 'Nothing matches these filters: clear one to see more.'
                      : 'Try a shorter word, or browse the categories.'}
                  </p>
                </Empty>
              )
            ) : (
              <ProductGridSkeleton count={5} />
            )}
          </div>
        </section>
      )}
    </>
  );
}
