import { promiseText, usePlace } from '../lib/place';
import { Link, navigate } from '../lib/router';
import type { CategoryNode } from '../lib/types';
import { artFor, Button, Empty, ErrorBanner, isIllustration, Skeleton } from '../ui';
import { useCategories, usePopular } from './catalog';
import { RecommendationRail } from './Rails';
import { ProductGridSkeleton, ProductList } from './ProductCard';

export function CategoryTiles({ tree }: { tree: CategoryNode[] }) {
  return (
    <div className="cat-grid">
      {tree.map((c) => {
        const art = artFor(c.name);
        return (
          <Link key={c.id} to={`/c/${c.id}`} className="cat-tile">
            <span className="cat-art" style={{ background: art.bg, color: art.fg }} aria-hidden>
              {c.image_url ? (
                <img
                  src={c.image_url}
                  alt=""
                  loading="lazy"
                  className={isIllustration(c.image_url) ? 'art' : undefined}
                />
              ) : (
                <span className="monogram">{art.initials}</span>
              )}
            </span>
            {c.name}
          </Link>
        );
      })}
    </div>
  );
}

export function HomePage() {
  const place = usePlace();
  const categories = useCategories();
  const popular = usePopular(place?.store_id, false, 20);
  const offerList = usePopular(place?.store_id, true, 12);

  if (!place) {
    return (
      <Empty icon="pin" title="Groceries in minutes">
        <p>Tell us where to deliver and we will find the nearest Kirana store.</p>
        <Button onClick={() => navigate('/location')}>Choose location</Button>
      </Empty>
    );
  }

  const offers = offerList.data?.items ?? [];

  return (
    <>
      <section className="hero" aria-label="Welcome">
        <h1>Groceries at your door {promiseText(place, 'long') ?? 'in minutes'}</h1>
        <p>
          From {place.store_name}. Fresh produce, daily essentials and snacks — packed as soon as
          you order.
        </p>
      </section>
      <section className="section" aria-labelledby="cats-h">
        <h2 id="cats-h">Shop by category</h2>
        <ErrorBanner error={categories.error} onRetry={() => void categories.reload()} />
        {categories.data ? (
          <CategoryTiles tree={categories.data} />
        ) : categories.loading ? (
          <div className="cat-grid" aria-hidden>
            {Array.from({ length: 8 }, (_, i) => (
              <Skeleton key={i} style={{ aspectRatio: '1', height: 'auto' }} />
            ))}
          </div>
        ) : null}
      </section>
      <RecommendationRail kind="buy_again" title="Buy it again" />
      <RecommendationRail kind="trending" title={`Trending at ${place.store_name}`} />
      <section className="section" aria-labelledby="offers-h">
        <h2 id="offers-h">Offers for you</h2>
        <ErrorBanner error={offerList.error} onRetry={() => void offerList.reload()} />
        {offerList.loading ? (
          <ProductGridSkeleton count={5} />
        ) : offers.length ? (
          <ProductList items={offers} layout="strip" />
        ) : (
          <p className="muted">No offers right now — everything is at its usual price.</p>
        )}
      </section>
      <section className="section" aria-labelledby="all-h">
        <h2 id="all-h">Popular near you</h2>
        <ErrorBanner error={popular.error} onRetry={() => void popular.reload()} />
        {popular.data ? (
          <ProductList items={popular.data.items} />
        ) : popular.loading ? (
          <ProductGridSkeleton />
        ) : null}
      </section>
    </>
  );
}
