/** The team: pickers (store staff) and riders of every store. Admins add someone with a role,
 * a phone and a store (they sign in with a code sent to that phone), move them to another
 * store, and deactivate or reactivate them. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { market } from '../lib/market';
import { useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Button, Empty, ErrorBanner, SelectField, TextField, useToast } from '../ui';
import { Form, InlineError, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { useStores } from './data';
import { StoreOptions, VEHICLES, type Vehicle } from './options';

type Member = Res<'/api/v1/admin/team', 'get'>['items'][number];
type Role = Member['role'];

const ROLE_NAMES: Record<Role, string> = { store_staff: 'Picker', rider: 'Rider' };

function MemberActions({ member, onChange }: { member: Member; onChange: () => void }) {
  const toast = useToast();
  const change = useSubmit(async () => {
    await unwrap(
      api.PATCH('/api/v1/admin/team/{user_id}', {
        params: { path: { user_id: member.user_id } },
        body: { is_active: !member.is_active },
      }),
    );
    toast(`${member.name} ${member.is_active ? 'deactivated' : 'reactivated'}`);
    onChange();
  });
  const [target, setTarget] = useState(member.store_id ?? '');
  const move = useSubmit(async () => {
    await unwrap(
      api.PATCH('/api/v1/admin/team/{user_id}', {
        params: { path: { user_id: member.user_id } },
        body: { store_id: target },
      }),
    );
    toast(`${member.name} moved`);
    onChange();
  });
  return (
    <div className="stack" style={{ gap: 4 }}>
      <div className="row">
        <select
          aria-label={`Store of ${member.name}`}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          disabled={!member.is_active}
        >
          <StoreOptions />
        </select>
        {target !== member.store_id ? (
          <Button size="small" busy={move.busy} onClick={() => void move.submit()}>
            Move
          </Button>
        ) : null}
        <Button
          size="small"
          variant={member.is_active ? 'ghost' : 'secondary'}
          busy={change.busy}
          onClick={() => void change.submit()}
        >
          {member.is_active ? 'Deactivate' : 'Reactivate'}
        </Button>
      </div>
      <InlineError error={move.error ?? change.error} />
    </div>
  );
}

export function Team() {
  const stores = useStores();
  const [role, setRole] = useState<Role | ''>('');
  const team = useQuery(`admin:team:${role}`, () =>
    unwrap(
      api.GET('/api/v1/admin/team', {
        params: { query: { limit: 100, ...(role ? { role } : {}) } },
      }),
    ),
  );
  const toast = useToast();
  const [form, setForm] = useState<{
    role: Role;
    name: string;
    phone: string;
    store_id: string;
    vehicle: Vehicle;
  }>({ role: 'rider', name: '', phone: '', store_id: '', vehicle: 'bicycle' });
  const add = useSubmit(async () => {
    const { vehicle, ...rest } = form;
    const added = await unwrap(
      api.POST('/api/v1/admin/team', {
        body: {
          ...rest,
          store_id: form.store_id || stores.data?.items[0]?.id || '',
          ...(form.role === 'rider' ? { vehicle } : {}),
        },
      }),
    );
    toast(`${added.name} added: they sign in with a code sent to ${added.phone}`);
    setForm((f) => ({ ...f, name: '', phone: '' }));
    void team.reload();
  });
  const fe = add.fieldError;
  const storeName = (id: string | null) =>
    stores.data?.items.find((s) => s.id === id)?.name ?? id ?? '—';
  const columns: Array<Column<Member>> = [
    { header: 'Name', cell: (m) => m.name },
    { header: 'Role', cell: (m) => ROLE_NAMES[m.role] },
    { header: 'Phone', className: 'num', cell: (m) => m.phone },
    { header: 'Store', cell: (m) => storeName(m.store_id) },
    {
      header: 'Status',
      cell: (m) =>
        !m.is_active ? (
          <span className="badge">Deactivated</span>
        ) : m.is_online ? (
          <span className="badge green">On shift</span>
        ) : (
          <span className="badge blue">Active</span>
        ),
    },
    {
      header: 'Actions',
      cell: (m) => <MemberActions member={m} onChange={() => void team.reload()} />,
    },
  ];
  return (
    <>
      <h1>Team</h1>
      <p className="subtle">
        Pickers and riders of every store. Someone you add signs in with a code sent to their phone;
        moving or deactivating them counts at once.
      </p>
      <div className="row" style={{ marginBottom: 12 }}>
        <SelectField
          label="Show"
          value={role}
          onChange={(e) => setRole(e.target.value as Role | '')}
        >
          <option value="">Everyone</option>
          <option value="store_staff">Pickers</option>
          <option value="rider">Riders</option>
        </SelectField>
      </div>
      <ErrorBanner error={team.error} onRetry={() => void team.reload()} />
      <DataTable
        columns={columns}
        rows={team.data?.items ?? []}
        rowKey={(m) => m.user_id}
        loading={team.loading}
        skeletonHeight={200}
        empty={<Empty icon="bike" title="Nobody on the team yet" />}
      />
      <Form
        form={add}
        submitLabel="Add to the team"
        className="card"
        style={{ marginTop: 24, maxWidth: 720 }}
        labelledBy="new-member-h"
        head={
          <h2 id="new-member-h" style={{ margin: 0 }}>
            Add a picker or a rider
          </h2>
        }
      >
        <div className="form-grid cols-2">
          <SelectField
            label="Role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            error={fe('role')}
          >
            <option value="rider">Rider</option>
            <option value="store_staff">Picker (store staff)</option>
          </SelectField>
          <SelectField
            label="Store"
            value={form.store_id}
            onChange={(e) => setForm({ ...form, store_id: e.target.value })}
            error={fe('store_id')}
          >
            <StoreOptions />
          </SelectField>
          <TextField
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            error={fe('name')}
          />
          <TextField
            label="Phone"
            type="tel"
            inputMode="tel"
            autoComplete="off"
            placeholder={market.phoneExample}
            value={form.phone}
            onChange={(e) => setForm({ ...form, phone: e.target.value })}
            required
            error={fe('phone')}
          />
          {form.role === 'rider' ? (
            <SelectField
              label="Vehicle"
              value={form.vehicle}
              onChange={(e) => setForm({ ...form, vehicle: e.target.value as Vehicle })}
              error={fe('vehicle')}
            >
              {VEHICLES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </SelectField>
          ) : null}
        </div>
      </Form>
    </>
  );
}
