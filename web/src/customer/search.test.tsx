import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { atStore, renderApp } from '../test/render';
import { recentSearches, rememberSearch } from './catalog';
import { SearchPage } from './SearchPage';
import { CustomerShell } from './Shell';

describe('the search box', () => {
  it('does not leave the page when a keyboard user tabs through it', async () => {
    fakeServer({});
    renderApp(
      <CustomerShell>
        <button type="button">After the header</button>
      </CustomerShell>,
      '/c/dairy',
    );
    const box = screen.getByLabelText('Search products');
    while (document.activeElement !== box) await userEvent.tab();
    await userEvent.tab();
    expect(box).not.toHaveFocus();
    expect(location.pathname).toBe('/c/dairy');
  });

  it('starts searching when the customer types', async () => {
    fakeServer({});
    renderApp(<CustomerShell>page</CustomerShell>, '/');
    const box = screen.getByLabelText('Search products');
    await userEvent.click(box);
    expect(location.pathname).toBe('/');
    await userEvent.type(box, 'milk');
    await waitFor(() => expect(location.pathname + location.search).toBe('/search?q=milk'));
    expect(box).toHaveFocus();
  });

  it('searches on submit', async () => {
    fakeServer({});
    renderApp(<CustomerShell>page</CustomerShell>, '/?q=eggs');
    await userEvent.type(screen.getByLabelText('Search products'), '{Enter}');
    await waitFor(() => expect(location.pathname + location.search).toBe('/search?q=eggs'));
  });
});

const product = (id: string, name: string) => ({
  id,
  name,
  brand: 'Himgiri',
  unit: '500 ml',
  image_url: null,
  price: 3000,
  mrp: 3000,
  in_stock: true,
  max_quantity: 5,
  category_id: 'c1',
  currency: 'INR',
});

describe('suggestions and recent searches', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it('lists completions while typing and opens a product from them', async () => {
    atStore();
    fakeServer({
      'GET /api/v1/stores/{id}/search/suggestions': () => ({
        body: {
          query: 'mlik',
          suggestions: [
            { text: 'milk', kind: 'correction' },
            { text: 'Milk', kind: 'category', category_id: 'c1' },
            { text: 'Himgiri Toned Milk', kind: 'product', product_id: 'p1' },
          ],
        },
      }),
      'GET /api/v1/stores/{id}/products': () => ({
        body: { items: [], next_cursor: null, total: 0, facets: null, did_you_mean: 'milk' },
      }),
    });
    renderApp(<CustomerShell>page</CustomerShell>, '/');
    const box = screen.getByLabelText('Search products');
    await userEvent.type(box, 'mlik');
    const list = await screen.findByRole('listbox', { name: 'Suggestions' });
    expect(list).toHaveTextContent('Did you mean');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}{Enter}');
    await waitFor(() => expect(location.pathname).toBe('/p/p1'));
    expect(recentSearches()).toEqual(['mlik']);
  });

  it('closes the list on Escape and keeps the words', async () => {
    atStore();
    fakeServer({
      'GET /api/v1/stores/{id}/search/suggestions': () => ({
        body: { query: 'mil', suggestions: [{ text: 'milk', kind: 'correction' }] },
      }),
      'GET /api/v1/stores/{id}/products': () => ({
        body: { items: [], next_cursor: null, total: 0, facets: null, did_you_mean: null },
      }),
    });
    renderApp(<CustomerShell>page</CustomerShell>, '/');
    const box = screen.getByLabelText('Search products');
    await userEvent.type(box, 'mil');
    await screen.findByRole('listbox', { name: 'Suggestions' });
    // Not prevented, a search box's own Escape would clear the words and empty the results.
    expect(fireEvent.keyDown(box, { key: 'Escape' })).toBe(false);
    await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
    expect(box).toHaveValue('mil');
    expect(fireEvent.keyDown(box, { key: 'Escape' })).toBe(true); // the next one clears
  });

  it('shows recent searches on focus without leaving the page', async () => {
    atStore();
    rememberSearch('atta');
    rememberSearch('dahi');
    fakeServer({});
    renderApp(<CustomerShell>page</CustomerShell>, '/c/dairy');
    await userEvent.click(screen.getByLabelText('Search products'));
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['dahiRecent', 'attaRecent']);
    expect(location.pathname).toBe('/c/dairy');
    await userEvent.click(screen.getByRole('button', { name: 'Clear recent searches' }));
    expect(recentSearches()).toEqual([]);
  });
});

describe('the results page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows facets, the correction, and filters through the URL', async () => {
    atStore();
    const { calls } = fakeServer({
      'GET /api/v1/stores/{id}/products': () => ({
        body: {
          items: [product('p1', 'Himgiri Toned Milk')],
          next_cursor: null,
          total: 1,
          did_you_mean: 'milk',
          facets: {
            categories: [{ id: 'c1', name: 'Milk', count: 1 }],
            brands: [{ name: 'Himgiri', count: 1 }],
            in_stock: 1,
            price: { min: 3000, max: 3000 },
          },
        },
      }),
      'GET /api/v1/categories': () => ({ body: [] }),
      'GET /api/v1/cart': () => ({ status: 401, body: { code: 'unauthorized' } }),
    });
    renderApp(<SearchPage />, '/search?q=mlik');
    expect(await screen.findByText('Himgiri Toned Milk')).toBeInTheDocument();
    expect(screen.getByText(/Showing results for/)).toHaveTextContent('milk');
    const filters = screen.getByRole('complementary', { name: 'Filters' });
    expect(filters).toHaveTextContent('Himgiri (1)');
    // A narrow screen (jsdom has no matchMedia): the filters are folded under one line.
    const fold = filters.querySelector('details')!;
    expect(fold.open).toBe(false);
    await userEvent.click(screen.getByText('Filters'));
    expect(fold.open).toBe(true);
    await userEvent.click(screen.getByLabelText('Milk (1)'));
    await waitFor(() => expect(location.search).toContain('category_id=c1'));
    // A filter in use keeps them open, and says how many are set.
    await waitFor(() =>
      expect(
        screen.getByRole('complementary', { name: 'Filters' }).querySelector('details')!.open,
      ).toBe(true),
    );
    expect(screen.getByText('Filters (1)')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        calls.some((c) => c.path.endsWith('/products') && c.search.includes('category_id=c1')),
      ).toBe(true),
    );
  });
});
