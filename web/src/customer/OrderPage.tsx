import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { useLive } from '../lib/live';
import { useQuery } from '../lib/query';
import { Link } from '../lib/router';
import { CANCELLABLE, paymentLabel, statusLabel, stepLabel } from '../lib/labels';
import { ORDER_STEPS, type Order, type OrderStatus, type Tracking } from '../lib/types';
import { Button, ErrorBanner, Skeleton, StatusBadge } from '../ui';
import { LiveNote } from '../ui/LiveNote';
import { Map } from '../map/Map';
import type { MapPoint } from '../map/types';
import { awaitsPayment, PayNow } from './PayNow';
import { PushOffer } from './PushOffer';
import { changeWords, SubstitutionOffer } from './Substitutions';

const TERMINAL = new Set<OrderStatus>(['delivered', 'cancelled']);

/** Why a cancelled order ended and what became of its money and items, in words. */
export function cancelledWords(order: Order): string {
  if (order.cancel_reason === 'payment_timeout')
    return (
      'The time to pay for this order ran out, so it was cancelled and nothing was charged. ' +
      'Its items went back to your cart (unless your cart already held items from another store).'
    );
  const status = order.payment?.status;
  if (status === 'succeeded' || status === 'refunded')
    return 'This order was cancelled. Your payment is refunded to the original method.';
  return 'This order was cancelled before it was paid, so nothing was charged.';
}

