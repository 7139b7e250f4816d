/** Recommendation rails: a strip of products the customer may want, from the recommendations
 * service (in stock at their store, never what is already in the cart). */
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { usePlace } from '../lib/place';
import { useQuery } from '../lib/query';
import { ProductList } from './ProductCard';
import { useCart } from './useCart';

type Kind = 'buy_again' | 'bought_together' | 'forgotten' | 'trending';

export function RecommendationRail({
  kind,
  title,
  productId,
  limit = 10,
}: {
  kind: Kind;
  title: string;
  productId?: string;
  limit?: number;
}) {
  const place = usePlace();
  const { user } = useAuth();
  const cart = useCart();
  // The cart's lines are in the key: a rail never shows what the cart holds.
  const inCart = (cart.cart?.items ?? [])
    .map((i) => i.product_id)
    .sort()
    .join(',');
  const key =
    user && place ? `recs:${place.store_id}:${kind}:${productId ?? ''}:${inCart}:${limit}` : null;
  const rail = useQuery(key, () =>
    unwrap(
      api.GET('/api/v1/me/recommendations', {
        params: {
          query: { store_id: place!.store_id, kind, product_id: productId, limit },
        },
      }),
    ),
  );
  const items = rail.data?.items ?? [];
  if (!items.length) return null;
  const headingId = `rail-${kind}-h`;
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <ProductList items={items} layout="strip" />
    </section>
  );
}
