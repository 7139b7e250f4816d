/** Refunds as the providers took them: those still waiting, those sent, and those a provider
 * never took after the last try, which an admin sends again. */
import { useEffect, useRef, useState } from 'react';
import type { components } from '../client/schema';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { invalidate } from '../lib/query';
import { Button, Empty, ErrorBanner, SelectField, useToast } from '../ui';
import { DataTable, shortWhen as when, type Column } from '../ui/table';
import { usePaged } from './data';

type Refund = components['schemas']['AdminRefundRead'];
type Status = Refund['status'];
const PAGE = 50;
const STATUS: Record<Status, { label: string; badge: string }> = {
  failed: { label: 'Failed', badge: 'red' },
  pending: { label: 'Waiting to send', badge: 'yellow' },
  sent: { label: 'Sent', badge: 'green' },
};

export function Refunds() {
  // Failed first: those are the ones that need an admin.
  const [status, setStatus] = useState<Status | ''>('failed');
  const list = usePaged(`admin:refunds:${status}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/admin/refunds', {
        params: { query: { status: status || undefined, cursor, limit: PAGE } },
      }),
    ),
  );
  // While a refund waits to be sent, the list is read again now and then, so it is seen sent.
  const reload = useRef(list.reload);
  reload.current = list.reload;
  const waiting = list.rows.some((r) => r.status === 'pending');
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void reload.current(), 5000);
    return () => clearInterval(timer);
  }, [waiting]);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<unknown>(null);
  const toast = useToast();

  async function retry(row: Refund) {
    setRetrying(row.id);
    setRetryError(null);
    try {
      await unwrap(
        api.POST('/api/v1/admin/refunds/{refund_id}/retry', {
          params: { path: { refund_id: row.id } },
        }),
      );
      toast(`Refund of ${formatMoney(row.amount, row.currency)} queued to send again`);
      invalidate('admin:refunds:'); // every status's list has changed
    } catch (e) {
      setRetryError(e);
    } finally {
      setRetrying(null);
    }
  }

  const columns: Array<Column<Refund>> = [
    { header: 'Asked', cell: (r) => when(r.created_at) },
    { header: 'Order', cell: (r) => <code>{r.order_id}</code> },
    { header: 'Provider', cell: (r) => r.provider },
    { header: 'Amount', num: true, cell: (r) => formatMoney(r.amount, r.currency) },
    { header: 'Reason', cell: (r) => r.reason },
    {
      header: 'Status',
      cell: (r) => (
        <span className={`badge ${STATUS[r.status].badge}`}>{STATUS[r.status].label}</span>
      ),
    },
    { header: 'Tries', num: true, cell: (r) => r.attempts },
    {
      header: 'Last error',
      cell: (r) => <span className="subtle">{r.last_error ?? ''}</span>,
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (r) =>
        r.status === 'failed' ? (
          <Button
            size="small"
            variant="secondary"
            busy={retrying === r.id}
            onClick={() => void retry(r)}
            aria-label={`Retry the refund of ${formatMoney(r.amount, r.currency)} for order ${r.order_id}`}
          >
            Retry
          </Button>
        ) : r.status === 'sent' ? (
          <span className="subtle">{when(r.sent_at)}</span>
        ) : (
          <span className="subtle">Next try {when(r.next_attempt_at)}</span>
        ),
    },
  ];
  return (
    <>
      <h1>Refunds</h1>
      <p className="subtle">
        Refunds go to the card or UPI account the customer paid with. A refund the provider did not
        take after every try is failed: check its error, then retry it (the provider makes it once,
        however often it is retried).
      </p>
      <div className="row wrap">
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as Status | '')}
        >
          <option value="failed">Failed</option>
          <option value="pending">Waiting to send</option>
          <option value="sent">Sent</option>
          <option value="">Any</option>
        </SelectField>
      </div>
      <ErrorBanner error={retryError ?? list.error} onRetry={() => void list.reload()} />
      <DataTable
        columns={columns}
        rows={list.rows}
        rowKey={(r) => r.id}
        loading={list.loading}
        empty={
          <Empty
            icon="box"
            title={status === 'failed' ? 'No failed refunds' : 'No refunds match'}
          />
        }
        more={list.more}
      />
    </>
  );
}
