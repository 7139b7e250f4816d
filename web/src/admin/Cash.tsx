/** Cash on delivery, settled: the riders holding cash, each one's ledger, and the deposit an
 * admin records when a rider hands the cash in. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney, minorUnitsOfField } from '../lib/money';
import { useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Button, Empty, ErrorBanner, Skeleton, TextField, useToast } from '../ui';
import { Form, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { useStores } from './data';

type Holder = Res<'/api/v1/admin/riders', 'get'>['items'][number];
type Ledger = Res<'/api/v1/admin/riders/{rider_id}/cash', 'get'>;
type Entry = Ledger['items'][number];

const KIND_LABEL: Record<Entry['kind'], string> = {
  collected: 'Collected',
  settled: 'Settled',
  adjustment: 'Adjustment',
};

export function Cash() {
  const stores = useStores();
  const holders = useQuery(
    'admin:cash-holders',
    () =>
      unwrap(
        api.GET('/api/v1/admin/riders', { params: { query: { holding_cash: true, limit: 100 } } }),
      ),
    { pollMs: 15000 },
  );
  const [selected, setSelected] = useState<string | null>(null);
  const list = (holders.data?.items ?? []) as Holder[];
  const storeName = (id: string) => stores.data?.items.find((s) => s.id === id)?.name ?? id;
  const total = list.reduce((sum, r) => sum + r.cash_held, 0);
  const columns: Array<Column<Holder>> = [
    { header: 'Rider', cell: (r) => r.name },
    { header: 'Store', cell: (r) => storeName(r.store_id) },
    { header: 'Cash held', num: true, cell: (r) => formatMoney(r.cash_held) },
    {
      header: 'Ledger',
      hideHeader: true,
      cell: (r) => (
        <Button
          size="small"
          variant={selected === r.id ? undefined : 'ghost'}
          onClick={() => setSelected(r.id)}
          aria-label={`Ledger of ${r.name}`}
        >
          Ledger and settle
        </Button>
      ),
    },
  ];
  return (
    <>
      <h1>Cash on delivery</h1>
      <p className="subtle">
        Riders holding cash from cash-on-delivery orders:{' '}
        <strong data-testid="cash-total">{formatMoney(total)}</strong> in all. Record a deposit when
        a rider hands cash in.
      </p>
      <ErrorBanner error={holders.error} onRetry={() => void holders.reload()} />
      <DataTable
        columns={columns}
        rows={list}
        rowKey={(r) => r.id}
        loading={holders.loading}
        skeletonHeight={160}
        empty={<Empty icon="bike" title="No rider is holding cash" />}
      />
      {selected ? (
        <RiderLedger key={selected} riderId={selected} onSettled={() => void holders.reload()} />
      ) : null}
    </>
  );
}

function RiderLedger({ riderId, onSettled }: { riderId: string; onSettled: () => void }) {
  const toast = useToast();
  const ledger = useQuery(`admin:cash:${riderId}`, () =>
    unwrap(
      api.GET('/api/v1/admin/riders/{rider_id}/cash', {
        params: { path: { rider_id: riderId }, query: { limit: 50 } },
      }),
    ),
  );
  const [amount, setAmount] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const data = ledger.data;
  const shown = amount ?? (data ? (data.cash_held / 100).toFixed(2) : '');
  const settle = useSubmit(async () => {
    const minor = minorUnitsOfField(shown, 'amount', 'amount deposited');
    const entry = await unwrap(
      api.POST('/api/v1/admin/riders/{rider_id}/cash/settlements', {
        params: { path: { rider_id: riderId } },
        body: { amount: minor, ...(note.trim() ? { note: note.trim() } : {}) },
        headers: { 'Idempotency-Key': `settle-${riderId}-${data?.items[0]?.id ?? 'none'}` },
      }),
    );
    toast(
      `Settled ${formatMoney(-entry.amount, entry.currency)}; ${formatMoney(entry.held_after, entry.currency)} still held`,
    );
    setAmount(null);
    setNote('');
    void ledger.reload();
    onSettled();
  });
  const columns: Array<Column<Entry>> = [
    { header: 'When', className: 'subtle', cell: (e) => new Date(e.at).toLocaleString() },
    { header: 'Entry', cell: (e) => KIND_LABEL[e.kind] },
    {
      header: 'Details',
      cell: (e) =>
        e.kind === 'collected'
          ? `Tendered ${formatMoney(e.tendered, e.currency)}, change ${formatMoney(e.change, e.currency)}`
          : `${e.by_name || e.by_id}${e.note ? ` · ${e.note}` : ''}`,
    },
    { header: 'Amount', num: true, cell: (e) => formatMoney(e.amount, e.currency) },
    { header: 'Held after', num: true, cell: (e) => formatMoney(e.held_after, e.currency) },
  ];
  if (!data) return ledger.error ? <ErrorBanner error={ledger.error} /> : <Skeleton height={200} />;
  return (
    <section className="card stack" style={{ marginTop: 24 }} aria-labelledby="ledger-h">
      <div className="row between">
        <h2 id="ledger-h" style={{ margin: 0 }}>
          {data.name}: cash ledger
        </h2>
        <strong data-testid="ledger-held">
          Holds {formatMoney(data.cash_held, data.currency)}
        </strong>
      </div>
      <p className="subtle" style={{ margin: 0 }}>
        Collected {formatMoney(data.collected_total, data.currency)} · settled{' '}
        {formatMoney(data.settled_total, data.currency)}
        {data.adjustments_total
          ? ` · adjusted ${formatMoney(data.adjustments_total, data.currency)}`
          : ''}
      </p>
      {data.cash_held > 0 ? (
        <Form form={settle} submitLabel="Settle" labelledBy="settle-h">
          <h3 id="settle-h" style={{ margin: 0 }}>
            Record a deposit
          </h3>
          <div className="form-grid cols-2">
            <TextField
              label="Amount deposited"
              inputMode="decimal"
              value={shown}
              onChange={(e) => setAmount(e.target.value)}
              error={settle.fieldError('amount')}
            />
            <TextField
              label="Note"
              value={note}
              maxLength={200}
              onChange={(e) => setNote(e.target.value)}
              error={settle.fieldError('note')}
            />
          </div>
        </Form>
      ) : (
        <p>Nothing held: all settled.</p>
      )}
      <DataTable
        columns={columns}
        rows={data.items}
        rowKey={(e) => e.id}
        empty={<Empty icon="clock" title="No cash entries yet" />}
      />
    </section>
  );
}
