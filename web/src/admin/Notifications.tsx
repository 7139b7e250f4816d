/** The notification delivery log: every email, SMS and push, searchable, failures first in mind. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { useQuery } from '../lib/query';
import type { components } from '../client/schema';
import { Button, Empty, ErrorBanner, SelectField, TextField, useToast } from '../ui';
import { DataTable, shortWhen as when, type Column } from '../ui/table';
import { useDebounced } from '../customer/SearchPage';
import { usePaged } from './data';

type Delivery = components['schemas']['NotificationDeliveryRead'];
type Status = 'pending' | 'sending' | 'sent' | 'failed';
type Channel = 'email' | 'sms' | 'push';
const PAGE = 50;
const BADGE: Record<string, string> = {
  failed: 'red',
  sent: 'green',
  pending: 'yellow',
  sending: 'blue',
};

export function Notifications() {
  const [status, setStatus] = useState<Status | ''>('');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [q, setQ] = useState('');
  const recipient = useDebounced(q.trim(), 300);
  const counts = useQuery('admin:deliveries:counts', () =>
    unwrap(api.GET('/api/v1/admin/notifications/deliveries/counts')),
  );
  const list = usePaged(`admin:deliveries:${status}:${channel}:${recipient}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/admin/notifications/deliveries', {
        params: {
          query: {
            status: status || undefined,
            channel: channel || undefined,
            recipient: recipient || undefined,
            cursor,
            limit: PAGE,
          },
        },
      }),
    ),
  );
  const [retryError, setRetryError] = useState<unknown>(null);
  const toast = useToast();

  async function retry(row: Delivery) {
    setRetryError(null);
    try {
      await unwrap(
        api.POST('/api/v1/admin/notifications/deliveries/{delivery_id}/retry', {
          params: { path: { delivery_id: row.id } },
        }),
      );
      toast('Queued to send again');
      await Promise.all([list.reload(), counts.reload()]);
    } catch (e) {
      setRetryError(e);
    }
  }

  const columns: Array<Column<Delivery>> = [
    { header: 'Queued', cell: (r) => when(r.created_at) },
    { header: 'Channel', cell: (r) => r.channel },
    { header: 'Message', cell: (r) => <span title={r.body}>{r.kind.replace(/_/g, ' ')}</span> },
    { header: 'To', cell: (r) => r.recipient },
    {
      header: 'Status',
      cell: (r) => <span className={`badge ${BADGE[r.status] ?? ''}`}>{r.status}</span>,
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
        r.status === 'failed' && r.kind !== 'login_code' ? (
          <Button size="small" variant="secondary" onClick={() => void retry(r)}>
            Send again
          </Button>
        ) : null,
    },
  ];
  const c = counts.data;
  return (
    <>
      <div className="row between wrap">
        <h1 style={{ margin: 0 }}>Notifications</h1>
        {c ? (
          <p className="subtle" role="status" style={{ margin: 0 }}>
            {c.sent ?? 0} sent · {(c.pending ?? 0) + (c.sending ?? 0)} waiting ·{' '}
            <strong>{c.failed ?? 0} failed</strong>
          </p>
        ) : null}
      </div>
      <div className="row wrap">
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as Status | '')}
        >
          <option value="">Any</option>
          <option value="failed">Failed</option>
          <option value="pending">Waiting to retry</option>
          <option value="sending">Sending</option>
          <option value="sent">Sent</option>
        </SelectField>
        <SelectField
          label="Channel"
          value={channel}
          onChange={(e) => setChannel(e.target.value as Channel | '')}
        >
          <option value="">Any</option>
          <option value="email">Email</option>
          <option value="sms">SMS</option>
          <option value="push">Push</option>
        </SelectField>
        <TextField
          label="Recipient"
          type="search"
          placeholder="Phone or email"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <ErrorBanner error={retryError ?? list.error} onRetry={() => void list.reload()} />
      <DataTable
        columns={columns}
        rows={list.rows}
        rowKey={(r) => r.id}
        loading={list.loading}
        empty={<Empty icon="box" title="No messages match" />}
        more={list.more}
      />
    </>
  );
}
