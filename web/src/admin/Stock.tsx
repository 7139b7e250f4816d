import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { ApiError } from '../lib/problem';
import { invalidate, useQuery } from '../lib/query';
import type { StockRow } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, Skeleton, TextField, useToast } from '../ui';
import { useDebounced } from '../customer/SearchPage';
import { applyBulk, changed, type BulkAction, type StockEdit } from './bulk';
import { useStores } from './data';

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
  const first = useQuery(store ? `admin:stock:${store}:${term}` : null, () =>
    fetchStock(store, term),
  );
  const [more, setMore] = useState<StockRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [edits, setEdits] = useState<Record<string, StockEdit>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkKind, setBulkKind] = useState<BulkAction['kind']>('set_on_hand');
  const [bulkValue, setBulkValue] = useState('50');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();

  useEffect(() => {
    setEdits({});
    setSelected(new Set());
    setError(null);
  }, [store]);
  useEffect(() => {
    setMore([]);
    setCursor(first.data?.next_cursor ?? null);
  }, [first.data]);

  const rows = useMemo(() => [...(first.data?.items ?? []), ...more], [first.data, more]);
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

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchStock(store, term, cursor);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  async function saveAll() {
    setSaving(true);
    setError(null);
    try {
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
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  }

  const rowError = (id: string) =>
    error instanceof ApiError
      ? error.fieldErrors.find((f) => String(f.field).includes(id))?.message
      : undefined;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.product_id));
  return (
    <>
      <h1>Stock and prices</h1>
      <div className="toolbar">
        <SelectField label="Store" value={store} onChange={(e) => setStoreId(e.target.value)}>
          {stores.data?.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
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
        <Button onClick={() => void saveAll()} busy={saving} disabled={!dirty.length}>
          Save {dirty.length || ''} change{dirty.length === 1 ? '' : 's'}
        </Button>
      </div>
      <ErrorBanner error={error ?? first.error} onRetry={() => void first.reload()} />
      {first.loading ? (
        <Skeleton height={320} />
      ) : rows.length ? (
        <>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select all rows"
                      checked={allSelected}
                      onChange={() =>
                        setSelected(
                          allSelected ? new Set() : new Set(rows.map((r) => r.product_id)),
                        )
                      }
                    />
                  </th>
                  <th scope="col">Product</th>
                  <th scope="col">Aisle</th>
                  <th scope="col" className="num">
                    Reserved
                  </th>
                  <th scope="col">On hand</th>
                  <th scope="col">Store price (₹)</th>
                  <th scope="col" className="num">
                    Selling at
                  </th>
                  <th scope="col" className="num">
                    MRP
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const e = current(row);
                  const name = row.product_name;
                  const isDirty = !!edits[row.product_id] && changed(e, original(row));
                  const problem = rowError(row.product_id);
                  return (
                    <tr
                      key={row.product_id}
                      style={isDirty ? { background: '#fffbea' } : undefined}
                    >
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${name}`}
                          checked={selected.has(row.product_id)}
                          onChange={() =>
                            setSelected((s) => {
                              const n = new Set(s);
                              if (n.has(row.product_id)) n.delete(row.product_id);
                              else n.add(row.product_id);
                              return n;
                            })
                          }
                        />
                      </td>
                      <td>
                        <strong>{name}</strong>
                        {problem ? <div className="field-error">{problem}</div> : null}
                      </td>
                      <td>{row.aisle}</td>
                      <td className="num">{row.reserved}</td>
                      <td>
                        <input
                          className="input num"
                          type="number"
                          min={0}
                          aria-label={`On hand for ${name}`}
                          value={e.on_hand}
                          onChange={(ev) =>
                            edit(row, { on_hand: Math.max(0, Number(ev.target.value)) })
                          }
                        />
                      </td>
                      <td>
                        <input
                          className="input num"
                          type="number"
                          min={0}
                          step="0.01"
                          aria-label={`Store price for ${name} in rupees`}
                          placeholder="default"
                          value={e.price == null ? '' : (e.price / 100).toString()}
                          onChange={(ev) =>
                            edit(row, {
                              price:
                                ev.target.value === ''
                                  ? null
                                  : Math.round(Number(ev.target.value) * 100),
                            })
                          }
                        />
                      </td>
                      <td className="num">{formatMoney(row.effective_price)}</td>
                      <td className="num">{formatMoney(row.mrp)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {cursor ? (
            <div className="row" style={{ justifyContent: 'center', marginTop: 16 }}>
              <Button variant="secondary" onClick={() => void loadMore()} busy={loadingMore}>
                Load more
              </Button>
            </div>
          ) : null}
        </>
      ) : (
        <Empty icon="box" title="No stock rows match" />
      )}
    </>
  );
}
