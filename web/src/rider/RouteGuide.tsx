/**
 * The route to ride for the current delivery, along the streets for the rider's vehicle: drawn
 * on the map and listed turn by turn (GET /api/v1/rider/route). Fetched again when the
 * delivery's status changes (after pick-up it leads to the drop).
 */
import { api, unwrap } from '../lib/api';
import { errorMessage } from '../lib/problem';
import { useQuery } from '../lib/query';
import type { RiderTask } from '../lib/types';
import { Map } from '../map/Map';
import type { MapPoint } from '../map/types';

export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres / 10) * 10} m`;
}

export function RouteGuide({
  task,
  points,
  straight,
}: {
  task: RiderTask;
  points: MapPoint[];
  /** Drawn until the street route arrives, or if it cannot be had. */
  straight: Array<[number, number]>;
}) {
  const guide = useQuery(`rider-route:${task.delivery_id}:${task.status}`, () =>
    unwrap(api.GET('/api/v1/rider/route')),
  );
  const route = guide.data?.delivery_id === task.delivery_id ? guide.data.route : undefined;
  return (
    <>
      <Map
        label="Route to ride, along the streets"
        points={points}
        route={route ? (route.path as Array<[number, number]>) : straight}
        routeOnStreets={route?.source === 'road'}
      />
      {route ? (
        <section aria-label="Turn-by-turn directions" className="stack" style={{ gap: 6 }}>
          <div className="row between">
            <strong>
              {guide.data?.heading_to === 'store' ? 'To the store, then the drop' : 'To the drop'}
            </strong>
            <span className="subtle" data-testid="route-total">
              {formatDistance(route.distance_m)} · {Math.max(1, Math.round(route.duration_s / 60))}{' '}
              min
            </span>
          </div>
          <ol className="turn-list">
            {route.steps.map((s, i) => (
              <li key={i}>
                {s.instruction}
                {s.distance_m > 0 ? (
                  <span className="subtle">{formatDistance(s.distance_m)}</span>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : guide.error ? (
        <p className="subtle">Street route unavailable: {errorMessage(guide.error)}</p>
      ) : null}
    </>
  );
}
