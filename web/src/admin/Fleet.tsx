/** The fleet: each rider's time on shift split into busy and idle, utilisation, orders per
 * rider-hour and distance per order over a chosen window, beside the live city map. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Empty, ErrorBanner, SelectField } from '../ui';
import { DataTable, type Column } from '../ui/table';
import { useStores } from './data';
import { StoreOptions } from './options';
import { CityMap } from './Riders';

type Report = Res<'/api/v1/admin/fleet', 'get'>;
type FleetRider = Report['riders'][number];
type Figures = Report['totals'];

const WINDOWS = { '8h': 8, '24h': 24, '7d': 24 * 7 } as const;
type WindowKey = keyof typeof WINDOWS;

/** A duration in hours and minutes ("3 h 05 min", "12 min"). */
export function hoursText(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

function percent(x: number | null | undefined): string {
  return x == null ? '—' : `${Math.round(x * 100)}%`;
}

function km(m: number | null | undefined): string {
  return m == null ? '—' : m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`;
}

function Tiles({ t }: { t: Figures }) {
  const tiles = [
    ['On shift', hoursText(t.online_seconds)],
    ['Utilisation', percent(t.utilisation)],
    ['Idle', hoursText(t.idle_seconds)],
    ['Delivered', String(t.deliveries)],
    [
      'Orders per rider-hour',
      t.orders_per_rider_hour == null ? '—' : t.orders_per_rider_hour.toFixed(1),
    ],
    ['Distance per order', km(t.distance_m_per_order)],
  ];
  return (
    <div className="kpis" role="list" aria-label="Fleet totals">
      {tiles.map(([label, value]) => (
        <div className="card kpi" role="listitem" key={label}>
          <div className="subtle">{label}</div>
          <div className="kpi-value num">{value}</div>
        </div>
      ))}
    </div>
  );
}

export function Fleet() {
  const stores = useStores();
  const [storeId, setStoreId] = useState('');
  const [span, setSpan] = useState<WindowKey>('24h');
  const report = useQuery(`admin:fleet:${storeId}:${span}`, () => {
    const until = new Date();
    const since = new Date(until.getTime() - WINDOWS[span] * 3600_000);
    return unwrap(
      api.GET('/api/v1/admin/fleet', {
        params: {
          query: {
            since: since.toISOString(),
            until: until.toISOString(),
            ...(storeId ? { store_id: storeId } : {}),
          },
        },
      }),
    );
  });
  const storeName = (id: string) => stores.data?.items.find((s) => s.id === id)?.name ?? id;
  const columns: Array<Column<FleetRider>> = [
    {
      header: 'Rider',
      cell: (r) => (
        <>
          <strong>{r.name || 'Rider'}</strong>{' '}
          {r.is_online ? <span className="badge green">On shift</span> : null}
          <div className="subtle">
            {storeName(r.store_id)} · {r.vehicle.replace('_', ' ')}
          </div>
        </>
      ),
    },
    { header: 'On shift', num: true, cell: (r) => hoursText(r.online_seconds) },
    { header: 'Busy', num: true, cell: (r) => hoursText(r.busy_seconds) },
    { header: 'Idle', num: true, cell: (r) => hoursText(r.idle_seconds) },
    { header: 'Utilisation', num: true, cell: (r) => percent(r.utilisation) },
    { header: 'Delivered', num: true, cell: (r) => r.deliveries },
    {
      header: 'Orders / rider-hour',
      num: true,
      cell: (r) => (r.orders_per_rider_hour == null ? '—' : r.orders_per_rider_hour.toFixed(1)),
    },
    { header: 'Distance / order', num: true, cell: (r) => km(r.distance_m_per_order) },
  ];
  return (
    <>
      <h1>Fleet</h1>
      <p className="subtle">
        Time on shift from riders going online and offline; busy from a delivery's assignment to its
        hand-over. Distance follows each trip's trail.
      </p>
      <div className="row wrap" style={{ marginBottom: 12 }}>
        <SelectField label="Store" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
          <option value="">Every store</option>
          <StoreOptions />
        </SelectField>
        <SelectField
          label="Window"
          value={span}
          onChange={(e) => setSpan(e.target.value as WindowKey)}
        >
          <option value="8h">Last 8 hours</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
        </SelectField>
      </div>
      <ErrorBanner error={report.error} onRetry={() => void report.reload()} />
      {report.data ? <Tiles t={report.data.totals} /> : null}
      <DataTable
        columns={columns}
        rows={report.data?.riders ?? []}
        rowKey={(r) => r.rider_id}
        loading={report.loading}
        skeletonHeight={200}
        empty={<Empty icon="bike" title="No riders at this store yet" />}
      />
      <h2>Live map</h2>
      <CityMap />
    </>
  );
}
