import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { currencySymbol } from '../lib/market';
import { formatMoney } from '../lib/money';
import { ApiError } from '../lib/problem';
import { useQuery } from '../lib/query';
import {
  Button,
  Dialog,
  Empty,
  ErrorBanner,
  SelectField,
  Skeleton,
  TextField,
  useToast,
} from '../ui';
import type { Res } from '../lib/types';

type Coupon = Res<'/api/v1/admin/coupons', 'get'>['items'][number];
type FeeRule = Res<'/api/v1/admin/fee-rules', 'get'>['items'][number];

const toPaise = (rupees: string) => Math.round(Number(rupees || '0') * 100);

function describeCoupon(c: Coupon): string {
  const value =
    c.kind === 'percent' ? `${c.percent_off ?? 0}% off` : `${formatMoney(c.amount_off)} off`;
  const cap = c.max_discount ? ` up to ${formatMoney(c.max_discount)}` : '';
  const min = c.min_cart ? ` on carts over ${formatMoney(c.min_cart)}` : '';
  return `${value}${cap}${min}${c.first_order_only ? ', first order only' : ''}`;
}

function CouponDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [f, setF] = useState({
    code: '',
    description: '',
    kind: 'percent' as 'percent' | 'flat',
    percent_off: '10',
    amount_off: '50',
    max_discount: '100',
    min_cart: '199',
    first_order_only: false,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fe = (k: string) => (error instanceof ApiError ? error.fieldMessage(k) : undefined);
  return (
    <Dialog title="New coupon" onClose={onClose}>
      <form
        className="form-grid"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await unwrap(
              api.POST('/api/v1/admin/coupons', {
                body: {
                  code: f.code.trim().toUpperCase(),
                  description: f.description,
                  kind: f.kind,
                  ...(f.kind === 'percent'
                    ? {
                        percent_off: Number(f.percent_off),
                        max_discount: f.max_discount ? toPaise(f.max_discount) : null,
                      }
                    : { amount_off: toPaise(f.amount_off) }),
                  min_cart: toPaise(f.min_cart),
                  first_order_only: f.first_order_only,
                },
              }),
            );
            onSaved();
            onClose();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorBanner error={error} />
        <TextField
          label="Code"
          value={f.code}
          onChange={(e) => setF({ ...f, code: e.target.value })}
          required
          error={fe('code')}
        />
        <TextField
          label="Description"
          value={f.description}
          onChange={(e) => setF({ ...f, description: e.target.value })}
          error={fe('description')}
        />
        <div className="form-grid cols-2">
          <SelectField
            label="Kind"
            value={f.kind}
            onChange={(e) => setF({ ...f, kind: e.target.value as 'percent' | 'flat' })}
          >
            <option value="percent">Percent off</option>
            <option value="flat">Flat amount off</option>
          </SelectField>
          {f.kind === 'percent' ? (
            <TextField
              label="Percent off (%)"
              type="number"
              min="1"
              max="100"
              step="1"
              value={f.percent_off}
              onChange={(e) => setF({ ...f, percent_off: e.target.value })}
              error={fe('percent_off')}
            />
          ) : (
            <TextField
              label={`Amount off (${currencySymbol()})`}
              type="number"
              min="0.01"
              step="0.01"
              value={f.amount_off}
              onChange={(e) => setF({ ...f, amount_off: e.target.value })}
              error={fe('amount_off')}
            />
          )}
        </div>
        <div className="form-grid cols-2">
          {f.kind === 'percent' ? (
            <TextField
              label={`Maximum discount (${currencySymbol()})`}
              type="number"
              min="0"
              step="0.01"
              value={f.max_discount}
              onChange={(e) => setF({ ...f, max_discount: e.target.value })}
              error={fe('max_discount')}
            />
          ) : null}
          <TextField
            label={`Minimum cart (${currencySymbol()})`}
            type="number"
            min="0"
            step="0.01"
            value={f.min_cart}
            onChange={(e) => setF({ ...f, min_cart: e.target.value })}
            error={fe('min_cart')}
          />
        </div>
        <label className="row">
          <input
            type="checkbox"
            checked={f.first_order_only}
            onChange={(e) => setF({ ...f, first_order_only: e.target.checked })}
          />
          First order only
        </label>
        <div className="row">
          <Button type="submit" busy={busy}>
            Create coupon
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function FeeRow({ rule, onSaved }: { rule: FeeRule; onSaved: () => void }) {
  const [amount, setAmount] = useState((rule.amount / 100).toString());
  const [enabled, setEnabled] = useState(rule.enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();
  const dirty = toPaise(amount) !== rule.amount || enabled !== rule.enabled;
  const params = Object.entries(rule.params ?? {})
    .map(
      ([k, v]) =>
        `${k.replace(/_/g, ' ')}: ${typeof v === 'number' && /above|below/.test(k) ? formatMoney(v) : String(v)}`,
    )
    .join(' · ');
  return (
    <tr>
      <td>
        <strong>{rule.label}</strong>
        <div className="subtle">{rule.code}</div>
        {error ? (
          <div className="field-error">{error instanceof Error ? error.message : ''}</div>
        ) : null}
      </td>
      <td className="subtle">{params || '—'}</td>
      <td>
        <input
          className="input num"
          type="number"
          min={0}
          step="0.01"
          aria-label={`Amount of ${rule.label} in rupees`}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
      </td>
      <td>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-label={`${rule.label} enabled`}
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />
        </label>
      </td>
      <td>
        <Button
          size="small"
          variant="secondary"
          disabled={!dirty}
          busy={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await unwrap(
                api.PATCH('/api/v1/admin/fee-rules/{code}', {
                  params: { path: { code: rule.code } },
                  body: { amount: toPaise(amount), enabled },
                }),
              );
              toast(`${rule.label} saved`);
              onSaved();
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          Save
        </Button>
      </td>
    </tr>
  );
}

export function Pricing() {
  const coupons = useQuery('admin:coupons', () =>
    unwrap(api.GET('/api/v1/admin/coupons', { params: { query: { limit: 100 } } })),
  );
  const fees = useQuery('admin:fee-rules', () => unwrap(api.GET('/api/v1/admin/fee-rules')));
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = coupons.data?.items ?? [];
  return (
    <>
      <div className="row between wrap page-head">
        <h1>Coupons and fees</h1>
        <Button onClick={() => setCreating(true)}>New coupon</Button>
      </div>
      <ErrorBanner error={error ?? coupons.error} onRetry={() => void coupons.reload()} />
      {coupons.loading ? (
        <Skeleton height={120} />
      ) : list.length ? (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Offer</th>
                <th scope="col" className="num">
                  Redeemed
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.code}</strong>
                    {c.description ? <div className="subtle">{c.description}</div> : null}
                  </td>
                  <td>{describeCoupon(c)}</td>
                  <td className="num">{c.redeemed_count}</td>
                  <td>
                    {c.is_active ? (
                      <span className="badge green">Active</span>
                    ) : (
                      <span className="badge">Paused</span>
                    )}
                  </td>
                  <td>
                    <div className="row">
                      <Button
                        size="small"
                        variant="ghost"
                        onClick={async () => {
                          setError(null);
                          try {
                            await unwrap(
                              api.PATCH('/api/v1/admin/coupons/{coupon_id}', {
                                params: { path: { coupon_id: c.id } },
                                body: { is_active: !c.is_active },
                              }),
                            );
                            void coupons.reload();
                          } catch (e) {
                            setError(e);
                          }
                        }}
                      >
                        {c.is_active ? 'Pause' : 'Activate'}
                      </Button>
                      <Button
                        size="small"
                        variant="ghost"
                        aria-label={`Delete coupon ${c.code}`}
                        onClick={async () => {
                          if (!confirm(`Delete coupon ${c.code}?`)) return;
                          setError(null);
                          try {
                            await unwrap(
                              api.DELETE('/api/v1/admin/coupons/{coupon_id}', {
                                params: { path: { coupon_id: c.id } },
                              }),
                            );
                            void coupons.reload();
                          } catch (e) {
                            setError(e);
                          }
                        }}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty icon="tag" title="No coupons yet">
          <p>Create one to reward first orders or bigger baskets.</p>
        </Empty>
      )}
      <h2 style={{ marginTop: 32 }}>Fee rules</h2>
      <p className="subtle">Each fee shows on the customer's bill with its label.</p>
      <ErrorBanner error={fees.error} onRetry={() => void fees.reload()} />
      {fees.loading ? (
        <Skeleton height={200} />
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Fee</th>
                <th scope="col">Rule</th>
                <th scope="col">Amount ({currencySymbol()})</th>
                <th scope="col">Enabled</th>
                <th scope="col">
                  <span className="sr-only">Save</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(fees.data?.items ?? []).map((r) => (
                <FeeRow key={r.code} rule={r} onSaved={() => void fees.reload()} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating ? (
        <CouponDialog onClose={() => setCreating(false)} onSaved={() => void coupons.reload()} />
      ) : null}
    </>
  );
}
