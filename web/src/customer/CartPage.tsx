import { RecommendationRail } from './Rails';
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { formatMoney } from '../lib/money';
import { setQueryData, useQuery } from '../lib/query';
import { navigate } from '../lib/router';
import type { Cart } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, Stepper, TextField } from '../ui';
import { ProductImage } from './ProductCard';
import { CART_KEY, useCart } from './useCart';

/** A cart line's picture, from the product as the store sells it (the same query as its page). */
function LineImage({
  productId,
  name,
  storeId,
}: {
  productId: string;
  name: string;
  storeId: string | null | undefined;
}) {
  const product = useQuery(storeId ? `product:${storeId}:${productId}` : null, () =>
    unwrap(
      api.GET('/api/v1/stores/{store_id}/products/{product_id}', {
        params: { path: { store_id: storeId!, product_id: productId } },
      }),
    ),
  );
  return <ProductImage name={name} url={product.data?.image_url} size={26} />;
}

const FEE_HELP: Array<[RegExp, string]> = [
  [
    /small|minimum|low_cart/,
    'Added when the basket is below the minimum order value; add a little more to remove it.',
  ],
  [/deliver/, "Pays for the rider's trip from the store to your door."],
  [/handl|pack/, 'Covers picking and packing your order at the store.'],
  [
    /surge|rain|peak|demand/,
    'Applies while demand is high or the weather is bad, so riders stay available.',
  ],
  [/platform|service/, 'Keeps the app and support running.'],
  [/tip/, 'Goes entirely to your rider.'],
  [/tax|gst/, 'Government taxes on the fees above.'],
];

export function feeHelp(code: string, label = ''): string {
  const text = `${code} ${label}`.toLowerCase();
  return FEE_HELP.find(([re]) => re.test(text))?.[1] ?? 'A charge for this order.';
}

export function BillSummary({ cart, tip = 0 }: { cart: Cart; tip?: number }) {
  const c = cart.currency;
  return (
    <dl className="bill" aria-label="Bill breakdown" style={{ margin: 0 }}>
      <div className="bill-row">
        <dt>Items total</dt>
        <dd className="num" style={{ margin: 0 }}>
          {formatMoney(cart.subtotal, c)}
        </dd>
      </div>
      {cart.fees.map((f) => (
        <div className="bill-row" key={f.code}>
          <dt>
            <details>
              <summary style={{ cursor: 'pointer' }}>{f.label}</summary>
              <span className="subtle">{feeHelp(f.code, f.label)}</span>
            </details>
          </dt>
          <dd className="num" style={{ margin: 0 }}>
            {f.amount === 0 ? <span className="badge green">FREE</span> : formatMoney(f.amount, c)}
          </dd>
        </div>
      ))}
      {cart.discount ? (
        <div className="bill-row" style={{ color: 'var(--c-brand-strong)' }}>
          <dt>Coupon discount</dt>
          <dd className="num" style={{ margin: 0 }}>
            −{formatMoney(cart.discount, c)}
          </dd>
        </div>
      ) : null}
      {tip ? (
        <div className="bill-row">
          <dt>Rider tip</dt>
          <dd className="num" style={{ margin: 0 }}>
            {formatMoney(tip, c)}
          </dd>
        </div>
      ) : null}
      <div className="bill-row total">
        <dt>To pay</dt>
        <dd className="num" style={{ margin: 0 }}>
          {formatMoney(cart.total + tip, c)}
        </dd>
      </div>
    </dl>
  );
}

