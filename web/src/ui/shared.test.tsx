import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { ApiError, invalidInput } from '../lib/problem';
import { TextField } from './index';
import { FormDialog, InlineError, useSubmit } from './form';
import { DataTable, type Column } from './table';

type Fruit = { id: string; name: string; price: number };
const FRUITS: Fruit[] = [
  { id: 'a', name: 'Apple', price: 120 },
  { id: 'b', name: 'Banana', price: 40 },
];
const COLUMNS: Array<Column<Fruit>> = [
  { header: 'Name', cell: (f) => f.name },
  { header: 'Price', num: true, cell: (f) => f.price },
  { header: 'Actions', hideHeader: true, cell: (f) => <button>Edit {f.name}</button> },
];

describe('DataTable', () => {
  it('gives each column its header and each row its cells', () => {
    render(<DataTable columns={COLUMNS} rows={FRUITS} rowKey={(f) => f.id} />);
    const headers = screen.getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'Price', 'Actions']);
    expect(within(headers[2]!).getByText('Actions')).toHaveClass('sr-only');
    expect(headers[1]).toHaveClass('num');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]!.textContent)).toEqual([
      'Apple',
      'Banana',
    ]);
    expect(within(rows[0]!).getAllByRole('cell')[1]).toHaveClass('num');
  });

  it('shows a skeleton while loading and the empty state when there are no rows', () => {
    const { rerender, container } = render(
      <DataTable columns={COLUMNS} rows={[]} rowKey={(f) => f.id} loading empty={<p>None</p>} />,
    );
    expect(container.querySelector('.skeleton')).not.toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
    rerender(<DataTable columns={COLUMNS} rows={[]} rowKey={(f) => f.id} empty={<p>None</p>} />);
    expect(screen.getByText('None')).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
    rerender(<DataTable columns={COLUMNS} rows={[]} rowKey={(f) => f.id} />);
    expect(screen.getByRole('table')).toBeInTheDocument();
  });

  it('offers the next page while there is one', async () => {
    const onMore = vi.fn();
    const { rerender } = render(
      <DataTable
        columns={COLUMNS}
        rows={FRUITS}
        rowKey={(f) => f.id}
        more={{ onMore, busy: false }}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(onMore).toHaveBeenCalledOnce();
    rerender(<DataTable columns={COLUMNS} rows={FRUITS} rowKey={(f) => f.id} more={null} />);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('keeps a draft per row across its cells', async () => {
    const useDraft = (f: Fruit) => {
      const [count, setCount] = useState(0);
      return { count, add: () => setCount((c) => c + 1), label: f.name };
    };
    const columns: Array<Column<Fruit, ReturnType<typeof useDraft>>> = [
      { header: 'Name', cell: (_f, d) => `${d.label} ×${d.count}` },
      { header: 'Add', cell: (f, d) => <button onClick={d.add}>Add {f.name}</button> },
    ];
    render(<DataTable columns={columns} rows={FRUITS} rowKey={(f) => f.id} useRow={useDraft} />);
    await userEvent.click(screen.getByRole('button', { name: 'Add Banana' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add Banana' }));
    expect(screen.getByText('Banana ×2')).toBeInTheDocument();
    expect(screen.getByText('Apple ×0')).toBeInTheDocument();
  });
});

function NameDialog({
  action,
  onClose,
}: {
  action: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const form = useSubmit(() => action(name));
  return (
    <FormDialog title="Rename" form={form} onClose={onClose}>
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={form.fieldError('name')}
      />
    </FormDialog>
  );
}

describe('FormDialog', () => {
  it('submits once and shows the problem with its field error under the input', async () => {
    let release: () => void = () => undefined;
    const action = vi.fn(
      () =>
        new Promise<void>((_resolve, reject) => {
          release = () =>
            reject(
              new ApiError(422, {
                detail: 'Please check the highlighted fields.',
                errors: [{ field: 'body.name', message: 'Already taken' }],
              }),
            );
        }),
    );
    render(<NameDialog action={action} onClose={() => undefined} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Kamppi');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(action).toHaveBeenCalledWith('Kamppi');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    release();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Please check the highlighted fields.',
    );
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Already taken');
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
  });

  it('shows a refusal found before sending like one from the API', async () => {
    render(
      <NameDialog
        action={async () => {
          throw invalidInput('Enter a name.', [{ field: 'name', message: 'Required' }]);
        }}
        onClose={() => undefined}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter a name.');
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Required');
  });

  it('closes on Cancel and on Escape', async () => {
    const onClose = vi.fn();
    render(<NameDialog action={async () => undefined} onClose={onClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});

describe('InlineError', () => {
  const error = new ApiError(422, {
    detail: 'Check the lines',
    errors: [
      { field: 'items.1.price', message: 'must not exceed the mrp' },
      { field: 'items.10.on_hand', message: 'must be at least 0' },
    ],
  });
  it('shows the message about the fields under a prefix, and nothing about others', () => {
    const { container, rerender } = render(<InlineError error={error} field="items.1" />);
    expect(container).toHaveTextContent('must not exceed the mrp');
    rerender(<InlineError error={error} field="items.10" />);
    expect(container).toHaveTextContent('must be at least 0');
    rerender(<InlineError error={error} field="items.2" />);
    expect(container).toBeEmptyDOMElement();
  });
  it("shows the whole error's sentence without a field", () => {
    const { container } = render(<InlineError error={error} />);
    expect(container).toHaveTextContent('Check the lines');
  });
});
