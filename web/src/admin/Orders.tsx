import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { useQuery } from '../lib/query';
import { CANCELLABLE, ORDER_STATUSES, STATUS_LABEL } from '../lib/labels';
import type { AdminOrder, OrderStatus } from '../lib/types';
import { Button, Dialog, Empty, ErrorBanner, SelectField, Skeleton, StatusBadge } from '../ui';
import { DataTable, type Column } from '../ui/table';
import { Timeline } from '../customer/OrderPage';
import { useStores } from './data';
import { StoreFilter } from './options';

export function OrdersBoard() {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [storeId, setStoreId] = useState('');
  const stores = useStores();
  const [open, setOpen] = useState<string | null>(null);
  const orders = useQuery(
    `admin:orders:${status}:${storeId}`,
    () =>
      unwrap(
        api.GET('/api/v1/admin/orders', {
          params: {
            query: {
              status: status || undefined,
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
  const columns: Array<Column<AdminOrder>> = [
    {
      header: 'Order',
      cell: (o) => (
        <button
          type="button"
          className="btn ghost small"
          onClick={() => setOpen(o.id)}
          aria-label={`Open order ${o.number}`}
        >
          #{o.number}
        </button>
      ),
    },
    {
      header: 'Placed',
      cell: (o) => (o.created_at ? new Date(o.created_at).toLocaleString() : ''),
    },
    { header: 'Store', cell: (o) => storeName((o as { store_id?: string }).store_id) },
    { header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
    { header: 'Total', num: true, cell: (o) => formatMoney(o.total, o.currency) },
  ];
  return (
    <>
      <h1>Orders</h1>
      <div className="toolbar">
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as OrderStatus | '')}
        >
          <option value="">All statuses</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </SelectField>
        <StoreFilter value={storeId} onChange={setStoreId} />
        <span className="subtle">Refreshes every 10 s</span>
      </div>
      <ErrorBanner error={orders.error} onRetry={() => void orders.reload()} />
      <DataTable
        columns={columns}
        rows={list}
        rowKey={(o) => o.id}
        loading={orders.loading}
        empty={<Empty icon="receipt" title="No orders match these filters" />}
      />
      {open ? (
        <OrderDialog
          id={open}
          onClose={() => setOpen(null)}
          onChanged={() => void orders.reload()}
        />
      ) : null}
    </>
  );
}

function OrderDialog({
  id,
  onClose,
  onChanged,
}: {
  id: string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const order = useQuery(`admin:order:${id}`, () =>
    unwrap(api.GET('/api/v1/admin/orders/{order_id}', { params: { path: { order_id: id } } })),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const o = order.data;
  const address = o?.address as { line1?: string; city?: string; pincode?: string } | undefined;
  return (
    <Dialog title={o ? `Order #${o.number}` : 'Order'} onClose={onClose}>
      <ErrorBanner error={error ?? order.error} />
      {!o ? (
        <Skeleton height={200} />
      ) : (
        <div className="stack">
          <div className="row between">
            <StatusBadge status={o.status} />
            <strong>{formatMoney(o.total, o.currency)}</strong>
          </div>
          <p className="subtle" style={{ margin: 0 }}>
            {o.payment_method.toUpperCase()} · {o.item_count} items ·{' '}
            {address
              ? `${address.line1 ?? ''}, ${address.city ?? ''} ${address.pincode ?? ''}`
              : ''}
          </p>
          <div>
            {o.items.map((i) => {
              const off = i.status === 'unavailable' || i.status === 'substituted';
              return (
                <div className={`bill-row${off ? ' subtle' : ''}`} key={i.id}>
                  <span>
                    {off ? (
                      <s>
                        {i.quantity} × {i.name}
                      </s>
                    ) : (
                      `${i.quantity} × ${i.name}`
                    )}
                    {off ? ` · ${i.status === 'unavailable' ? 'out of stock' : 'replaced'}` : ''}
                  </span>
                  <span className="num">{off ? '' : formatMoney(i.line_total, o.currency)}</span>
                </div>
              );
            })}
          </div>
          <Timeline status={o.status} timeline={o.timeline} paymentMethod={o.payment_method} />
          <a href={`/orders/${o.id}/receipt`} target="_blank" rel="noopener">
            Receipt (opens a printable page)
          </a>
          {CANCELLABLE.includes(o.status) ? (
            <Button
              variant="danger"
              busy={busy}
              onClick={async () => {
                if (!confirm(`Cancel order ${o.number}?`)) return;
                setBusy(true);
                setError(null);
                try {
                  order.setData(
                    await unwrap(
                      api.POST('/api/v1/admin/orders/{order_id}/cancel', {
                        params: { path: { order_id: id } },
                        body: { reason: 'Cancelled by operations' },
                      }),
                    ),
                  );
                  onChanged();
                } catch (e) {
                  setError(e);
                } finally {
                  setBusy(false);
                }
              }}
            >
              Cancel order
            </Button>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
