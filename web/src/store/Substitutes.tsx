/** A picker who cannot find a line: mark it out of stock, or offer the customer a substitute
 * from the store's shelves (same category, in stock, priced no higher first). */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { clockText, useSecondsLeft } from '../lib/countdown';
import { formatMoney } from '../lib/money';
import { useQuery } from '../lib/query';
import type { StaffPickLine, StaffPickList, Substitution, SubstituteCandidate } from '../lib/types';
import { Button, ErrorBanner, Skeleton } from '../ui';

export function SubstitutePicker({
  orderId,
  line,
  onDone,
  onCancel,
}: {
  orderId: string;
  line: StaffPickLine;
  /** After a proposal (or the line marked out of stock): the pick list to show. */
  onDone: (next?: StaffPickList) => void;
  onCancel: () => void;
}) {
  const params = { path: { order_id: orderId, line_id: line.line_id } };
  const found = useQuery(`substitutes:${orderId}:${line.line_id}`, () =>
    unwrap(api.GET('/api/v1/store-ops/orders/{order_id}/lines/{line_id}/substitutes', { params })),
  );
  const [quantity, setQuantity] = useState(line.quantity);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const items = (found.data?.items ?? []) as SubstituteCandidate[];

  async function offer(candidate: SubstituteCandidate) {
    setBusy(candidate.product_id);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/store-ops/orders/{order_id}/lines/{line_id}/substitutions', {
          params,
          body: { product_id: candidate.product_id, quantity },
        }),
      );
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  async function none() {
    setBusy('none');
    setError(null);
    try {
      onDone(
        await unwrap(
          api.POST('/api/v1/store-ops/orders/{order_id}/lines/{line_id}/unavailable', { params }),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const heading = `subs-h-${line.line_id}`;
  return (
    <section className="stack substitute-picker" aria-labelledby={heading} style={{ padding: 12 }}>
      <div className="row between wrap">
        <strong id={heading}>Instead of {line.name}</strong>
        <Button variant="ghost" size="small" onClick={onCancel}>
          Close
        </Button>
      </div>
      <label className="row" style={{ gap: 8 }}>
        <span>Quantity</span>
        <input
          type="number"
          min={1}
          max={50}
          value={quantity}
          onChange={(e) => setQuantity(Math.max(1, Math.min(50, Number(e.target.value) || 1)))}
          style={{ width: 72 }}
          aria-label="Quantity of the substitute"
        />
      </label>
      <ErrorBanner error={error ?? found.error} />
      {found.loading ? (
        <Skeleton height={80} />
      ) : items.length ? (
        <ul
          className="stack"
          aria-label={`Substitutes for ${line.name}`}
          style={{ margin: 0, padding: 0, listStyle: 'none' }}
        >
          {items.map((c) => (
            <li key={c.product_id} className="row between wrap" style={{ gap: 8 }}>
              <span>
                <strong>{c.name}</strong>
                {c.unit ? <span className="subtle"> · {c.unit}</span> : null}
                <span className="subtle" style={{ display: 'block' }}>
                  {formatMoney(c.price)} · aisle {c.aisle || '—'} · {c.available} on the shelf
                  {c.dearer
                    ? ` · dearer: the customer pays ${formatMoney(c.charged_unit_price)}`
                    : ''}
                </span>
              </span>
              <Button
                size="small"
                busy={busy === c.product_id}
                disabled={!!busy}
                onClick={() => void offer(c)}
                aria-label={`Offer ${c.name}`}
              >
                Offer
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Nothing of this kind is in stock here.
        </p>
      )}
      <Button variant="danger" busy={busy === 'none'} disabled={!!busy} onClick={() => void none()}>
        None in stock — leave it out
      </Button>
    </section>
  );
}

/** A proposal waiting for the customer, with the time they have left. */
export function WaitingForCustomer({ offer }: { offer: Substitution }) {
  const left = useSecondsLeft(offer.expires_at);
  return (
    <span className="badge" role="status" data-testid="waiting-for-customer">
      Offered {offer.quantity} × {offer.name} · waiting for the customer{' '}
      {left > 0 ? clockText(left) : '(time is up)'}
    </span>
  );
}
