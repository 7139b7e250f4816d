import { usePlace } from '../lib/place';
import { Link, navigate } from '../lib/router';
import type { CategoryNode } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton } from '../ui';
import { findCategory, useCategories, useProducts } from './catalog';
import { ProductGridSkeleton, ProductList } from './ProductCard';

export function CategoryPage({ id }: { id: string }) {
  const place = usePlace();
  const categories = useCategories();
  const found = findCategory(categories.data, id);
  const products = useProducts(place?.store_id, { category_id: id });
  if (!place) {
    navigate('/location', { replace: true });
    return null;
  }
  const top = found?.parent ?? found?.node;
  const children = (top?.children ?? []) as CategoryNode[];

  return (
    <>
      <nav aria-label="Breadcrumb" className="subtle" style={{ marginBottom: 8 }}>
        <Link to="/">Home</Link>
        {found?.parent ? (
          <>
            {' › '}
            <Link to={`/c/${found.parent.id}`}>{found.parent.name}</Link>
          </>
        ) : null}
      </nav>
      <h1>
        {found?.node.name ??
          (categories.loading ? <Skeleton width={160} height={24} /> : 'Category')}
      </h1>
      {children.length ? (
        <div className="chips" style={{ marginBottom: 16 }}>
          {top ? (
            <Link
              to={`/c/${top.id}`}
              className="chip"
              aria-current={top.id === id ? 'page' : undefined}
            >
              All
            </Link>
          ) : null}
          {children.map((c) => (
            <Link
              key={c.id}
              to={`/c/${c.id}`}
              className="chip"
              aria-current={c.id === id ? 'page' : undefined}
            >
              {c.name}
            </Link>
          ))}
        </div>
      ) : null}
      <ErrorBanner error={products.error} onRetry={() => void products.reload()} />
      {products.items ? (
        products.items.length ? (
          <>
            <ProductList items={products.items} />
            {products.hasMore ? (
              <div className="row" style={{ justifyContent: 'center', marginTop: 16 }}>
                <Button
                  variant="secondary"
                  onClick={() => void products.loadMore()}
                  busy={products.loadingMore}
                >
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        ) : (
          <Empty icon="box" title="Nothing here yet">
            <p>This store has no products in this category right now.</p>
          </Empty>
        )
      ) : products.loading ? (
        <ProductGridSkeleton />
      ) : null}
    </>
  );
}
