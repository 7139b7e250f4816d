/**
 * The offline map: Leaflet with no tile layer unless one is configured, drawing our own vector
 * data: the city's streets (OpenStreetMap, credited in the corner) under stores, service areas,
 * addresses, riders and routes. Loaded lazily: not in the initial bundle.
 */
import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { MapProps } from './types';
import { tileUrl } from './config';
import { OSM_CREDIT, streets } from './streets';

const HELSINKI: [number, number] = [60.17, 24.942];
const STREET_STYLE: Record<string, L.PathOptions> = {
  major: { color: '#ffffff', weight: 6, opacity: 1 },
  street: { color: '#ffffff', weight: 3.5, opacity: 1 },
  path: { color: '#c9bfae', weight: 1.2, opacity: 0.9, dashArray: '3 3' },
};
const COLORS = {
  address: '#1e5bb8',
  you: '#1e5bb8',
  rider: '#e07b00',
  drop: '#c62828',
  store: '#0b7a32',
};

function polygonRings(area: unknown): Array<Array<[number, number]>> | null {
  const geo = area as { type?: string; coordinates?: unknown } | null;
  if (!geo || geo.type !== 'Polygon' || !Array.isArray(geo.coordinates)) return null;
  return (geo.coordinates as number[][][]).map((ring) => ring.map(([lng, lat]) => [lat!, lng!]));
}

export default function MapView({
  stores = [],
  points = [],
  route,
  routeOnStreets,
  onPick,
  tall,
  label,
}: MapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const fitted = useRef(false);
  const [haveStreets, setHaveStreets] = useState(false);

  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { zoomControl: true, attributionControl: false }).setView(
      HELSINKI,
      14,
    );
    map.current = m;
    L.control
      .attribution({ prefix: false, position: 'bottomleft' })
      .addAttribution(OSM_CREDIT)
      .addTo(m);
    // Streets on a canvas of their own, below the vector layers (SVG) the app draws on top.
    const streetPane = m.createPane('streets');
    streetPane.style.zIndex = '350';
    const streetLayer = L.layerGroup().addTo(m);
    layer.current = L.layerGroup().addTo(m);
    let cancelled = false;
    void tileUrl().then((url) => {
      if (url && !cancelled) L.tileLayer(url, { maxZoom: 19 }).addTo(m).bringToBack();
    });
    void streets().then((fc) => {
      if (!fc || cancelled) return;
      const renderer = L.canvas({ pane: 'streets', padding: 0.5 });
      for (const f of fc.features) {
        const line = f.geometry.coordinates.map(([lng, lat]) => [lat, lng] as [number, number]);
        L.polyline(line, {
          ...STREET_STYLE[f.properties.kind],
          renderer,
          interactive: false,
          pane: 'streets',
        }).addTo(streetLayer);
      }
      setHaveStreets(true);
    });
    m.on('click', (e: L.LeafletMouseEvent) => pickRef.current?.(e.latlng.lat, e.latlng.lng));
    return () => {
      cancelled = true;
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    const g = layer.current;
    if (!m || !g) return;
    g.clearLayers();
    const bounds: L.LatLngExpression[] = [];
    // A faint grid so a map with neither tiles nor streets still reads as a map.
    for (let lat = 60.1; lat <= 60.24 && !haveStreets; lat += 0.005) {
      L.polyline(
        [
          [lat, 24.78],
          [lat, 25.1],
        ],
        { color: '#d5e3d7', weight: 1, interactive: false },
      ).addTo(g);
    }
    for (let lng = 24.78; lng <= 25.1 && !haveStreets; lng += 0.01) {
      L.polyline(
        [
          [60.1, lng],
          [60.24, lng],
        ],
        { color: '#d5e3d7', weight: 1, interactive: false },
      ).addTo(g);
    }
    for (const s of stores) {
      const rings = polygonRings(s.service_area);
      const style = {
        color: '#0b7a32',
        weight: 1.5,
        fillColor: '#13a24a',
        fillOpacity: s.is_open === false ? 0.04 : 0.1,
      };
      if (rings) L.polygon(rings, style).addTo(g);
      else if (s.service_radius_m)
        L.circle([s.lat, s.lng], { ...style, radius: s.service_radius_m }).addTo(g);
      L.circleMarker([s.lat, s.lng], {
        radius: 8,
        color: '#fff',
        weight: 2,
        fillColor: '#0b7a32',
        fillOpacity: 1,
      })
        .bindTooltip(`${s.name}${s.is_open === false ? ' (closed)' : ''}`)
        .addTo(g);
      bounds.push([s.lat, s.lng]);
    }
    if (route && route.length > 1) {
      L.polyline(route, {
        color: '#e07b00',
        weight: routeOnStreets ? 5 : 4,
        dashArray: routeOnStreets ? undefined : '8 6',
      }).addTo(g);
    }
    for (const p of points) {
      L.circleMarker([p.lat, p.lng], {
        radius: p.kind === 'rider' ? 9 : 7,
        color: '#fff',
        weight: 2,
        fillColor: COLORS[p.kind],
        fillOpacity: 1,
      })
        .bindTooltip(p.label, {
          permanent: p.kind === 'rider' || p.kind === 'you',
          direction: 'top',
        })
        .addTo(g);
      bounds.push([p.lat, p.lng]);
    }
    if (!fitted.current && bounds.length) {
      fitted.current = true;
      if (bounds.length === 1) m.setView(bounds[0]!, 15);
      else m.fitBounds(L.latLngBounds(bounds), { padding: [30, 30], maxZoom: 16 });
    }
  }, [stores, points, route, routeOnStreets, haveStreets]);

  return (
    <div className={`map-box${tall ? ' tall' : ''}`}>
      <div
        ref={el}
        style={{ position: 'absolute', inset: 0 }}
        role="application"
        aria-label={label}
        data-streets={haveStreets ? 'drawn' : undefined}
      />
      <div className="map-legend" aria-hidden>
        <span style={{ color: '#0b7a32' }}>●</span> store{' '}
        <span style={{ color: '#1e5bb8' }}>●</span> you <span style={{ color: '#e07b00' }}>●</span>{' '}
        rider
      </div>
    </div>
  );
}
