import { Link } from '../lib/router';
import { discountPercent, formatMoney } from '../lib/money';
import type { StoreProduct } from '../lib/types';
import { artFor, isIllustration, Skeleton, Stepper } from '../ui';
import { useCart } from './useCart';

export function ProductImage({
  name,
  url,
  size = 40,
}: {
  name: string;
  url?: string | null;
  size?: number;
}) {
  const art = artFor(name);
  return (
    <div className="pimg" style={{ background: art.bg, color: art.fg, fontSize: size }}>
      {url ? (
        <img
          src={url}
          alt=""
          loading="lazy"
          decoding="async"
          className={isIllustration(url) ? 'art' : undefined}
        />
      ) : (
        <span aria-hidden className="monogram">
          {art.initials}
        </span>
      )}
    </div>
  );
}

export function ProductCard({
  product,
  quantity,
  onChange,
  busy,
}: {
  product: StoreProduct;
  quantity: number;
  onChange: (quantity: number) => void;
  busy?: boolean;
}) {
  const off = discountPercent(product.price, product.mrp);
  return (
    <article className="product-card" aria-label={product.name}>
      {off ? <span className="off-tag">{off}% OFF</span> : null}
      <Link to={`/p/${product.id}`} tabIndex={-1} aria-hidden>
        <ProductImage name={product.name} url={product.image_url} />
      </Link>
      <span className="subtle">{product.unit}</span>
      <Link to={`/p/${product.id}`} className="pname">
        {product.name}
      </Link>
      <div className="pfoot">
        <div>
          <div className="num" style={{ fontWeight: 700 }}>
            {formatMoney(product.price)}
          </div>
          {off ? <div className="strike subtle num">{formatMoney(product.mrp)}</div> : null}
        </div>
        {!product.in_stock ? (
          <button className="add-btn" disabled>
            Sold out
          </button>
        ) : quantity > 0 ? (
          <Stepper
            value={quantity}
            max={product.max_quantity}
            onChange={onChange}
            label={product.name}
            busy={busy}
          />
        ) : (
          <button
            className="add-btn"
            onClick={() => onChange(1)}
            disabled={busy}
            aria-label={`Add ${product.name} to cart`}
          >
            ADD
          </button>
        )}
      </div>
    </article>
  );
}

export function ProductGridSkeleton({ count = 10 }: { count?: number }) {
  return (
    <div className="product-grid" aria-hidden>
      {Array.from({ length: count }, (_, i) => (
        <div className="product-card" key={i}>
          <Skeleton style={{ aspectRatio: '1', height: 'auto' }} />
          <Skeleton height={12} width="40%" />
          <Skeleton height={28} />
          <Skeleton height={34} />
        </div>
      ))}
    </div>
  );
}

/** Products as cards wired to the customer's cart: a wrapping grid, or a strip that scrolls
 * sideways (rails and offers). */
export function ProductList({
  items,
  layout = 'grid',
}: {
  items: StoreProduct[];
  layout?: 'grid' | 'strip';
}) {
  const cart = useCart();
  return (
    <div className={layout === 'grid' ? 'product-grid' : 'offer-strip'}>
      {items.map((p) => (
        <ProductCard
          key={p.id}
          product={p}
          quantity={cart.quantityOf(p.id)}
          busy={cart.busy === p.id}
          onChange={(q) => void cart.setQuantity(p.id, q)}
        />
      ))}
    </div>
  );
}
