import { useRef, useState } from 'react';
import { api, idempotencyKey, unwrap } from '../lib/api';
import { useAuth } from '../lib/auth';
import { formatMoney } from '../lib/money';
import { usePlace } from '../lib/place';
import { invalidate, setQueryData, useQuery } from '../lib/query';
import { navigate } from '../lib/router';
import type { Address, PlacedOrder } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, TextArea } from '../ui';
import { AddressForm } from './AddressForm';
import { BillSummary } from './CartPage';
import {
  FIRST_CHOICE,
  payAgain as newPayment,
  PaymentFields,
  usePayment,
  type PaymentChoice,
} from './payment';
import { CART_KEY, useCart } from './useCart';
const TIPS = [0, 2000, 3000, 5000];

export function CheckoutPage() {
  const { user, loading: authLoading } = useAuth();
  const place = usePlace();
  const cart = useCart();
  const addresses = useQuery(user ? 'addresses' : null, () =>
    unwrap(api.GET('/api/v1/me/addresses')),
  );
  const [addressId, setAddressId] = useState<string | null>(place?.address_id ?? null);
  const [adding, setAdding] = useState(false);
  const [tip, setTip] = useState(0);
  const [instructions, setInstructions] = useState('');
  const [choice, setChoice] = useState<PaymentChoice>(FIRST_CHOICE);
  const payment = usePayment();
  const method = choice.method;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [placed, setPlaced] = useState<PlacedOrder | null>(null);
  // The placed order's payment was declined: the next try is a new payment for the same order.
  const [declined, setDeclined] = useState(false);
  // One key per distinct attempt: a retry of the same body reuses it, a changed body gets a new one.
  const keyRef = useRef<{ key: string; body: string } | null>(null);

  if (!user && !authLoading) {
    navigate('/login?next=/checkout', { replace: true });
    return null;
  }
  // Once the order is placed the cart reloads empty; the page stays, so a provider's card field
  // (Stripe's Element) stays mounted while its payment is confirmed.
  if (!placed && (cart.loading || addresses.loading)) return <Skeleton height={300} />;
  const c = cart.cart;
  if (!placed && (!c || !c.items.length)) {
    return (
      <Empty icon="bag" title="Nothing to check out">
        <Button onClick={() => navigate('/')}>Browse products</Button>
      </Empty>
    );
  }
  const list = (addresses.data?.items ?? []) as Address[];
  const chosen = addressId ?? list[0]?.id ?? null;

  async function paid(order: PlacedOrder) {
    const outcome = await payment.pay(order.payment, choice);
    if (outcome.kind === 'paid') return true;
    // Declined: the next try is a new payment; unfinished (a window closed): the same one.
    if (outcome.kind === 'declined') setDeclined(true);
    setError(outcome.error);
    return false;
  }

  /** A new payment for the placed order, by the method chosen now. */
  async function payAgain(order: PlacedOrder): Promise<PlacedOrder> {
    const again = await newPayment(order.id, method, idempotencyKey());
    setPlaced(again);
    setDeclined(false);
    return again;
  }

  async function giveUp() {
    if (!placed) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/orders/{order_id}/cancel', {
          params: { path: { order_id: placed.id } },
          body: { reason: 'payment given up' },
        }),
      );
      invalidate('orders');
      invalidate(CART_KEY);
      navigate('/cart');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function placeOrder() {
    if (!chosen) {
      setError(new Error('Choose or add a delivery address.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let order = placed;
      if (!order) {
        const body = {
          address_id: chosen,
          payment_method: method,
          tip,
          delivery_instructions: instructions.trim() || null,
        };
        const fingerprint = JSON.stringify(body);
        if (!keyRef.current || keyRef.current.body !== fingerprint)
          keyRef.current = { key: idempotencyKey(), body: fingerprint };
        order = await unwrap(
          api.POST('/api/v1/orders', {
            params: { header: { 'Idempotency-Key': keyRef.current.key } },
            body,
          }),
        );
        setPlaced(order);
        invalidate('orders');
        setQueryData(CART_KEY, { ...c!, items: [], subtotal: 0, fees: [], discount: 0, total: 0 });
        invalidate(CART_KEY);
      } else if (declined) {
        order = await payAgain(order);
      }
      if (await paid(order)) navigate(`/orders/${order.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="two-col">
      <div className="stack">
        <h1>Checkout</h1>
        <section className="card stack" aria-labelledby="addr-h">
          <h2 id="addr-h" style={{ margin: 0 }}>
            Deliver to
          </h2>
          {list.length ? (
            <div className="stack" role="radiogroup" aria-label="Delivery address">
              {list.map((a) => (
                <label className="choice" key={a.id}>
                  <input
                    type="radio"
                    name="address"
                    checked={chosen === a.id}
                    onChange={() => setAddressId(a.id)}
                    disabled={!!placed}
                  />
                  <span className="grow">
                    <strong>{a.label}</strong>
                    <span className="subtle" style={{ display: 'block' }}>
                      {a.line1}, {a.city} {a.pincode}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          ) : (
            <p className="muted">No saved address yet — add one to continue.</p>
          )}
          {adding || !list.length ? (
            <AddressForm
              initial={{ lat: place?.lat, lng: place?.lng, label: list.length ? 'Other' : 'Home' }}
              onSaved={(a) => {
                setAdding(false);
                setAddressId(a.id);
                void addresses.reload();
              }}
              onCancel={list.length ? () => setAdding(false) : undefined}
            />
          ) : (
            <Button variant="ghost" onClick={() => setAdding(true)} disabled={!!placed}>
              + Add a new address
            </Button>
          )}
        </section>
        <section className="card stack" aria-labelledby="tip-h">
          <h2 id="tip-h" style={{ margin: 0 }}>
            Tip your rider
          </h2>
          <p className="subtle" style={{ margin: 0 }}>
            100% of the tip goes to the rider.
          </p>
          <div className="chips" role="group" aria-label="Tip amount">
            {TIPS.map((t) => (
              <button
                key={t}
                type="button"
                className="chip"
                aria-pressed={tip === t}
                onClick={() => setTip(t)}
                disabled={!!placed}
              >
                {t ? formatMoney(t, c?.currency) : 'No tip'}
              </button>
            ))}
          </div>
          <TextArea
            label="Delivery instructions (optional)"
            value={instructions}
            onChange={(e) => setInstructions(e.target.value)}
            placeholder="Ring the bell, leave at the door…"
            maxLength={300}
            disabled={!!placed}
          />
        </section>
        <section className="card stack" aria-labelledby="pay-h">
          <h2 id="pay-h" style={{ margin: 0 }}>
            Payment
          </h2>
          <PaymentFields
            choice={choice}
            onChange={setChoice}
            flow={payment}
            locked={!!placed && !declined}
          />
        </section>
      </div>
      <aside className="card stack sticky" aria-labelledby="sum-h">
        <h2 id="sum-h" style={{ margin: 0 }}>
          Order summary
        </h2>
        {c && c.items.length ? <BillSummary cart={c} tip={tip} /> : null}
        {placed ? (
          <div className="banner" role="status">
            {declined
              ? `Order ${placed.number} is kept for you for 15 minutes: pay with another card, UPI or cash on delivery, or cancel it to get your cart back.`
              : `Order ${placed.number} is placed; payment still needs to go through.`}
          </div>
        ) : null}
        <ErrorBanner error={error} />
        <Button size="big" block busy={busy} onClick={() => void placeOrder()}>
          {method === 'cod'
            ? placed
              ? 'Pay cash on delivery'
              : 'Place order'
            : `Pay ${
                placed
                  ? formatMoney(placed.total, placed.currency)
                  : c
                    ? formatMoney(c.total + tip, c.currency)
                    : ''
              }`}
        </Button>
        {placed ? (
          <Button variant="ghost" onClick={() => navigate(`/orders/${placed.id}`)}>
            View order
          </Button>
        ) : null}
        {placed && declined ? (
          <Button variant="ghost" busy={busy} onClick={() => void giveUp()}>
            Cancel order and return to cart
          </Button>
        ) : null}
      </aside>
    </div>
  );
}
