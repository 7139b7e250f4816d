import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { errorMessage } from '../lib/problem';
import { Link } from '../lib/router';
import { useLive } from '../lib/live';
import { useQuery } from '../lib/query';
import { LiveNote } from '../ui/LiveNote';
import type { Rider } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, useToast } from '../ui';
import { DataTable, type Column } from '../ui/table';
import { Map } from '../map/Map';
import { useStores } from './data';

export function Riders() {
  const stores = useStores();
  const riders = useQuery(
    'admin:riders',
    () => unwrap(api.GET('/api/v1/admin/riders', { params: { query: { limit: 100 } } })),
    { pollMs: 10000 },
  );
  const list = (riders.data?.items ?? []) as Rider[];
  const storeName = (id: string) => stores.data?.items.find((s) => s.id === id)?.name ?? id;
  const columns: Array<Column<Rider>> = [
    { header: 'Rider', cell: (r) => r.name },
    { header: 'Store', cell: (r) => storeName(r.store_id) },
    { header: 'Vehicle', cell: (r) => r.vehicle.replace('_', ' ') },
    {
      header: 'Shift',
      cell: (r) =>
        r.current_delivery ? (
          <span className="row">
            <span className="badge blue">
              On delivery · {r.current_delivery.status.replace('_', ' ')}
            </span>
            <UnlockButton deliveryId={r.current_delivery.id} />
          </span>
        ) : r.is_online ? (
          <span className="badge green">Online, free</span>
        ) : (
          <span className="badge">Offline</span>
        ),
    },
    {
      header: 'Last seen',
      className: 'subtle',
      cell: (r) => (r.last_seen_at ? new Date(r.last_seen_at).toLocaleTimeString() : '—'),
    },
  ];
  return (
    <>
      <h1>Riders</h1>
      <ErrorBanner error={riders.error} onRetry={() => void riders.reload()} />
      <DataTable
        columns={columns}
        rows={list}
        rowKey={(r) => r.id}
        loading={riders.loading}
        skeletonHeight={200}
        empty={<Empty icon="bike" title="No riders yet" />}
      />
      <p className="subtle" style={{ marginTop: 16 }}>
        Add riders, move them between stores or deactivate them on the{' '}
        <Link to="/admin/team">Team</Link> screen.
      </p>
    </>
  );
}

type LivePosition = { rider_id: string; name?: string; lat: number; lng: number };

export function CityMap() {
  const stores = useStores();
  // Every rider's position and every order's change arrive over the city channel; the list is
  // read again on a status change, and polled only while the socket is down.
  const [moved, setMoved] = useState<Record<string, LivePosition>>({});
  const socket = useLive('/ws/admin/live', (message) => {
    if (message.type === 'rider.position') {
      const p = message.data as LivePosition;
      setMoved((m) => ({ ...m, [p.rider_id]: p }));
    } else void riders.reload();
  });
  const riders = useQuery(
    'admin:riders',
    () => unwrap(api.GET('/api/v1/admin/riders', { params: { query: { limit: 100 } } })),
    { pollMs: socket.status === 'live' ? undefined : 10000 },
  );
  const listed = (
    (riders.data?.items ?? []) as Array<
      Rider & { lat?: number | null; lng?: number | null; name?: string | null }
    >
  ).map((r) => ({ id: r.id, name: r.name ?? '', lat: r.lat, lng: r.lng }));
  const byId = new globalThis.Map(listed.map((r) => [r.id, r]));
  for (const p of Object.values(moved))
    byId.set(p.rider_id, {
      id: p.rider_id,
      name: p.name ?? byId.get(p.rider_id)?.name ?? '',
      lat: p.lat,
      lng: p.lng,
    });
  const points = [...byId.values()]
    .filter((r) => r.lat != null && r.lng != null)
    .map((r) => ({
      id: r.id,
      lat: r.lat!,
      lng: r.lng!,
      label: r.name,
      kind: 'rider' as const,
    }));
  return (
    <>
      <h1>City view</h1>
      <p className="subtle">
        Stores, their service areas and riders with a recent position. Drawn from our own data — no
        map tiles needed.
      </p>
      <LiveNote status={socket.status} pollSeconds={10} />
      {stores.loading ? (
        <Skeleton height={420} />
      ) : (
        <Map
          tall
          label="City map of stores, service areas and riders"
          stores={stores.data?.items ?? []}
          points={points}
        />
      )}
    </>
  );
}

/** Clears the OTP lock a delivery gets after too many wrong codes. */
function UnlockButton({ deliveryId }: { deliveryId: string }) {
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  return (
    <Button
      size="small"
      variant="ghost"
      busy={busy}
      title="Clear the OTP lock after too many wrong codes"
      onClick={async () => {
        setBusy(true);
        try {
          await unwrap(
            api.POST('/api/v1/admin/deliveries/{delivery_id}/unlock', {
              params: { path: { delivery_id: deliveryId } },
            }),
          );
          toast('Delivery unlocked: the rider can enter the code again');
        } catch (e) {
          toast(errorMessage(e));
        } finally {
          setBusy(false);
        }
      }}
    >
      Unlock OTP
    </Button>
  );
}
