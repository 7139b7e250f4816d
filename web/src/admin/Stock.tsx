import { useEffect, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { currencySymbol } from '../lib/market';
import { formatMoney, parseAmount, amountText } from '../lib/money';
import { invalidate } from '../lib/query';
import type { StockRow } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, TextField, useToast } from '../ui';
import { InlineError, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { useDebounced } from '../customer/SearchPage';
import { applyBulk, changed, type BulkAction, type StockEdit } from './bulk';
import { usePaged, useStores } from './data';
import { StoreOptions } from './options';

const PAGE = 100;

function fetchStock(storeId: string, q: string, cursor?: string) {
  return unwrap(
    api.GET('/api/v1/admin/stores/{store_id}/stock', {
      params: { path: { store_id: storeId }, query: { q: q || undefined, cursor, limit: PAGE } },
    }),
  );
}

export function Stock() {
  const stores = useStores();
  const [storeId, setStoreId] = useState('');
  const store = storeId || stores.data?.items[0]?.id || '';
  const [q, setQ] = useState('');
  const term = useDebounced(q.trim(), 300);
  const list = usePaged(store ? `admin:stock:${store}:${term}` : null, (cursor) =>
    fetchStock(store, term, cursor),
  );
  const [edits, setEdits] = useState<Record<string, StockEdit>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkKind, setBulkKind] = useState<BulkAction['kind']>('set_on_hand');
  const [bulkValue, setBulkValue] = useState('50');
  // The product ids of the last save in the order sent: the API names a refused line by its index.
  const [sent, setSent] = useState<string[]>([]);
  const toast = useToast();

  const rows = list.rows;
  const original = (r: StockRow): StockEdit => ({ on_hand: r.on_hand, price: r.price ?? null });
  const current = (r: StockRow) => edits[r.product_id] ?? original(r);
  const dirty = Object.entries(edits).filter(([id, e]) => {
    const row = rows.find((r) => r.product_id === id);
    return !row || changed(e, original(row));
  });

  function edit(r: StockRow, patch: Partial<StockEdit>) {
    setEdits((e) => ({ ...e, [r.product_id]: { ...current(r), ...patch } }));
  }

  function applyToSelected() {
    const value = Number(bulkValue);
    const action: BulkAction =
      bulkKind === 'clear_price' ? { kind: 'clear_price' } : { kind: bulkKind, value };
    setEdits((e) => {
      const next = { ...e };
      for (const row of rows) {
        if (!selected.has(row.product_id)) continue;
        const base = row.effective_price ?? row.price ?? 0;
        next[row.product_id] = applyBulk(
          next[row.product_id] ?? original(row),
          action,
          base,
          row.mrp,
        );
      }
      return next;
    });
  }

  const save = useSubmit(async () => {
    setSent(dirty.map(([id]) => id));
    // One request for every changed row: the API applies all of them or none.
    const saved = await unwrap(
      api.PUT('/api/v1/admin/stores/{store_id}/stock', {
        params: { path: { store_id: store } },
        body: {
          items: dirty.map(([product_id, e]) => ({
            product_id,
            on_hand: e.on_hand,
            price: e.price,
          })),
        },
      }),
    );
    const n = saved.items.length;
    setEdits({});
    invalidate(`admin:stock:${store}`);
    invalidate('products:');
    invalidate('product:');
    toast(`${n} row${n === 1 ? '' : 's'} saved`);
  });
  const { setError } = save;
  useEffect(() => {
    setEdits({});
    setSelected(new Set());
    setError(null);
  }, [store, setError]);

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.product_id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const columns: Array<Column<StockRow>> = [
    {
      header: 'Select',
      head: (
        <input
          type="checkbox"
          aria-label="Select all rows"
          checked={allSelected}
          onChange={() =>
            setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.product_id)))
          }
        />
      ),
      cell: (row) => (
        <input
          type="checkbox"
          aria-label={`Select ${row.product_name}`}
          checked={selected.has(row.product_id)}
          onChange={() => toggle(row.product_id)}
        />
      ),
    },
    {
      header: 'Product',
      cell: (row) => {
        const index = sent.indexOf(row.product_id);
        return (
          <>
            <strong>{row.product_name}</strong>
            {index >= 0 ? <InlineError error={save.error} field={`items.${index}`} /> : null}
          </>
        );
      },
    },
    { header: 'Aisle', cell: (row) => row.aisle },
    { header: 'Reserved', num: true, cell: (row) => row.reserved },
    {
      header: 'On hand',
      cell: (row) => (
        <input
          className="input num"
          type="number"
          min={0}
          aria-label={`On hand for ${row.product_name}`}
          value={current(row).on_hand}
          onChange={(ev) => edit(row, { on_hand: Math.max(0, Number(ev.target.value)) })}
        />
      ),
    },
    {
      header: `Store price (${currencySymbol()})`,
      cell: (row) => (
        <input
          className="input num"
          type="number"
          min={0}
          step="0.01"
          aria-label={`Store price for ${row.product_name} in ${currencySymbol()}`}
          placeholder="default"
          value={amountText(current(row).price)}
          onChange={(ev) => {
            if (ev.target.value === '') return edit(row, { price: null });
            const price = parseAmount(ev.target.value);
            // A keystroke that makes no amount (a third decimal, a minus) is not taken.
            if (price !== null) edit(row, { price });
          }}
        />
      ),
    },
    { header: 'Selling at', num: true, cell: (row) => formatMoney(row.effective_price) },
    { header: 'MRP', num: true, cell: (row) => formatMoney(row.mrp) },
  ];
  return (
    <>
      <h1>Stock and prices</h1>
      <div className="toolbar">
        <SelectField label="Store" value={store} onChange={(e) => setStoreId(e.target.value)}>
          <StoreOptions />
        </SelectField>
        <TextField
          label="Filter"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Product name"
        />
      </div>
      <div className="toolbar card flat" role="group" aria-label="Bulk edit">
        <SelectField
          label={`Bulk edit ${selected.size} selected`}
          value={bulkKind}
          onChange={(e) => setBulkKind(e.target.value as BulkAction['kind'])}
        >
          <option value="set_on_hand">Set on hand to</option>
          <option value="add_on_hand">Add to on hand</option>
          <option value="price_percent">Change price by %</option>
          <option value="clear_price">Use default price</option>
        </SelectField>
        {bulkKind !== 'clear_price' ? (
          <TextField
            label="Value"
            type="number"
            value={bulkValue}
            onChange={(e) => setBulkValue(e.target.value)}
            style={{ maxWidth: 120 }}
          />
        ) : null}
        <Button variant="secondary" onClick={applyToSelected} disabled={!selected.size}>
          Apply to selected
        </Button>
        <div className="grow" />
        {dirty.length ? (
          <Button variant="ghost" onClick={() => setEdits({})}>
            Discard
          </Button>
        ) : null}
        <Button onClick={() => void save.submit()} busy={save.busy} disabled={!dirty.length}>
          Save {dirty.length || ''} change{dirty.length === 1 ? '' : 's'}
        </Button>
      </div>
      <ErrorBanner error={save.error ?? list.error} onRetry={() => void list.reload()} />
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(row) => row.product_id}
        rowStyle={(row) =>
          edits[row.product_id] && changed(current(row), original(row))
            ? { background: '#fffbea' }
            : undefined
        }
        loading={list.loading}
        skeletonHeight={320}
        empty={<Empty icon="box" title="No stock rows match" />}
        more={list.more}
      />
    </>
  );
}
