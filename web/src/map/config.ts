/**
 * Optional tile server for production: `VITE_TILE_URL` at build time, or `tile_url` from
 * GET /api/v1/config at run time. Unset (the default) means no tiles: the map is our vectors only.
 */
let pending: Promise<string | null> | null = null;

export function tileUrl(): Promise<string | null> {
  pending ??= (async () => {
    const built = import.meta.env.VITE_TILE_URL as string | undefined;
    if (built) return built;
    try {
      const res = await fetch('/api/v1/config', { headers: { Accept: 'application/json' } });
      if (!res.ok) return null;
      const body = (await res.json()) as { tile_url?: string | null; map_tile_url?: string | null };
      return body.tile_url ?? body.map_tile_url ?? null;
    } catch {
      return null;
    }
  })();
  return pending;
}
