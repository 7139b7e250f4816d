/** Drawing a store's service area on the map: each click adds a corner, the outline follows,
 * and saving sends a GeoJSON Polygon (or a radius, for a round area). The change counts at
 * once: the next serviceability check uses it. */
import { useState } from 'react';
import { api, unwrap } from '../lib/api';
import { invalidate } from '../lib/query';
import type { Res } from '../lib/types';
import { Map } from '../map/Map';
import type { MapPoint } from '../map/types';
import { Button, Dialog, ErrorBanner, TextField, useToast } from '../ui';
import { useSubmit } from '../ui/form';

type AdminStore = Res<'/api/v1/admin/stores', 'get'>['items'][number];
export type Corner = [number, number]; // [lat, lng]

/** The GeoJSON Polygon of corners (its ring closed, longitude first), or null under three. */
export function polygonOf(
  corners: Corner[],
): { type: 'Polygon'; coordinates: number[][][] } | null {
  if (corners.length < 3) return null;
  const ring = corners.map(([lat, lng]) => [round(lng), round(lat)]);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

/** A store's polygon as corners (the closing point dropped), or none for a radius. */
export function cornersOf(area: unknown): Corner[] {
  const geo = area as { type?: string; coordinates?: number[][][] } | null;
  if (!geo || geo.type !== 'Polygon' || !geo.coordinates?.[0]) return [];
  const ring = geo.coordinates[0].map(([lng, lat]) => [lat!, lng!] as Corner);
  return ring.length > 1 ? ring.slice(0, -1) : ring;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6; // about 10 cm
}

export function AreaEditor({ store, onClose }: { store: AdminStore; onClose: () => void }) {
  const [corners, setCorners] = useState<Corner[]>(() => cornersOf(store.service_area));
  const [radius, setRadius] = useState(String(store.service_radius_m ?? 2000));
  const toast = useToast();
  const polygon = polygonOf(corners);
  const save = useSubmit(async () => {
    await unwrap(
      api.PATCH('/api/v1/admin/stores/{store_id}', {
        params: { path: { store_id: store.id } },
        body: polygon
          ? { service_area: polygon, service_radius_m: null }
          : { service_radius_m: Number(radius), service_area: null },
      }),
    );
    invalidate('admin:stores');
    invalidate('stores');
    toast(
      polygon
        ? `${store.name} now serves the area you drew (${corners.length} corners)`
        : `${store.name} now serves ${radius} m around it`,
    );
    onClose();
  });
  const points: MapPoint[] = corners.map(([lat, lng], i) => ({
    id: `corner-${i}`,
    lat,
    lng,
    label: String(i + 1),
    kind: 'drop',
  }));
  const drawn = {
    ...store,
    service_area: polygon,
    service_radius_m: polygon ? null : Number(radius),
  };
  return (
    <Dialog title={`Service area of ${store.name}`} onClose={onClose}>
      <p className="subtle" style={{ marginTop: 0 }}>
        Click the map to add corners in order around the area; three or more make a polygon. With no
        corners, the store serves a circle of the radius below.
      </p>
      <Map
        label={`Map: click to add a corner to the service area of ${store.name}`}
        stores={[drawn]}
        points={points}
        route={corners.length > 1 ? [...corners, ...(corners.length > 2 ? [corners[0]!] : [])] : []}
        onPick={(lat, lng) => setCorners((c) => [...c, [lat, lng]])}
        tall
      />
      <p role="status" className="subtle">
        {polygon
          ? `${corners.length} corners: a polygon`
          : corners.length
            ? `${corners.length} corner${corners.length === 1 ? '' : 's'}: add ${3 - corners.length} more for a polygon`
            : 'No corners: a circle'}
      </p>
      <div className="row wrap">
        <Button
          variant="secondary"
          size="small"
          disabled={!corners.length}
          onClick={() => setCorners((c) => c.slice(0, -1))}
        >
          Undo last corner
        </Button>
        <Button
          variant="ghost"
          size="small"
          disabled={!corners.length}
          onClick={() => setCorners([])}
        >
          Clear corners
        </Button>
        {!corners.length ? (
          <TextField
            label="Radius (m)"
            type="number"
            min={100}
            step={100}
            value={radius}
            onChange={(e) => setRadius(e.target.value)}
            error={save.fieldError('service_radius_m')}
          />
        ) : null}
      </div>
      <ErrorBanner error={save.error} />
      <div className="row">
        <Button
          busy={save.busy}
          disabled={corners.length > 0 && !polygon}
          onClick={() => void save.submit()}
        >
          {polygon ? 'Save area' : 'Save radius'}
        </Button>
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </Dialog>
  );
}
