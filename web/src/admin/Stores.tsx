import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { errorMessage } from '../lib/problem';
import { invalidate, useQuery } from '../lib/query';
import type { Res } from '../lib/types';
import { Button, ErrorBanner, Skeleton, useToast } from '../ui';

type AdminStore = Res<'/api/v1/admin/stores', 'get'>['items'][number];

function StoreRow({ store, onSaved }: { store: AdminStore; onSaved: () => void }) {
  const [open, setOpen] = useState(store.is_open);
  const [prep, setPrep] = useState(String(store.prep_minutes));
  const [radius, setRadius] = useState(
    store.service_radius_m == null ? '' : String(store.service_radius_m),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const dirty =
    open !== store.is_open ||
    Number(prep) !== store.prep_minutes ||
    (store.service_area == null && Number(radius) !== store.service_radius_m);
  return (
    <tr>
      <td>
        <strong>{store.name}</strong>
        <div className="subtle">{store.address}</div>
        {error ? <div className="field-error">{error}</div> : null}
      </td>
      <td>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-label={`${store.name} open`}
            checked={open}
            onChange={(e) => setOpen(e.target.checked)}
          />
          <span className="subtle">{open ? 'Open' : 'Closed'}</span>
        </label>
      </td>
      <td>
        <input
          className="input num"
          type="number"
          min={0}
          max={240}
          aria-label={`Preparation minutes at ${store.name}`}
          value={prep}
          onChange={(e) => setPrep(e.target.value)}
        />
      </td>
      <td>
        {store.service_area ? (
          <span className="badge">Polygon</span>
        ) : (
          <input
            className="input num"
            type="number"
            min={100}
            step={100}
            aria-label={`Service radius of ${store.name} in metres`}
            value={radius}
            onChange={(e) => setRadius(e.target.value)}
          />
        )}
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
                api.PATCH('/api/v1/admin/stores/{store_id}', {
                  params: { path: { store_id: store.id } },
                  body: {
                    is_open: open,
                    prep_minutes: Number(prep),
                    ...(store.service_area == null && radius
                      ? { service_radius_m: Number(radius) }
                      : {}),
                  },
                }),
              );
              invalidate('stores');
              toast(`${store.name} saved`);
              onSaved();
            } catch (e) {
              setError(errorMessage(e));
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

export function Stores() {
  const stores = useQuery('admin:stores', () =>
    unwrap(api.GET('/api/v1/admin/stores', { params: { query: { limit: 100 } } })),
  );
  return (
    <>
      <h1>Dark stores</h1>
      <p className="subtle">
        Close a store to stop new orders there; the preparation time feeds the ETA.
      </p>
      <ErrorBanner error={stores.error} onRetry={() => void stores.reload()} />
      {stores.loading ? (
        <Skeleton height={200} />
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Open</th>
                <th scope="col">Prep (min)</th>
                <th scope="col">Service radius (m)</th>
                <th scope="col">
                  <span className="sr-only">Save</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(stores.data?.items ?? []).map((s) => (
                <StoreRow key={s.id} store={s} onSaved={() => void stores.reload()} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
