/**
 * The demo city's streets (OpenStreetMap data served by our own API, offline), fetched once per
 * page and drawn under every map's stores, areas, riders and routes.
 */
import { api, unwrap } from '../lib/api';

export const OSM_CREDIT = '© OpenStreetMap contributors';

const fetchStreets = () => unwrap(api.GET('/api/v1/maps/streets'));
export type Streets = Awaited<ReturnType<typeof fetchStreets>>;

let pending: Promise<Streets | null> | null = null;

export function streets(): Promise<Streets | null> {
  if (!pending) {
    const fetching = fetchStreets().catch(() => {
      pending = null; // try again on the next map
      return null;
    });
    pending = fetching;
    return fetching;
  }
  return pending;
}