function time(at: string | undefined) {
  if (!at) return '';
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function Timeline({
  status,
  timeline,
  paymentMethod,
}: {
  status: OrderStatus;
  timeline: Array<{ status: OrderStatus; at: string }>;
  /** card, upi or cod: a cash order has no payment to wait for. */
  paymentMethod?: string | null;
}) {
  const at = (s: OrderStatus) => timeline.find((t) => t.status === s)?.at;
  if (status === 'cancelled') {
    return (
      <ol className="timeline">
        {timeline.map((t) => (
          <li key={t.status + t.at} data-state="done">
            <span className="dot" aria-hidden>
              ✓
            </span>
            <div>
              <strong>
                {ORDER_STEPS.includes(t.status)
                  ? stepLabel(t.status, paymentMethod, true)
                  : statusLabel(t.status)}
              </strong>
              <div className="subtle">{time(t.at)}</div>
            </div>
          </li>
        ))}
      </ol>
    );
  }
  const reachedIndex = ORDER_STEPS.indexOf(status);
  // While payment is pending the order itself is placed: the step in progress is the payment.
  const current = Math.max(reachedIndex, 1);
  const steps = ORDER_STEPS.filter(
    (s) => s !== 'pending_payment' || status === 'pending_payment' || at(s),
  );
  return (
    <ol className="timeline" aria-label="Order progress">
      {steps.map((s) => {
        const i = ORDER_STEPS.indexOf(s);
        const state =
          i < current || (s === 'delivered' && status === 'delivered')
            ? 'done'
            : i === current
              ? 'current'
              : 'todo';
        return (
          <li key={s} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="dot" aria-hidden>
              {state === 'done' ? '✓' : ''}
            </span>
            <div>
              <strong style={{ color: state === 'todo' ? 'var(--c-text-3)' : undefined }}>
                {stepLabel(s, paymentMethod, i <= reachedIndex)}
              </strong>
              <div className="subtle">{time(at(s))}</div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export function OrderPage({ id }: { id: string }) {
  // Status changes and the rider's position arrive over the order's live channel; while it is
  // down the screen polls, and says so.
  const socket = useLive(`/ws/orders/${id}`, (message) => {
    if (message.type === 'rider.position' && tracking.data) {
      const d = message.data as { name?: string; lat: number; lng: number; eta_minutes?: number };
      tracking.setData({
        ...tracking.data,
        rider: { name: d.name ?? tracking.data.rider?.name ?? '', lat: d.lat, lng: d.lng },
        eta_minutes: d.eta_minutes ?? tracking.data.eta_minutes,
      });
    } else if (message.type !== 'rider.position') {
      // order.status, delivery.*, resync: read the order as it is now.
      void order.reload();
      void tracking.reload();
    }
  });
  const polling = socket.status !== 'live';
  const order = useQuery(
    `orders:${id}`,
    () => unwrap(api.GET('/api/v1/orders/{order_id}', { params: { path: { order_id: id } } })),
    { pollMs: polling ? 4000 : undefined },
  );
  const live = !!order.data && !TERMINAL.has(order.data.status);
  const tracking = useQuery(
    order.data ? `tracking:${id}` : null,
    () =>
      unwrap(api.GET('/api/v1/orders/{order_id}/tracking', { params: { path: { order_id: id } } })),
    { pollMs: live && polling ? 4000 : undefined },
  );
  const stores = useQuery('stores', () =>
    unwrap(api.GET('/api/v1/stores', { params: { query: { limit: 100 } } })),
  );
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const o = order.data as Order | undefined;
  const t = tracking.data as Tracking | undefined;

  if (!o) {
    return order.error ? (
      <ErrorBanner error={order.error} onRetry={() => void order.reload()} />
    ) : (
      <div className="stack">
        <Skeleton height={40} width="50%" />
        <Skeleton height={200} />
      </div>
    );
  }
  // Tracking stops polling once the order ends, so a finished order's own status wins.
  const status = TERMINAL.has(o.status) ? o.status : (t?.status ?? o.status);
  const timeline = (t?.timeline?.length ? t.timeline : o.timeline) ?? [];
  const otp = o.delivery_otp;
  const address = o.address as { lat?: number; lng?: number; line1?: string } | null | undefined;
  const points: MapPoint[] = [];
  const store = stores.data?.items.find((x) => x.id === o.store_id);
  if (store)
    points.push({ id: 'store', lat: store.lat, lng: store.lng, label: store.name, kind: 'store' });
  if (address?.lat && address.lng)
    points.push({
      id: 'drop',
      lat: address.lat,
      lng: address.lng,
      label: 'Your address',
      kind: 'you',
    });
  if (t?.rider && t.rider.lat != null && t.rider.lng != null)
    points.push({
      id: 'rider',
      lat: t.rider.lat,
      lng: t.rider.lng,
      label: `${t.rider.name}`,
      kind: 'rider',
    });
  const canCancel = CANCELLABLE.includes(status);
  const offers = (o.substitutions ?? []).filter((s) => s.status === 'proposed');
  const changed = status === 'cancelled' ? null : changeWords(o);

  async function cancel() {
    if (!confirm('Cancel this order?')) return;
    setCancelling(true);
    setCancelError(null);
    try {
      order.setData(
        await unwrap(
          api.POST('/api/v1/orders/{order_id}/cancel', {
            params: { path: { order_id: id } },
            body: { reason: 'Cancelled by customer' },
          }),
        ),
      );
      void tracking.reload();
    } catch (e) {
      setCancelError(e);
    } finally {
      setCancelling(false);
    }
  }

  return (
    <div className="two-col">
      <div className="stack">
        <div className="row between wrap">
          <h1 style={{ margin: 0 }}>Order #{o.number}</h1>
          <StatusBadge status={status} />
        </div>
        {live ? <LiveNote status={socket.status} pollSeconds={4} /> : null}
        {status === 'pending_payment' && awaitsPayment(o) ? (
          <PayNow
            order={o}
            onChange={(next) => order.setData(next)}
            onSettled={() => void order.reload()}
          />
        ) : null}
        {offers.map((offer) => (
          <SubstitutionOffer
            key={offer.id}
            order={o}
            offer={offer}
            onAnswered={(next) => order.setData(next)}
          />
        ))}
        {changed ? (
          <div className="banner" role="status" data-testid="order-changed">
            {changed}
          </div>
        ) : null}
        {!TERMINAL.has(status) && status !== 'pending_payment' ? <PushOffer /> : null}
        {status !== 'delivered' && status !== 'cancelled' ? (
          <section className="card" aria-live="polite">
            <div className="row between wrap">
              <div>
                <div className="subtle">Arriving in</div>
                <div style={{ fontSize: 28, fontWeight: 800 }}>
                  {t?.eta_minutes ?? o.eta_minutes ?? '—'} min
                </div>
              </div>
              {otp ? (
                <div style={{ textAlign: 'right' }}>
                  <div className="subtle" id="otp-label">
                    Delivery code — share with your rider
                  </div>
                  <div className="otp" aria-labelledby="otp-label" data-testid="delivery-otp">
                    {otp}
                  </div>
                </div>
              ) : null}
            </div>
          </section>
        ) : status === 'delivered' ? (
          <div className="banner success" role="status">
            Delivered. Enjoy your groceries!
          </div>
        ) : (
          <div className="banner warn" role="status" data-testid="cancelled-words">
            {cancelledWords(o)}
          </div>
        )}
        {points.length ? (
          <Map label="Delivery map: your address and the rider" points={points} />
        ) : null}
        <section className="card" aria-labelledby="tl-h">
          <h2 id="tl-h">Status</h2>
          <Timeline status={status} timeline={timeline} paymentMethod={o.payment_method} />
          {t?.rider ? (
            <p
              className="muted"
              data-testid="rider"
              data-lat={t.rider.lat ?? undefined}
              data-lng={t.rider.lng ?? undefined}
            >
              Your rider: {t.rider.name}
            </p>
          ) : null}
        </section>
      </div>
      <aside className="card stack sticky" aria-labelledby="items-h">
        <h2 id="items-h" style={{ margin: 0 }}>
          Items
        </h2>
        {(o.items ?? []).map((i) =>
          i.status === 'unavailable' || i.status === 'substituted' ? (
            <div className="bill-row subtle" key={i.id} data-line-status={i.status}>
              <span>
                <s>
                  {i.quantity} × {i.name}
                </s>{' '}
                {i.status === 'unavailable' ? 'out of stock' : 'replaced'}
              </span>
              <span className="num">
                <s>{formatMoney(i.line_total, o.currency)}</s>
              </span>
            </div>
          ) : (
            <div className="bill-row" key={i.id} data-line-status={i.status}>
              <span>
                {i.quantity} × {i.name}
                {i.substitute_for ? <span className="subtle"> · substitute</span> : null}
              </span>
              <span className="num">{formatMoney(i.line_total, o.currency)}</span>
            </div>
          ),
        )}
        <hr className="divider" />
        {(o.fees ?? []).map((f) => (
          <div className="bill-row subtle" key={f.code}>
            <span>{f.label}</span>
            <span className="num">{formatMoney(f.amount, o.currency)}</span>
          </div>
        ))}
        {o.discount ? (
          <div className="bill-row subtle">
            <span>Discount</span>
            <span className="num">−{formatMoney(o.discount, o.currency)}</span>
          </div>
        ) : null}
        {o.tip ? (
          <div className="bill-row subtle">
            <span>Tip</span>
            <span className="num">{formatMoney(o.tip, o.currency)}</span>
          </div>
        ) : null}
        <div className="bill-row total">
          <span>Total</span>
          <span className="num" data-testid="order-total">
            {formatMoney(o.total, o.currency)}
          </span>
        </div>
        {o.payment?.refunded ? (
          <div className="bill-row subtle" data-testid="refunded">
            <span>Refunded</span>
            <span className="num">{formatMoney(o.payment.refunded, o.currency)}</span>
          </div>
        ) : null}
        <p className="subtle" style={{ margin: 0 }} data-testid="payment-summary">
          {paymentLabel(o.payment_method, o.payment?.status)}
        </p>
        <ErrorBanner error={cancelError} />
        {canCancel ? (
          <Button variant="ghost" onClick={() => void cancel()} busy={cancelling}>
            Cancel order
          </Button>
        ) : null}
        <Link to={`/orders/${o.id}/receipt`}>View receipt</Link>
        <Link to="/orders">All orders</Link>
      </aside>
    </div>
  );
}
