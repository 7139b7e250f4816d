import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

async function loadedWith(config: object) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify(config), { status: 200 })),
  );
  const market = await import('./market');
  const money = await import('./money');
  await market.loadMarket();
  return { ...market, ...money };
}

describe('the market from /api/v1/config', () => {
  it('formats money in the deployment currency and locale', async () => {
    const m = await loadedWith({
      currency: 'EUR',
      locale: 'fi-FI',
      phone_region: 'FI',
      phone_example: '+358412345678',
      time_zone: 'Europe/Helsinki',
    });
    expect(m.formatMoney(1234)).toMatch(/^12,34\s€$/);
    expect(m.currencySymbol()).toBe('€');
    expect(m.market.phoneExample).toBe('+358412345678');
  });

  it('keeps the defaults when the server cannot be reached', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('offline');
      }),
    );
    const { loadMarket, market } = await import('./market');
    const { formatMoney } = await import('./money');
    await loadMarket();
    expect(market.currency).toBe('EUR');
    expect(formatMoney(54100)).toBe('€541');
  });
});
