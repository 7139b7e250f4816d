import { useEffect, useRef, useState } from 'react';
import { Icon } from '../ui/icons';
import { api, unwrap } from '../lib/api';
import { errorMessage } from '../lib/problem';
import { formatMoney, parseAmount } from '../lib/money';
import { useLive } from '../lib/live';
import { useQuery } from '../lib/query';
import { LiveNote } from '../ui/LiveNote';
import type { RiderTask } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, TextField, useToast } from '../ui';
import { StaffTop } from '../staff/StaffTop';
import type { MapPoint } from '../map/types';
import { RouteGuide } from './RouteGuide';

const ONLINE_KEY = 'kirana.rider.online';
const SEND_EVERY_MS = 5000;

interface Spot {
  lat: number;
  lng: number;
}

/** While online: follow the device's position and report it at most every 5 s, over the rider
 * socket when it is up (`send` returns false otherwise), else over HTTP. */
function useLocationSharing(online: boolean, send: (frame: object) => boolean) {
  const sendRef = useRef(send);
  sendRef.current = send;
  const [spot, setSpot] = useState<Spot | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const lastSent = useRef(0);
  useEffect(() => {
    if (!online) return;
    if (!('geolocation' in navigator)) {
      setProblem('This device cannot share its location.');
      return;
    }
    const geo = navigator.geolocation;
    const id = geo.watchPosition(
      (pos) => {
        const next = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        setSpot(next);
        setProblem(null);
        if (Date.now() - lastSent.current >= SEND_EVERY_MS) {
          lastSent.current = Date.now();
          const at = new Date(pos.timestamp || Date.now()).toISOString();
          if (!sendRef.current({ type: 'location', data: { ...next, at } }))
            api.POST('/api/v1/rider/location', { body: { ...next, at } }).catch(() => undefined);
        }
      },
      (err) =>
        setProblem(
          err.code === err.PERMISSION_DENIED
            ? 'Location permission denied: customers cannot see you on the map.'
            : 'Waiting for a GPS fix…',
        ),
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
    return () => geo.clearWatch(id);
  }, [online]);
  return { spot, problem };
}

function TaskCard({
  task,
  drops = 1,
  spot,
  onDone,
  onCollected,
}: {
  task: RiderTask;
  drops?: number; // the task's trip's last drop: a batched trip lists its drops in turn
  spot: Spot | null;
  onDone: () => void;
  onCollected?: () => void;
}) {
  const [otp, setOtp] = useState('');
  const cod = task.payment_method === 'cod';
  // What the customer hands over, typed in the currency; the change follows from it.
  const [tendered, setTendered] = useState(() => (task.amount_to_collect / 100).toFixed(2));
  const tenderedMinor = parseAmount(tendered);
  const change = tenderedMinor === null ? null : tenderedMinor - task.amount_to_collect;
  const cashOk = !cod || (change !== null && change >= 0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();
  const t = task;
  const picked = t.status === 'picked_up';
  const points: MapPoint[] = [
    { id: 'store', lat: t.store.lat, lng: t.store.lng, label: `${t.store.name}`, kind: 'store' },
    { id: 'drop', lat: t.drop.lat, lng: t.drop.lng, label: 'Drop', kind: 'drop' },
  ];
  if (spot) points.push({ id: 'me', lat: spot.lat, lng: spot.lng, label: 'You', kind: 'rider' });
  const route: Array<[number, number]> = picked
    ? [
        ...(spot
          ? [[spot.lat, spot.lng] as [number, number]]
          : [[t.store.lat, t.store.lng] as [number, number]]),
        [t.drop.lat, t.drop.lng],
      ]
    : [
        ...(spot ? [[spot.lat, spot.lng] as [number, number]] : []),
        [t.store.lat, t.store.lng],
        [t.drop.lat, t.drop.lng],
      ];

  async function pickedUp() {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/rider/deliveries/{delivery_id}/picked-up', {
          params: { path: { delivery_id: t.delivery_id } },
        }),
      );
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  async function delivered(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/rider/deliveries/{delivery_id}/delivered', {
          params: { path: { delivery_id: t.delivery_id } },
          body: {
            otp: otp.trim(),
            ...(cod && tenderedMinor !== null && change !== null
              ? { cash: { tendered: tenderedMinor, change } }
              : {}),
          },
        }),
      );
      toast(
        cod && change
          ? `Order #${t.order_number} delivered: ${formatMoney(t.amount_to_collect, t.currency)} collected, ${formatMoney(change, t.currency)} change given.`
          : `Order #${t.order_number} delivered. Nice work!`,
      );
      onCollected?.();
      setOtp('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <article className="card stack" aria-label={`Delivery for order ${t.order_number}`}>
      <div className="row between">
        <h2 style={{ margin: 0 }}>Order #{t.order_number}</h2>
        {drops > 1 && t.sequence ? (
          <span className="badge" data-testid="drop-of-trip">
            Drop {t.sequence} of {drops}
          </span>
        ) : null}
        <span className={`badge ${picked ? 'blue' : 'yellow'}`}>
          {picked ? 'Deliver' : t.status === 'waiting' ? 'Being packed' : 'Pick up'}
        </span>
      </div>
      <div className="stack" style={{ gap: 8 }}>
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <Icon name="store" />
          <div>
            <div className="subtle">Pick up from</div>
            <strong>{t.store.name}</strong>
            <div className="subtle">{t.items_count} items</div>
          </div>
        </div>
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <Icon name="pin" />
          <div>
            <div className="subtle">Drop at</div>
            <strong>
              {t.drop.line1}, {t.drop.city} {t.drop.pincode}
            </strong>
            <div className="muted">
              {t.customer_name} · <a href={`tel:${t.customer_phone}`}>{t.customer_phone}</a>
            </div>
            {t.drop.instructions ? <div className="muted">“{t.drop.instructions}”</div> : null}
          </div>
        </div>
        {t.amount_to_collect ? (
          <div className="banner warn">
            Collect {formatMoney(t.amount_to_collect, t.currency)} in cash at the door.
          </div>
        ) : null}
      </div>
      <RouteGuide task={t} points={points} straight={route} />
      <ErrorBanner error={error} />
      {!picked ? (
        <Button
          size="big"
          block
          busy={busy}
          disabled={t.status === 'waiting'}
          onClick={() => void pickedUp()}
        >
          {t.status === 'waiting' ? 'Waiting for the store to pack' : 'Picked up'}
        </Button>
      ) : (
        <form className="stack" onSubmit={delivered}>
          {t.locked ? (
            <div className="banner error" role="alert">
              Too many wrong codes: this delivery is locked. Call operations to unlock it.
            </div>
          ) : null}
          <TextField
            label="Customer's delivery code"
            className="otp-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={8}
            value={otp}
            onChange={(e) => setOtp(e.target.value.replace(/\D/g, ''))}
            hint="Ask the customer for the code shown on their order screen."
          />
          {cod ? (
            <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
              <legend className="subtle">
                Cash due: <strong>{formatMoney(t.amount_to_collect, t.currency)}</strong>
              </legend>
              <TextField
                label="Cash received"
                inputMode="decimal"
                value={tendered}
                onChange={(e) => setTendered(e.target.value)}
                error={
                  change === null
                    ? 'Enter the amount handed over, like 500 or 249.50.'
                    : change < 0
                      ? `That is ${formatMoney(-change, t.currency)} short of the amount due.`
                      : undefined
                }
              />
              <div className="banner" aria-live="polite" data-testid="change-due">
                {change !== null && change > 0
                  ? `Give ${formatMoney(change, t.currency)} change.`
                  : change === 0
                    ? 'Exact amount: no change.'
                    : 'Change: —'}
              </div>
            </fieldset>
          ) : null}
          <Button
            type="submit"
            size="big"
            block
            busy={busy}
            disabled={otp.length < 4 || t.locked || !cashOk}
          >
            Complete delivery
          </Button>
        </form>
      )}
    </article>
  );
}

