/** How well delivery promises were kept: the share delivered within the promised p90, and the
 * ETA error (actual minus the promised p50 minutes) with its spread, by store and by hour. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Empty, ErrorBanner, SelectField, Skeleton } from '../ui';
import { DataTable, type Column } from '../ui/table';
import { StoreFilter } from './options';

type Report = Res<'/api/v1/admin/reports/promise', 'get'>;
type Figures = Report['overall'];
type StoreRow = Report['stores'][number];
type HourRow = StoreRow['hours'][number];

const WINDOWS: Array<[string, string, number]> = [
  ['24h', 'Last 24 hours', 24],
  ['7d', 'Last 7 days', 24 * 7],
  ['30d', 'Last 30 days', 24 * 30],
];

/** "62%", or a dash when nothing was delivered. */
export function share(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 100)}%`;
}

/** Signed minutes: "+2.5 min" late, "−1 min" early. */
export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const rounded = Math.round(value * 10) / 10;
  const sign = rounded > 0 ? '+' : rounded < 0 ? '−' : '';
  return `${sign}${Math.abs(rounded)} min`;
}

/** The error's spread, p10 to p90. */
export function spread(f: Figures): string {
  return f.error_p10 === null ? '—' : `${minutes(f.error_p10)} to ${minutes(f.error_p90)}`;
}

function figureColumns<T extends Figures>(): Array<Column<T>> {
  return [
    { header: 'Orders', num: true, cell: (f) => f.orders },
    { header: 'On time', num: true, cell: (f) => share(f.on_time_share) },
    { header: 'Mean error', num: true, cell: (f) => minutes(f.error_mean) },
    { header: 'Median error', num: true, cell: (f) => minutes(f.error_median) },
    { header: 'Spread (p10 to p90)', num: true, cell: (f) => spread(f) },
  ];
}

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function DeliveryPromise() {
  const [windowKey, setWindowKey] = useState('24h');
  const [storeId, setStoreId] = useState('');
  const hours = WINDOWS.find((w) => w[0] === windowKey)?.[2] ?? 24;
  const report = useQuery(`admin:promise:${windowKey}:${storeId}`, () => {
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3600_000);
    return unwrap(
      api.GET('/api/v1/admin/reports/promise', {
        params: {
          query: {
            from: from.toISOString(),
            to: to.toISOString(),
            ...(storeId ? { store_id: storeId } : {}),
          },
        },
      }),
    );
  });
  const data = report.data;
  const storeColumns: Array<Column<StoreRow>> = [
    { header: 'Store', cell: (s) => s.store_name },
    ...figureColumns<StoreRow>(),
  ];
  const hourColumns: Array<Column<HourRow>> = [
    { header: 'Hour', className: 'subtle', cell: (h) => hourLabel(h.hour) },
    ...figureColumns<HourRow>(),
  ];
  return (
    <>
      <h1>Delivery promise</h1>
      <p className="subtle">
        Every delivered order against the time it was promised at checkout: on time is within the
        promised upper time (p90); the error is the actual minutes, from confirmation to hand-over,
        minus the promised median (p50). Late is positive.
      </p>
      <div className="row" style={{ gap: 12, flexWrap: 'wrap' }}>
        <SelectField
          label="Window"
          value={windowKey}
          onChange={(e) => setWindowKey(e.target.value)}
        >
          {WINDOWS.map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </SelectField>
        <StoreFilter value={storeId} onChange={setStoreId} />
      </div>
      <ErrorBanner error={report.error} onRetry={() => void report.reload()} />
      {report.loading && !data ? (
        <Skeleton height={240} />
      ) : data ? (
        <>
          <div className="kpis">
            <div className="card kpi">
              <div className="subtle">Delivered</div>
              <div className="kpi-value num" data-testid="promise-orders">
                {data.overall.orders}
              </div>
            </div>
            <div className="card kpi">
              <div className="subtle">On time (within p90)</div>
              <div className="kpi-value num" data-testid="promise-on-time">
                {share(data.overall.on_time_share)}
              </div>
            </div>
            <div className="card kpi">
              <div className="subtle">Median ETA error</div>
              <div className="kpi-value num" data-testid="promise-median">
                {minutes(data.overall.error_median)}
              </div>
            </div>
            <div className="card kpi">
              <div className="subtle">Error spread (p10 to p90)</div>
              <div className="kpi-value num" data-testid="promise-spread">
                {spread(data.overall)}
              </div>
            </div>
          </div>
          {data.stores.length === 0 ? (
            <Empty icon="clock" title="No delivered order with a promise in this window" />
          ) : (
            <>
              <h2>By store</h2>
              <DataTable columns={storeColumns} rows={data.stores} rowKey={(s) => s.store_id} />
              {data.stores.map((s) => (
                <section key={s.store_id} aria-label={`${s.store_name} by hour`}>
                  <h2>{s.store_name}, by hour</h2>
                  <DataTable columns={hourColumns} rows={s.hours} rowKey={(h) => h.hour} />
                </section>
              ))}
            </>
          )}
        </>
      ) : null}
    </>
  );
}
