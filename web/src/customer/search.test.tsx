import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer } from '../test/http';
import { renderApp } from '../test/render';
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
