/** Lazy wrapper: Leaflet is fetched only when a screen shows a map. */
import { lazy, Suspense } from 'react';
import type { MapProps } from './types';
import { Skeleton } from '../ui';

const MapView = lazy(() => import('./MapView'));

export function Map(props: MapProps) {
  return (
    <Suspense fallback={<Skeleton height={props.tall ? 420 : 260} style={{ borderRadius: 12 }} />}>
      <MapView {...props} />
    </Suspense>
  );
}