function CouponField({ cart }: { cart: Cart }) {
  const applied = (cart as { coupon_code?: string | null }).coupon_code ?? null;
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function apply(e: React.FormEvent) {
    e.preventDefault();
    if (!code.trim()) return;
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const next = await unwrap(
        api.POST('/api/v1/cart/coupon', { body: { code: code.trim().toUpperCase() } }),
      );
      setQueryData(CART_KEY, next);
      setMessage(
        next.discount
          ? `Saved ${formatMoney(next.discount, next.currency)} with ${code.toUpperCase()}`
          : 'Coupon applied.',
      );
      setCode('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    try {
      setQueryData(CART_KEY, await unwrap(api.DELETE('/api/v1/cart/coupon')));
      setMessage(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="coupon-h">
      <h2 id="coupon-h" style={{ margin: 0 }}>
        Coupons
      </h2>
      {applied ? (
        <div className="row between">
          <span className="badge green">{applied} applied</span>
          <Button variant="ghost" size="small" onClick={() => void remove()} busy={busy}>
            Remove
          </Button>
        </div>
      ) : (
        <form className="row" onSubmit={apply} style={{ alignItems: 'flex-end' }}>
          <div className="grow">
            <TextField
              label="Coupon code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              placeholder="e.g. WELCOME50"
              autoCapitalize="characters"
            />
          </div>
          <Button type="submit" variant="secondary" busy={busy} disabled={!code.trim()}>
            Apply
          </Button>
        </form>
      )}
      {message ? (
        <p className="banner success" role="status" style={{ margin: 0 }}>
          {message}
        </p>
      ) : null}
      <ErrorBanner error={error} />
    </section>
  );
}

export function CartPage() {
  const { user, loading: authLoading } = useAuth();
  const cart = useCart();
  if (!user && !authLoading) {
    return (
      <Empty icon="cart" title="Sign in to see your cart">
        <Button onClick={() => navigate('/login?next=/cart')}>Sign in</Button>
      </Empty>
    );
  }
  if (cart.loading || authLoading) {
    return (
      <div className="stack" aria-busy>
        <Skeleton height={80} />
        <Skeleton height={80} />
        <Skeleton height={160} />
      </div>
    );
  }
  const c = cart.cart;
  if (!c || !c.items.length) {
    return (
      <>
        <ErrorBanner error={cart.error} onRetry={() => void cart.reload()} />
        <Empty icon="bag" title="Your cart is empty">
          <p>Add fresh groceries and essentials — we will deliver them in minutes.</p>
          <Button onClick={() => navigate('/')}>Browse products</Button>
        </Empty>
      </>
    );
  }
  return (
    <div className="two-col">
      <div className="stack">
        <h1>Your cart</h1>
        <ErrorBanner error={cart.error} onRetry={() => void cart.reload()} />
        {c.warnings?.length ? (
          <div className="banner warn" role="status">
            <ul style={{ margin: 0 }}>
              {c.warnings.map((w, i) => (
                <li key={i}>{w.message}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <section className="card" aria-label="Items">
          {c.items.map((item) => (
            <div className="line" key={item.product_id}>
              <div className="thumb" aria-hidden>
                <LineImage productId={item.product_id} name={item.name} storeId={c.store_id} />
              </div>
              <div className="grow">
                <div style={{ fontWeight: 600 }}>{item.name}</div>
                <div className="subtle num">{formatMoney(item.unit_price, c.currency)} each</div>
              </div>
              <div className="stack" style={{ alignItems: 'flex-end', gap: 4 }}>
                <Stepper
                  value={item.quantity}
                  onChange={(q) => void cart.setQuantity(item.product_id, q)}
                  label={item.name}
                  busy={cart.busy === item.product_id}
                />
                <span className="num" style={{ fontWeight: 700 }}>
                  {formatMoney(item.line_total, c.currency)}
                </span>
              </div>
            </div>
          ))}
        </section>
        <CouponField cart={c} />
        <RecommendationRail kind="forgotten" title="You may have forgotten" limit={8} />
        <RecommendationRail kind="bought_together" title="Goes well with your cart" limit={8} />
      </div>
      <aside className="card stack sticky" aria-labelledby="bill-h">
        <h2 id="bill-h" style={{ margin: 0 }}>
          Bill details
        </h2>
        <BillSummary cart={c} />
        <Button size="big" block onClick={() => navigate('/checkout')}>
          Proceed to checkout
        </Button>
      </aside>
      <div className="mobile-cta">
        <Button size="big" block onClick={() => navigate('/checkout')}>
          Checkout · {formatMoney(c.total, c.currency)}
        </Button>
      </div>
    </div>
  );
}
