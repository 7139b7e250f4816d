/**
 * The deployment's market, from GET /api/v1/config: the currency prices are in, the locale
 * numbers, money and dates are written in, the phone region (with an example number to show)
 * and the time zone. Loaded once before the app renders; until then, and if the server cannot
 * be reached, the values below (the server's own defaults) stand.
 */
import { setQueryData } from './query';

/** GET /api/v1/config's place in the query cache: read at start, there for the screens that
 * need more of it (the checkout's payment providers). */
export const CONFIG_KEY = 'config';

export interface ClientConfig {
  tile_url?: string | null;
  currency?: string;
  locale?: string;
  phone_region?: string;
  phone_example?: string;
  time_zone?: string;
}

export const market = {
  currency: 'EUR',
  locale: 'en-FI',
  phoneRegion: 'FI',
  phoneExample: '+358412345678',
  timeZone: 'Europe/Helsinki',
};

let pending: Promise<ClientConfig | null> | null = null;

/** The run-time configuration, fetched once (the service worker keeps the last answer). */
export function clientConfig(): Promise<ClientConfig | null> {
  pending ??= (async () => {
    try {
      const res = await fetch('/api/v1/config', {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(3000),
      });
      return res.ok ? ((await res.json()) as ClientConfig) : null;
    } catch {
      return null;
    }
  })();
  return pending;
}

export async function loadMarket(): Promise<void> {
  const config = await clientConfig();
  if (!config) return;
  setQueryData(CONFIG_KEY, config);
  market.currency = config.currency ?? market.currency;
  market.locale = config.locale ?? market.locale;
  market.phoneRegion = config.phone_region ?? market.phoneRegion;
  market.phoneExample = config.phone_example ?? market.phoneExample;
  market.timeZone = config.time_zone ?? market.timeZone;
}

/** The currency's symbol in the market's locale ("₹", "€"), for labels such as "Price (₹)". */
export function currencySymbol(currency = market.currency): string {
  try {
    const parts = new Intl.NumberFormat(market.locale, {
      style: 'currency',
      currency,
    }).formatToParts(0);
    return parts.find((p) => p.type === 'currency')?.value ?? currency;
  } catch {
    return currency;
  }
}
