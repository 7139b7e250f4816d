import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { currencySymbol } from '../lib/market';
import { formatMoney, minorUnitsOfField, parseAmount, amountText } from '../lib/money';
import { useQuery } from '../lib/query';
import { Button, Empty, ErrorBanner, SelectField, TextField, useToast } from '../ui';
import { FormDialog, InlineError, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import type { Res } from '../lib/types';

type Coupon = Res<'/api/v1/admin/coupons', 'get'>['items'][number];
type FeeRule = Res<'/api/v1/admin/fee-rules', 'get'>['items'][number];

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
  const form = useSubmit(async () => {
    await unwrap(
      api.POST('/api/v1/admin/coupons', {
        body: {
          code: f.code.trim().toUpperCase(),
          description: f.description,
          kind: f.kind,
          ...(f.kind === 'percent'
            ? {
                percent_off: Number(f.percent_off),
                max_discount: f.max_discount.trim()
                  ? minorUnitsOfField(f.max_discount, 'max_discount', 'maximum discount')
                  : null,
              }
            : { amount_off: minorUnitsOfField(f.amount_off, 'amount_off', 'flat discount') }),
          min_cart: f.min_cart.trim()
            ? minorUnitsOfField(f.min_cart, 'min_cart', 'minimum cart')
            : 0,
          first_order_only: f.first_order_only,
        },
      }),
    );
    onSaved();
    onClose();
  });
  const fe = form.fieldError;
  return (
    <FormDialog title="New coupon" form={form} submitLabel="Create coupon" onClose={onClose}>
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
    </FormDialog>
  );
}

/** One fee rule as edited in its row, saved on its own. */
function useFeeDraft(rule: FeeRule) {
  const [amount, setAmount] = useState(amountText(rule.amount));
  const [enabled, setEnabled] = useState(rule.enabled);
  const toast = useToast();
  const dirty = parseAmount(amount) !== rule.amount || enabled !== rule.enabled;
  const save = useSubmit(async () => {
    await unwrap(
      api.PATCH('/api/v1/admin/fee-rules/{code}', {
        params: { path: { code: rule.code } },
        body: { amount: minorUnitsOfField(amount, 'amount', rule.label), enabled },
      }),
    );
    toast(`${rule.label} saved`);
  });
  return { amount, setAmount, enabled, setEnabled, dirty, save };
}

type FeeDraft = ReturnType<typeof useFeeDraft>;

function feeParams(rule: FeeRule): string {
  return Object.entries(rule.params ?? {})
    .map(
      ([k, v]) =>
        `${k.replace(/_/g, ' ')}: ${typeof v === 'number' && /above|below/.test(k) ? formatMoney(v) : String(v)}`,
    )
    .join(' · ');
}

export function Pricing() {
  const coupons = useQuery('admin:coupons', () =>
    unwrap(api.GET('/api/v1/admin/coupons', { params: { query: { limit: 100 } } })),
  );
  const fees = useQuery('admin:fee-rules', () => unwrap(api.GET('/api/v1/admin/fee-rules')));
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);

  /** A coupon action from its row; a refusal shows above the table. */
  async function act(request: () => Promise<unknown>) {
    setError(null);
    try {
      await request();
      void coupons.reload();
    } catch (e) {
      setError(e);
    }
  }

  const couponColumns: Array<Column<Coupon>> = [
    {
      header: 'Code',
      cell: (c) => (
        <>
          <strong>{c.code}</strong>
          {c.description ? <div className="subtle">{c.description}</div> : null}
        </>
      ),
    },
    { header: 'Offer', cell: describeCoupon },
    { header: 'Redeemed', num: true, cell: (c) => c.redeemed_count },
    {
      header: 'Status',
      cell: (c) =>
        c.is_active ? (
          <span className="badge green">Active</span>
        ) : (
          <span className="badge">Paused</span>
        ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (c) => (
        <div className="row">
          <Button
            size="small"
            variant="ghost"
            onClick={() =>
              void act(() =>
                unwrap(
                  api.PATCH('/api/v1/admin/coupons/{coupon_id}', {
                    params: { path: { coupon_id: c.id } },
                    body: { is_active: !c.is_active },
                  }),
                ),
              )
            }
          >
            {c.is_active ? 'Pause' : 'Activate'}
          </Button>
          <Button
            size="small"
            variant="ghost"
            aria-label={`Delete coupon ${c.code}`}
            onClick={() => {
              if (!confirm(`Delete coupon ${c.code}?`)) return;
              void act(() =>
                unwrap(
                  api.DELETE('/api/v1/admin/coupons/{coupon_id}', {
                    params: { path: { coupon_id: c.id } },
                  }),
                ),
              );
            }}
          >
            Delete
          </Button>
        </div>
      ),
    },
  ];

  const feeColumns: Array<Column<FeeRule, FeeDraft>> = [
    {
      header: 'Fee',
      cell: (rule, d) => (
        <>
          <strong>{rule.label}</strong>
          <div className="subtle">{rule.code}</div>
          <InlineError error={d.save.error} />
        </>
      ),
    },
    { header: 'Rule', className: 'subtle', cell: (rule) => feeParams(rule) || '—' },
    {
      header: `Amount (${currencySymbol()})`,
      cell: (rule, d) => (
        <input
          className="input num"
          type="number"
          min={0}
          step="0.01"
          aria-label={`Amount of ${rule.label} in ${currencySymbol()}`}
          value={d.amount}
          onChange={(e) => d.setAmount(e.target.value)}
        />
      ),
    },
    {
      header: 'Enabled',
      cell: (rule, d) => (
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-label={`${rule.label} enabled`}
            checked={d.enabled}
            onChange={(e) => d.setEnabled(e.target.checked)}
          />
        </label>
      ),
    },
    {
      header: 'Save',
      hideHeader: true,
      cell: (_rule, d) => (
        <Button
          size="small"
          variant="secondary"
          disabled={!d.dirty}
          busy={d.save.busy}
          onClick={async () => {
            if (await d.save.submit()) void fees.reload();
          }}
        >
          Save
        </Button>
      ),
    },
  ];

  return (
    <>
      <div className="row between wrap page-head">
        <h1>Coupons and fees</h1>
        <Button onClick={() => setCreating(true)}>New coupon</Button>
      </div>
      <ErrorBanner error={error ?? coupons.error} onRetry={() => void coupons.reload()} />
      <DataTable
        columns={couponColumns}
        rows={coupons.data?.items ?? []}
        rowKey={(c) => c.id}
        loading={coupons.loading}
        skeletonHeight={120}
        empty={
          <Empty icon="tag" title="No coupons yet">
            <p>Create one to reward first orders or bigger baskets.</p>
          </Empty>
        }
      />
      <h2 style={{ marginTop: 32 }}>Fee rules</h2>
      <p className="subtle">Each fee shows on the customer's bill with its label.</p>
      <ErrorBanner error={fees.error} onRetry={() => void fees.reload()} />
      <DataTable
        columns={feeColumns}
        rows={fees.data?.items ?? []}
        rowKey={(r) => r.code}
        useRow={useFeeDraft}
        loading={fees.loading}
        skeletonHeight={200}
      />
      {creating ? (
        <CouponDialog onClose={() => setCreating(false)} onSaved={() => void coupons.reload()} />
      ) : null}
    </>
  );
}
