import { clientConfig } from '../lib/market';

/**
 * Optional tile server for production: `VITE_TILE_URL` at build time, or `tile_url` from
 * GET /api/v1/config at run time. Unset (the default) means no tiles: the map is our vectors only.
 */
let pending: Promise<string | null> | null = null;

export function tileUrl(): Promise<string | null> {
  pending ??= (async () => {
    const built = import.meta.env.VITE_TILE_URL as string | undefined;
    if (built) return built;
    return (await clientConfig())?.tile_url ?? null;
  })();
  return pending;
}
