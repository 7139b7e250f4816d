import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { useQuery } from '../lib/query';
import { STATUS_LABEL, type AdminOrder, type OrderStatus } from '../lib/types';
import { Empty, ErrorBanner, SelectField, Skeleton, StatusBadge } from '../ui';
import { useStores } from './data';

export function OrdersBoard() {
  const [status, setStatus] = useState('');
  const [storeId, setStoreId] = useState('');
  const stores = useStores();
  const orders = useQuery(
    `admin:orders:${status}:${storeId}`,
    () =>
      unwrap(
        api.GET('/api/v1/admin/orders', {
          params: {
            query: {
              status: (status || undefined) as OrderStatus | undefined,
              store_id: storeId || undefined,
              limit: 100,
            },
          },
        }),
      ),
    { pollMs: 10000 },
  );
  const storeName = (id: string | null | undefined) =>
    stores.data?.items.find((s) => s.id === id)?.name ?? id ?? '';
  const list = (orders.data?.items ?? []) as AdminOrder[];
  return (
    <>
      <h1>Orders</h1>
      <div className="toolbar">
        <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All statuses</option>
          {Object.entries(STATUS_LABEL).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </SelectField>
        <SelectField label="Store" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
          <option value="">All stores</option>
          {stores.data?.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <span className="subtle">Refreshes every 10 s</span>
      </div>
      <ErrorBanner error={orders.error} onRetry={() => void orders.reload()} />
      {orders.loading ? (
        <Skeleton height={240} />
      ) : list.length ? (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Store</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((o) => (
                <tr key={o.id}>
                  <td>
                    <strong>#{o.number}</strong>
                  </td>
                  <td>{o.created_at ? new Date(o.created_at).toLocaleString() : ''}</td>
                  <td>{storeName((o as { store_id?: string }).store_id)}</td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td className="num">{formatMoney(o.total, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty icon="receipt" title="No orders match these filters" />
      )}
    </>
  );
}
