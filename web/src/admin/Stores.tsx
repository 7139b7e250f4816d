import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { invalidate, useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Button, ErrorBanner, useToast } from '../ui';
import { InlineError, useSubmit } from '../ui/form';
import { DataTable, type Column } from '../ui/table';

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

export function Stores() {
  const stores = useQuery('admin:stores', () =>
    unwrap(api.GET('/api/v1/admin/stores', { params: { query: { limit: 100 } } })),
  );
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
      header: 'Service radius (m)',
      cell: (store, d) =>
        store.service_area ? (
          <span className="badge">Polygon</span>
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
        Close a store to stop new orders there; the preparation time feeds the ETA.
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
    </>
  );
}
