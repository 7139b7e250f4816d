import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { invalidate, useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Map } from '../map/Map';
import { Button, ErrorBanner, TextField, useToast } from '../ui';
import { Form, InlineError, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';
import { AreaEditor, cornersOf } from './AreaEditor';

type AdminStore = Res<'/api/v1/admin/stores', 'get'>['items'][number];

/** One store's settings as edited in its row, saved on its own. */
function useStoreDraft(store: AdminStore) {
  const [open, setOpen] = useState(store.is_open);
  const [prep, setPrep] = useState(String(store.prep_minutes));
  const [radius, setRadius] = useState(
    store.service_radius_m == null ? '' : String(store.service_radius_m),
  );
  const toast = useToast();
  const dirty =
    open !== store.is_open ||
    Number(prep) !== store.prep_minutes ||
    (store.service_area == null && Number(radius) !== store.service_radius_m);
  const save = useSubmit(async () => {
    await unwrap(
      api.PATCH('/api/v1/admin/stores/{store_id}', {
        params: { path: { store_id: store.id } },
        body: {
          is_open: open,
          prep_minutes: Number(prep),
          ...(store.service_area == null && radius ? { service_radius_m: Number(radius) } : {}),
        },
      }),
    );
    invalidate('stores');
    toast(`${store.name} saved`);
  });
  return { open, setOpen, prep, setPrep, radius, setRadius, dirty, save };
}

type StoreDraft = ReturnType<typeof useStoreDraft>;

/** A new dark store: its name and address, its place picked on the map, a first radius (an
 * area can be drawn once it exists). */
function NewStore({ stores, onAdded }: { stores: AdminStore[]; onAdded: () => void }) {
  const blank = { name: '', address: '', radius: '2000', prep: '4' };
  const [form, setForm] = useState(blank);
  const [at, setAt] = useState<[number, number] | null>(null);
  const toast = useToast();
  const add = useSubmit(async () => {
    if (!at) throw new Error('Click the map where the store is');
    const made = await unwrap(
      api.POST('/api/v1/admin/stores', {
        body: {
          name: form.name,
          address: form.address,
          lat: at[0],
          lng: at[1],
          service_radius_m: Number(form.radius),
          prep_minutes: Number(form.prep),
        },
      }),
    );
    toast(`${made.name} added: it takes orders within ${form.radius} m`);
    setForm(blank);
    setAt(null);
    invalidate('stores');
    onAdded();
  });
  const fe = add.fieldError;
  return (
    <Form
      form={add}
      submitLabel="Add store"
      className="card"
      style={{ marginTop: 24 }}
      labelledBy="new-store-h"
      head={
        <h2 id="new-store-h" style={{ margin: 0 }}>
          Add a dark store
        </h2>
      }
    >
      <div className="form-grid cols-2">
        <TextField
          label="Name"
          value={form.name}
          required
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          error={fe('name')}
        />
        <TextField
          label="Address"
          value={form.address}
          onChange={(e) => setForm({ ...form, address: e.target.value })}
          error={fe('address')}
        />
        <TextField
          label="Service radius (m)"
          type="number"
          min={100}
          step={100}
          value={form.radius}
          onChange={(e) => setForm({ ...form, radius: e.target.value })}
          error={fe('service_radius_m')}
        />
        <TextField
          label="Preparation (min)"
          type="number"
          min={0}
          max={240}
          value={form.prep}
          onChange={(e) => setForm({ ...form, prep: e.target.value })}
          error={fe('prep_minutes')}
        />
      </div>
      <Map
        label="Map: click where the new store is"
        stores={[
          ...stores,
          ...(at
            ? [
                {
                  id: 'new',
                  name: form.name || 'New store',
                  lat: at[0],
                  lng: at[1],
                  service_radius_m: Number(form.radius) || null,
                },
              ]
            : []),
        ]}
        onPick={(lat, lng) => setAt([lat, lng])}
      />
      <p role="status" className="subtle" style={{ margin: 0 }}>
        {at
          ? `The store is at ${at[0].toFixed(5)}, ${at[1].toFixed(5)}`
          : 'Click the map where the store is'}
      </p>
    </Form>
  );
}

export function Stores() {
  const stores = useQuery('admin:stores', () =>
    unwrap(api.GET('/api/v1/admin/stores', { params: { query: { limit: 100 } } })),
  );
  const [editing, setEditing] = useState<AdminStore | null>(null);
  const columns: Array<Column<AdminStore, StoreDraft>> = [
    {
      header: 'Store',
      cell: (store, d) => (
        <>
          <strong>{store.name}</strong>
          <div className="subtle">{store.address}</div>
          <InlineError error={d.save.error} />
        </>
      ),
    },
    {
      header: 'Open',
      cell: (store, d) => (
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-label={`${store.name} open`}
            checked={d.open}
            onChange={(e) => d.setOpen(e.target.checked)}
          />
          <span className="subtle">{d.open ? 'Open' : 'Closed'}</span>
        </label>
      ),
    },
    {
      header: 'Prep (min)',
      cell: (store, d) => (
        <input
          className="input num"
          type="number"
          min={0}
          max={240}
          aria-label={`Preparation minutes at ${store.name}`}
          value={d.prep}
          onChange={(e) => d.setPrep(e.target.value)}
        />
      ),
    },
    {
      header: 'Service area',
      cell: (store, d) => (
        <div className="row wrap" style={{ gap: 6 }}>
          {store.service_area ? (
            <span className="badge">Polygon, {cornersOf(store.service_area).length} corners</span>
          ) : (
            <input
              className="input num"
              type="number"
              min={100}
              step={100}
              aria-label={`Service radius of ${store.name} in metres`}
              value={d.radius}
              onChange={(e) => d.setRadius(e.target.value)}
            />
          )}
          <Button size="small" variant="ghost" onClick={() => setEditing(store)}>
            Draw area<span className="sr-only"> of {store.name}</span>
          </Button>
        </div>
      ),
    },
    {
      header: 'Save',
      hideHeader: true,
      cell: (_store, d) => (
        <Button
          size="small"
          variant="secondary"
          disabled={!d.dirty}
          busy={d.save.busy}
          onClick={async () => {
            if (await d.save.submit()) void stores.reload();
          }}
        >
          Save
        </Button>
      ),
    },
  ];
  return (
    <>
      <h1>Dark stores</h1>
      <p className="subtle">
        Close a store to stop new orders there; the preparation time feeds the ETA. Draw a store's
        service area on the map; a change counts from the next order.
      </p>
      <ErrorBanner error={stores.error} onRetry={() => void stores.reload()} />
      <DataTable
        columns={columns}
        rows={stores.data?.items ?? []}
        rowKey={(s) => s.id}
        useRow={useStoreDraft}
        loading={stores.loading}
        skeletonHeight={200}
      />
      <NewStore stores={stores.data?.items ?? []} onAdded={() => void stores.reload()} />
      {editing ? (
        <AreaEditor
          store={editing}
          onClose={() => {
            setEditing(null);
            void stores.reload();
          }}
        />
      ) : null}
    </>
  );
}
