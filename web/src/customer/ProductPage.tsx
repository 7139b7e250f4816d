import { RecommendationRail } from './Rails';
import { api, unwrap } from '../lib/api';
import { discountPercent, formatMoney } from '../lib/money';
import { usePlace } from '../lib/place';
import { useQuery } from '../lib/query';
import { navigate } from '../lib/router';
import { Button, ErrorBanner, Skeleton, Stepper } from '../ui';
import { ProductImage } from './ProductCard';
import { useCart } from './useCart';

export function ProductPage({ id }: { id: string }) {
  const place = usePlace();
  const product = useQuery(place ? `product:${place.store_id}:${id}` : null, () =>
    unwrap(
      api.GET('/api/v1/stores/{store_id}/products/{product_id}', {
        params: { path: { store_id: place!.store_id, product_id: id } },
      }),
    ),
  );
  const cart = useCart();
  if (!place) {
    navigate('/location', { replace: true });
    return null;
  }
  const p = product.data;
  const qty = cart.quantityOf(id);
  const off = p ? discountPercent(p.price, p.mrp) : 0;
  return (
    <div className="two-col">
      <div className="card product-visual" style={{ padding: 24 }}>
        {p ? (
          <ProductImage name={p.name} url={p.image_url} size={120} />
        ) : (
          <Skeleton style={{ aspectRatio: '1', height: 'auto' }} />
        )}
      </div>
      <div className="card stack sticky">
        <ErrorBanner error={product.error} onRetry={() => void product.reload()} />
        {p ? (
          <>
            <div>
              {p.brand ? <div className="subtle">{p.brand}</div> : null}
              <h1 style={{ marginBottom: 4 }}>{p.name}</h1>
              <div className="muted">{p.unit}</div>
            </div>
            <div className="row">
              <span style={{ fontSize: 24, fontWeight: 800 }} className="num">
                {formatMoney(p.price)}
              </span>
              {off ? (
                <>
                  <span className="strike num">MRP {formatMoney(p.mrp)}</span>
                  <span className="badge blue">{off}% OFF</span>
                </>
              ) : (
                <span className="subtle">MRP (incl. of all taxes)</span>
              )}
            </div>
            {!p.in_stock ? (
              <div className="banner warn">Sold out at {place.store_name} right now.</div>
            ) : qty > 0 ? (
              <Stepper
                value={qty}
                max={p.max_quantity}
                onChange={(q) => void cart.setQuantity(id, q)}
                label={p.name}
                busy={cart.busy === id}
              />
            ) : (
              <Button
                size="big"
                onClick={() => void cart.setQuantity(id, 1)}
                busy={cart.busy === id}
              >
                Add to cart
              </Button>
            )}
            {'description' in p && p.description ? (
              <section>
                <h2>About this product</h2>
                <p className="muted">{String(p.description)}</p>
              </section>
            ) : null}
          </>
        ) : product.loading ? (
          <>
            <Skeleton height={28} width="70%" />
            <Skeleton height={18} width="30%" />
            <Skeleton height={52} />
          </>
        ) : null}
      </div>
      <div style={{ gridColumn: '1 / -1' }}>
        <RecommendationRail
          kind="bought_together"
          title="Frequently bought together"
          productId={id}
        />
      </div>
    </div>
  );
}
