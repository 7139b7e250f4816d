import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { methodLabel } from '../lib/labels';
import { formatMoney } from '../lib/money';
import { getPlace } from '../lib/place';
import { errorMessage } from '../lib/problem';
import { useQuery } from '../lib/query';
import { Link, navigate } from '../lib/router';
import type { Order, OrderSummary } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, StatusBadge, useToast } from '../ui';
import { setCartQuantity } from './useCart';

/** Puts every line of a past order back into the cart at the store that served it. */
export async function reorder(orderId: string): Promise<number> {
  const order = (await unwrap(
    api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: orderId } } }),
  )) as Order;
  const storeId = order.store_id ?? getPlace()?.store_id;
  if (!storeId) throw new Error('Choose a delivery location first.');
  let added = 0;
  for (const line of order.items ?? []) {
    try {
      await setCartQuantity(line.product_id, line.quantity, storeId);
      added += 1;
    } catch {
      /* out of stock lines are skipped; the cart shows what could be added */
    }
  }
  return added;
}

export function OrdersPage() {
  const { user, loading } = useAuth();
  const orders = useQuery(user ? 'orders' : null, () =>
    unwrap(api.GET('/api/v1/orders', { params: { query: { limit: 50 } } })),
  );
  const [busy, setBusy] = useState<string | null>(null);
  const toast = useToast();
  if (!user && !loading) {
    return (
      <Empty icon="receipt" title="Sign in to see your orders">
        <Button onClick={() => navigate('/login?next=/orders')}>Sign in</Button>
      </Empty>
    );
  }
  const items = (orders.data?.items ?? []) as OrderSummary[];
  return (
    <div className="stack" style={{ maxWidth: 760 }}>
      <h1>Your orders</h1>
      <ErrorBanner error={orders.error} onRetry={() => void orders.reload()} />
      {orders.loading ? (
        <>
          <Skeleton height={88} />
          <Skeleton height={88} />
        </>
      ) : items.length ? (
        items.map((o) => (
          <article className="card row between wrap" key={o.id} aria-label={`Order ${o.number}`}>
            <div>
              <Link to={`/orders/${o.id}`} style={{ fontWeight: 700 }}>
                Order #{o.number}
              </Link>
              <div className="subtle">
                {o.created_at ? new Date(o.created_at).toLocaleString() : ''} ·{' '}
                {formatMoney(o.total, o.currency)} · {methodLabel(o.payment_method)}
              </div>
            </div>
            <div className="row">
              <StatusBadge status={o.status} />
              <Button
                variant="secondary"
                size="small"
                busy={busy === o.id}
                onClick={async () => {
                  setBusy(o.id);
                  try {
                    const n = await reorder(o.id);
                    toast(
                      n
                        ? `Added ${n} item${n === 1 ? '' : 's'} to your cart`
                        : 'Those items are not available now',
                    );
                    if (n) navigate('/cart');
                  } catch (e) {
                    toast(errorMessage(e));
                  } finally {
                    setBusy(null);
                  }
                }}
              >
                Reorder
              </Button>
            </div>
          </article>
        ))
      ) : (
        <Empty icon="receipt" title="No orders yet">
          <p>Your first order is a few taps away.</p>
          <Button onClick={() => navigate('/')}>Start shopping</Button>
        </Empty>
      )}
    </div>
  );
}
