import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { hasRole, useAuth } from '../lib/auth';
import { formatMoney } from '../lib/money';
import { errorMessage } from '../lib/problem';
import { useLive } from '../lib/live';
import { useQuery } from '../lib/query';
import type { QueueOrder, StaffPickLine, StaffPickList, Substitution } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, Skeleton, StatusBadge, useToast } from '../ui';
import { LiveNote } from '../ui/LiveNote';
import { minutesSince, StaffTop } from '../staff/StaffTop';
import { loadPicked, savePicked, sortByAisle } from './picklist';
import { SubstitutePicker, WaitingForCustomer } from './Substitutes';

const FILTERS = [
  { id: 'active', label: 'To pack', statuses: ['confirmed', 'picking'] },
  { id: 'packed', label: 'Waiting for rider', statuses: ['packed'] },
  { id: 'all', label: 'All today', statuses: [] as string[] },
];

function confirmedAt(o: QueueOrder): string {
  return o.confirmed_at ?? o.created_at;
}

function useNow(ms = 30000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

const BILLED = new Set(['ordered', 'picked']);

function PickList({
  entry,
  onChanged,
  liveTick,
}: {
  entry: QueueOrder;
  onChanged: () => void;
  /** Moves on with every live message of the store: the customer may have answered. */
  liveTick: number;
}) {
  const detail = useQuery(`pick:${entry.id}`, () =>
    unwrap(
      api.GET('/api/v1/store-ops/orders/{order_id}', { params: { path: { order_id: entry.id } } }),
    ),
  );
  useEffect(() => {
    if (liveTick) void detail.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [liveTick]);
  const order = detail.data as StaffPickList | undefined;
  const status = order?.status ?? entry.status;
  const all = sortByAisle((order?.lines ?? []) as StaffPickLine[]);
  const lines = all.filter((l) => BILLED.has(l.status));
  const offers = ((order?.substitutions ?? []) as Substitution[]).filter(
    (o) => o.status === 'proposed',
  );
  const [picked, setPicked] = useState<string[]>(() => loadPicked(entry.id));
  const [choosing, setChoosing] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();
  const allPicked = lines.length > 0 && lines.every((l) => picked.includes(l.product_id));
  const waiting = offers.length > 0;
  const toggle = (id: string) => {
    const next = picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id];
    setPicked(next);
    savePicked(entry.id, next);
  };
  async function act(action: 'start-picking' | 'packed') {
    setBusy(action);
    setError(null);
    try {
      const next =
        action === 'start-picking'
          ? await unwrap(
              api.POST('/api/v1/store-ops/orders/{order_id}/start-picking', {
                params: { path: { order_id: entry.id } },
              }),
            )
          : await unwrap(
              api.POST('/api/v1/store-ops/orders/{order_id}/packed', {
                params: { path: { order_id: entry.id } },
              }),
            );
      detail.setData(next);
      if (action === 'packed') toast(`Order #${entry.number} packed — handing over to a rider`);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  const picking = status === 'picking';
  const pickedCount = lines.filter((l) => picked.includes(l.product_id)).length;
  return (
    <section className="card stack" aria-labelledby="pick-h">
      <div className="row between wrap">
        <h2 id="pick-h" style={{ margin: 0 }}>
          Order #{entry.number}
        </h2>
        <StatusBadge status={status} />
      </div>
      <p className="subtle" style={{ margin: 0 }}>
        {lines.length} lines · {lines.reduce((n, l) => n + l.quantity, 0)} items · picked{' '}
        {pickedCount}/{lines.length}
      </p>
      {order?.delivery_instructions ? (
        <div className="banner">Customer note: {order.delivery_instructions}</div>
      ) : null}
      <ErrorBanner error={error ?? detail.error} />
      {detail.loading ? (
        <Skeleton height={200} />
      ) : (
        <div
          role="list"
          aria-label="Pick list, sorted by aisle"
          style={{ border: '1px solid var(--c-line)', borderRadius: 12 }}
        >
          {all.map((l) => {
            if (!BILLED.has(l.status))
              return (
                <div key={l.line_id} className="pick-row done" role="listitem">
                  <span className="aisle" title="Aisle">
                    {l.aisle || '—'}
                  </span>
                  <span className="pick-name grow">
                    <s>{l.name}</s>{' '}
                    <span className="subtle">
                      {l.status === 'unavailable' ? 'out of stock — left out' : 'replaced'}
                    </span>
                  </span>
                  <strong className="num">×{l.quantity}</strong>
                </div>
              );
            const done = picked.includes(l.product_id);
            const offer = offers.find((o) => o.line_id === l.line_id);
            const canChange = picking && l.status === 'ordered' && !offer && !l.substitute_for;
            return (
              <div key={l.line_id} role="listitem">
                <label className={`pick-row${done ? ' done' : ''}`}>
                  <input
                    type="checkbox"
                    checked={done}
                    onChange={() => toggle(l.product_id)}
                    disabled={!picking || !!offer}
                    aria-label={`Picked ${l.quantity} × ${l.name}`}
                  />
                  <span className="aisle" title="Aisle">
                    {l.aisle || '—'}
                  </span>
                  <span className="pick-name grow">
                    {l.name}
                    {l.unit ? <span className="subtle"> · {l.unit}</span> : null}
                    {l.substitute_for ? <span className="subtle"> · substitute</span> : null}
                  </span>
                  <strong className="num" style={{ fontSize: 18 }}>
                    ×{l.quantity}
                  </strong>
                </label>
                {offer ? (
                  <div style={{ padding: '0 12px 8px' }}>
                    <WaitingForCustomer offer={offer} />
                  </div>
                ) : canChange && !done && choosing !== l.line_id ? (
                  <div style={{ padding: '0 12px 8px' }}>
                    <Button
                      variant="ghost"
                      size="small"
                      onClick={() => setChoosing(l.line_id)}
                      aria-label={`Can't find ${l.name}`}
                    >
                      Can't find it
                    </Button>
                  </div>
                ) : null}
                {canChange && choosing === l.line_id ? (
                  <SubstitutePicker
                    orderId={entry.id}
                    line={l}
                    onCancel={() => setChoosing(null)}
                    onDone={(next) => {
                      setChoosing(null);
                      if (next) detail.setData(next);
                      else void detail.reload();
                      onChanged();
                    }}
                  />
                ) : null}
              </div>
            );
          })}
          {!lines.length ? (
            <p className="muted" style={{ padding: 12 }}>
              This order has no lines.
            </p>
          ) : null}
        </div>
      )}
      {status === 'confirmed' ? (
        <Button
          size="big"
          block
          busy={busy === 'start-picking'}
          onClick={() => void act('start-picking')}
        >
          Start picking
        </Button>
      ) : picking ? (
        <Button
          size="big"
          block
          busy={busy === 'packed'}
          disabled={!allPicked || waiting}
          onClick={() => void act('packed')}
        >
          {waiting
            ? "Waiting for the customer's answer"
            : allPicked
              ? 'Packed — hand to rider'
              : 'Tick every line to finish'}
        </Button>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Nothing to do for this order.
        </p>
      )}
    </section>
  );
}

export default function StoreApp() {
  const { user } = useAuth();
  const isAdmin = hasRole(user, 'admin');
  const stores = useQuery(isAdmin ? 'stores' : null, () =>
    unwrap(api.GET('/api/v1/stores', { params: { query: { limit: 100 } } })),
  );
  const [storeId, setStoreId] = useState<string | null>(null);
  const effectiveStore =
    storeId ?? user?.store_id ?? (isAdmin ? (stores.data?.items[0]?.id ?? null) : null);
  const [filter, setFilter] = useState('active');
  const [selected, setSelected] = useState<string | null>(null);
  const now = useNow();
  // New and changed orders arrive over the store's live channel; polling only while it is down.
  const [liveTick, setLiveTick] = useState(0);
  const socket = useLive(effectiveStore ? `/ws/store-ops/${effectiveStore}` : null, () => {
    void queue.reload();
    setLiveTick((n) => n + 1);
  });
  const queue = useQuery(
    effectiveStore ? `store-queue:${effectiveStore}` : null,
    () =>
      unwrap(
        api.GET('/api/v1/store-ops/{store_id}/orders', {
          params: { path: { store_id: effectiveStore! } },
        }),
      ),
    { pollMs: socket.status === 'live' ? undefined : 5000 },
  );
  const statuses = FILTERS.find((f) => f.id === filter)!.statuses;
  const orders = useMemo(() => {
    const all = (queue.data?.items ?? []) as QueueOrder[];
    const shown = statuses.length ? all.filter((o) => statuses.includes(o.status)) : all;
    return [...shown].sort((a, b) => String(confirmedAt(a)).localeCompare(String(confirmedAt(b))));
  }, [queue.data, statuses]);
  const current = orders.find((o) => o.id === selected) ?? orders[0];

  return (
    <div className="staff-shell">
      <StaffTop title="Store queue">
        {isAdmin && stores.data ? (
          <div style={{ minWidth: 180 }}>
            <SelectField
              label="Store"
              value={effectiveStore ?? ''}
              onChange={(e) => setStoreId(e.target.value)}
              className="sr-only-label"
            >
              {stores.data.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </SelectField>
          </div>
        ) : null}
      </StaffTop>
      <main className="admin-main" id="main">
        {!effectiveStore ? (
          <Empty icon="store" title="No store linked to this account">
            <p>Ask an admin to bind your account to a store.</p>
          </Empty>
        ) : (
          <>
            <div className="row between wrap" style={{ marginBottom: 12 }}>
              <div className="chips" role="group" aria-label="Filter orders">
                {FILTERS.map((f) => (
                  <button
                    key={f.id}
                    className="chip"
                    aria-pressed={filter === f.id}
                    onClick={() => setFilter(f.id)}
                  >
                    {f.label}
                  </button>
                ))}
              </div>
              <span className="subtle row" aria-live="polite" style={{ gap: 8 }}>
                <LiveNote status={socket.status} pollSeconds={5} />
                {queue.error
                  ? errorMessage(queue.error)
                  : `· ${orders.length} order${orders.length === 1 ? '' : 's'}`}
              </span>
            </div>
            {queue.loading ? (
              <div className="queue">
                <Skeleton height={240} />
                <Skeleton height={320} />
              </div>
            ) : !orders.length ? (
              <>
                <ErrorBanner error={queue.error} onRetry={() => void queue.reload()} />
                <Empty icon="check" title="All caught up">
                  <p>New orders appear here as soon as they are confirmed.</p>
                </Empty>
              </>
            ) : (
              <div className="queue">
                <div className="stack" role="list" aria-label="Orders">
                  {orders.map((o) => {
                    const mins = minutesSince(confirmedAt(o), now);
                    const late =
                      mins !== null && mins >= 5 && ['confirmed', 'picking'].includes(o.status);
                    return (
                      <button
                        key={o.id}
                        role="listitem"
                        className="queue-item"
                        aria-pressed={current?.id === o.id}
                        onClick={() => setSelected(o.id)}
                      >
                        <span>
                          <strong>#{o.number}</strong>
                          <span className="subtle" style={{ display: 'block' }}>
                            {o.item_count} items · {formatMoney(o.total)}
                          </span>
                        </span>
                        <span style={{ textAlign: 'right' }}>
                          <StatusBadge status={o.status} />
                          <span
                            className={`badge ${late ? 'red' : ''}`}
                            style={{ display: 'block', marginTop: 4 }}
                          >
                            {mins === null ? '' : `${mins} min ago`}
                          </span>
                        </span>
                      </button>
                    );
                  })}
                </div>
                {current ? (
                  <PickList
                    key={current.id}
                    entry={current}
                    liveTick={liveTick}
                    onChanged={() => void queue.reload()}
                  />
                ) : null}
              </div>
            )}
          </>
        )}
      </main>
    </div>
  );
}
