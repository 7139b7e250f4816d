import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { useQuery } from '../lib/query';
import { ErrorBanner, Skeleton } from '../ui';
import { BarChart, Donut } from './charts';
import { allPages } from './data';
import { deliveryHistogram, onTimeShare, ordersPerHour, revenue, type OrderLike } from './stats';

const DETAIL_LIMIT = 60;

/** Orders for the charts: the list, plus the timeline of the most recent finished ones
 * (the list answer has no timeline; delivery times need it). */
async function loadDashboardOrders(): Promise<OrderLike[]> {
  const summaries = await allPages(
    (cursor) =>
      unwrap(api.GET('/api/v1/admin/orders', { params: { query: { cursor, limit: 100 } } })),
    10,
  );
  const delivered = summaries.filter((o) => o.status === 'delivered').slice(0, DETAIL_LIMIT);
  const details = new Map<string, OrderLike>();
  for (let i = 0; i < delivered.length; i += 6) {
    const batch = await Promise.all(
      delivered
        .slice(i, i + 6)
        .map((o) =>
          unwrap(
            api.GET('/api/v1/admin/orders/{order_id}', { params: { path: { order_id: o.id } } }),
          ).catch(() => null),
        ),
    );
    for (const d of batch) if (d) details.set(d.id, d);
  }
  return summaries.map((o) => details.get(o.id) ?? o);
}

/** Warns when the event relay is behind: assignments, notifications and refunds wait on it. */
export function BacklogBanner() {
  const backlog = useQuery('admin:outbox', () => unwrap(api.GET('/api/v1/admin/outbox')), {
    pollMs: 10000,
  });
  const b = backlog.data;
  if (!b?.stale) return null;
  const behind = Math.round(b.oldest_age_seconds);
  return (
    <div className="banner warn" role="status">
      <div className="grow">
        <strong>
          Events are {behind} s behind ({b.unpublished} waiting).
        </strong>{' '}
        Rider assignments, notifications and refunds are delayed: check that{' '}
        <code>kirana worker</code> is running.
      </div>
    </div>
  );
}

export function Dashboard() {
  const orders = useQuery('admin:orders:dashboard', loadDashboardOrders, { pollMs: 30000 });
  const list = orders.data ?? [];
  const share = onTimeShare(list);
  const active = list.filter((o) => !['delivered', 'cancelled'].includes(o.status)).length;
  return (
    <>
      <h1>Dashboard</h1>
      <BacklogBanner />
      <ErrorBanner error={orders.error} onRetry={() => void orders.reload()} />
      {orders.loading ? (
        <div className="kpis">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height={92} />
          ))}
        </div>
      ) : (
        <>
          <div className="kpis">
            <div className="card kpi">
              <div className="subtle">Orders</div>
              <div className="kpi-value num">{list.length}</div>
            </div>
            <div className="card kpi">
              <div className="subtle">In progress</div>
              <div className="kpi-value num">{active}</div>
            </div>
            <div className="card kpi">
              <div className="subtle">Revenue</div>
              <div className="kpi-value num">{formatMoney(revenue(list))}</div>
            </div>
            <div className="card kpi">
              <div className="subtle">On time</div>
              <div className="kpi-value num">
                {share === null ? '—' : `${Math.round(share * 100)}%`}
              </div>
            </div>
          </div>
          <div className="charts">
            <BarChart title="Orders per hour (last 12 h)" data={ordersPerHour(list)} />
            <BarChart
              title="Delivery time (minutes from confirmation)"
              data={deliveryHistogram(list)}
              color="#1e5bb8"
            />
            <Donut
              title="On-time deliveries"
              share={share ?? 0}
              label={share === null ? 'no deliveries yet' : 'within promised ETA'}
            />
            <BarChart
              title="Revenue per hour"
              format={(v) => formatMoney(v)}
              color="#e07b00"
              data={ordersPerHour(list).map((b, i, all) => {
                const hourMs = 3600000;
                const end = Math.ceil(Date.now() / hourMs) * hourMs;
                const from = end - (all.length - i) * hourMs;
                return {
                  label: b.label,
                  value: revenue(
                    list.filter(
                      (o) =>
                        o.created_at &&
                        new Date(o.created_at).getTime() >= from &&
                        new Date(o.created_at).getTime() < from + hourMs,
                    ),
                  ),
                };
              })}
            />
          </div>
        </>
      )}
    </>
  );
}