export default function RiderApp() {
  const [online, setOnline] = useState(() => localStorage.getItem(ONLINE_KEY) === '1');
  const [switching, setSwitching] = useState(false);
  // Asked to go off shift mid-trip: on shift until the trip's last drop, given nothing new.
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Assignments and cancellations arrive over the rider's live channel; polling only while it
  // is down.
  const socket = useLive(online ? '/ws/rider' : null, (message) => {
    if (message.type.startsWith('delivery.') || message.type === 'resync') void tasks.reload();
  });
  const { spot, problem } = useLocationSharing(online, socket.send);
  const tasks = useQuery(
    online ? 'rider-tasks' : null,
    () => unwrap(api.GET('/api/v1/rider/tasks')),
    { pollMs: socket.status === 'live' ? undefined : 5000 },
  );

  async function toggle(next: boolean) {
    setSwitching(true);
    setError(null);
    try {
      const me = await unwrap(api.POST('/api/v1/rider/shift', { body: { online: next } }));
      const stays = !next && me.off_after_trip === true;
      setLeaving(stays);
      setOnline(next || stays);
      localStorage.setItem(ONLINE_KEY, next || stays ? '1' : '0');
    } catch (e) {
      setError(e);
    } finally {
      setSwitching(false);
    }
  }

  const cash = useQuery('rider-cash', () =>
    unwrap(api.GET('/api/v1/rider/cash', { params: { query: { limit: 5 } } })),
  );
  const list = (tasks.data?.items ?? []) as RiderTask[];
  const tripOver = leaving && tasks.data !== undefined && list.length === 0;
  useEffect(() => {
    if (!tripOver) return;
    // The trip is over: the shift ended with it.
    setLeaving(false);
    setOnline(false);
    localStorage.setItem(ONLINE_KEY, '0');
  }, [tripOver]);
  return (
    <div className="staff-shell">
      <StaffTop title="Rider" />
      <main
        className="admin-main"
        id="main"
        style={{ maxWidth: 640, margin: '0 auto', width: '100%' }}
      >
        <section className="card row between" aria-label="Shift">
          <div>
            <strong>{online ? 'You are online' : 'You are offline'}</strong>
            <div className="subtle">
              {online
                ? (problem ?? (spot ? 'Sharing your location' : 'Finding your location…'))
                : 'Go online to get deliveries'}
            </div>
            {leaving ? (
              <div className="subtle" role="status">
                Going offline after this trip: no new deliveries.
              </div>
            ) : null}
            {online ? <LiveNote status={socket.status} pollSeconds={5} /> : null}
          </div>
          <label className="switch">
            <span className="sr-only">Online</span>
            <input
              type="checkbox"
              role="switch"
              checked={online && !leaving}
              disabled={switching}
              onChange={(e) => void toggle(e.target.checked)}
              aria-label="Online for deliveries"
            />
          </label>
        </section>
        {cash.data ? (
          <section className="card row between" aria-label="Cash in hand" style={{ marginTop: 16 }}>
            <div>
              <strong>Cash in hand</strong>
              <div className="subtle">Hand it in at your store; an admin settles it.</div>
            </div>
            <strong data-testid="cash-held">
              {formatMoney(cash.data.cash_held, cash.data.currency)}
            </strong>
          </section>
        ) : null}
        <div style={{ marginTop: 16 }} className="stack">
          <ErrorBanner error={error} />
          {!online ? (
            <Empty icon="bike" title="Ready to ride?">
              <p>Switch online and we will send you the next delivery from your store.</p>
            </Empty>
          ) : tasks.loading ? (
            <Skeleton height={260} />
          ) : list.length ? (
            list.map((t) => (
              <TaskCard
                key={t.delivery_id}
                task={t}
                drops={Math.max(
                  1,
                  ...list
                    .filter((o) => o.trip_id && o.trip_id === t.trip_id)
                    .map((o) => o.sequence ?? 1),
                )}
                spot={spot}
                onDone={() => void tasks.reload()}
                onCollected={() => void cash.reload()}
              />
            ))
          ) : (
            <>
              {tasks.error ? <p className="subtle">{errorMessage(tasks.error)}</p> : null}
              <Empty icon="clock" title="Waiting for the next order">
                <p>Stay near your store. New deliveries show up here automatically.</p>
              </Empty>
            </>
          )}
        </div>
      </main>
    </div>
  );
}
