import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../lib/api';
import { formatMoney } from '../lib/money';
import { errorMessage } from '../lib/problem';
import { invalidate, useQuery } from '../lib/query';
import type { AdminProduct, StockRow } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, Skeleton, TextField, useToast } from '../ui';
import { applyBulk, changed, type BulkAction, type StockEdit } from './bulk';
import { allPages, useAdminProducts, useStores } from './data';

export function Stock() {
  const stores = useStores();
  const products = useAdminProducts();
  const [storeId, setStoreId] = useState('');
  const store = storeId || stores.data?.items[0]?.id || '';
  const stock = useQuery(store ? `admin:stock:${store}` : null, () =>
    allPages((cursor) =>
      unwrap(
        api.GET('/api/v1/admin/stores/{store_id}/stock', {
          params: { path: { store_id: store }, query: { cursor, limit: 200 } },
        }),
      ),
    ),
  );
  const [edits, setEdits] = useState<Record<string, StockEdit>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [q, setQ] = useState('');
  const [bulkKind, setBulkKind] = useState<BulkAction['kind']>('set_on_hand');
  const [bulkValue, setBulkValue] = useState('50');
  const [saving, setSaving] = useState(false);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const toast = useToast();

  useEffect(() => {
    setEdits({});
    setSelected(new Set());
    setRowErrors({});
  }, [store]);

  const byId = useMemo(() => {
    const m: Record<string, AdminProduct> = {};
    for (const p of (products.data ?? []) as AdminProduct[]) m[p.id] = p;
    return m;
  }, [products.data]);
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return ((stock.data ?? []) as StockRow[])
      .map((r) => ({ row: r, product: byId[r.product_id] }))
      .filter(
        ({ product, row }) =>
          !needle || (product?.name ?? row.product_id).toLowerCase().includes(needle),
      )
      .sort((a, b) => (a.product?.name ?? '').localeCompare(b.product?.name ?? ''));
  }, [stock.data, byId, q]);

  const original = (r: StockRow): StockEdit => ({ on_hand: r.on_hand, price: r.price ?? null });
  const current = (r: StockRow) => edits[r.product_id] ?? original(r);
  const dirty = rows.filter(
    ({ row }) => edits[row.product_id] && changed(edits[row.product_id]!, original(row)),
  );

  function edit(r: StockRow, patch: Partial<StockEdit>) {
    setEdits((e) => ({ ...e, [r.product_id]: { ...current(r), ...patch } }));
  }

  function applyToSelected() {
    const value = Number(bulkValue);
    const action: BulkAction =
      bulkKind === 'clear_price' ? { kind: 'clear_price' } : { kind: bulkKind, value };
    setEdits((e) => {
      const next = { ...e };
      for (const { row, product } of rows) {
        if (!selected.has(row.product_id)) continue;
        next[row.product_id] = applyBulk(
          next[row.product_id] ?? original(row),
          action,
          product?.price ?? row.price ?? 0,
          product?.mrp ?? 0,
        );
      }
      return next;
    });
  }

  async function saveAll() {
    setSaving(true);
    const errors: Record<string, string> = {};
    let ok = 0;
    for (const { row } of dirty) {
      const e = edits[row.product_id]!;
      try {
        await unwrap(
          api.PUT('/api/v1/admin/stores/{store_id}/stock/{product_id}', {
            params: { path: { store_id: store, product_id: row.product_id } },
            body: { on_hand: e.on_hand, price: e.price },
          }),
        );
        ok += 1;
      } catch (err) {
        errors[row.product_id] = errorMessage(err);
      }
    }
    setRowErrors(errors);
    setSaving(false);
    setEdits((all) => Object.fromEntries(Object.entries(all).filter(([id]) => errors[id])));
    invalidate(`admin:stock:${store}`);
    invalidate('products:');
    invalidate('product:');
    toast(
      `${ok} row${ok === 1 ? '' : 's'} saved${Object.keys(errors).length ? `, ${Object.keys(errors).length} failed` : ''}`,
    );
  }

  const allSelected = rows.length > 0 && rows.every(({ row }) => selected.has(row.product_id));
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
        <Button onClick={() => void saveAll()} busy={saving} disabled={!dirty.length}>
          Save {dirty.length || ''} change{dirty.length === 1 ? '' : 's'}
        </Button>
      </div>
      <ErrorBanner error={stock.error ?? products.error} onRetry={() => void stock.reload()} />
      {stock.loading || products.loading ? (
        <Skeleton height={320} />
      ) : rows.length ? (
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
                        allSelected ? new Set() : new Set(rows.map(({ row }) => row.product_id)),
                      )
                    }
                  />
                </th>
                <th scope="col">Product</th>
                <th scope="col" className="num">
                  Reserved
                </th>
                <th scope="col">On hand</th>
                <th scope="col">Store price (₹)</th>
                <th scope="col" className="num">
                  Default price
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ row, product }) => {
                const e = current(row);
                const name = product?.name ?? row.product_id;
                const isDirty = !!edits[row.product_id] && changed(e, original(row));
                return (
                  <tr key={row.product_id} style={isDirty ? { background: '#fffbea' } : undefined}>
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
                      {rowErrors[row.product_id] ? (
                        <div className="field-error">{rowErrors[row.product_id]}</div>
                      ) : null}
                    </td>
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
                        placeholder={product ? (product.price / 100).toFixed(2) : ''}
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
                    <td className="num">{product ? formatMoney(product.price) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty icon="box" title="No stock rows for this store" />
      )}
    </>
  );
}
