/** The admin screens' data table: one column list gives the headers and each row's cells, with
 * the loading, empty and "load more" states every list needs. */
import type { CSSProperties, ReactNode } from 'react';
import { Button, Skeleton } from './index';

export interface Column<T, S = undefined> {
  /** The column's name, unique in its table. */
  header: string;
  /** Shown in the header cell instead of the name (a select-all box). */
  head?: ReactNode;
  /** The header is read by screen readers only (a column of buttons). */
  hideHeader?: boolean;
  /** Figures: right-aligned in tabular digits. */
  num?: boolean;
  className?: string;
  cell: (row: T, state: S) => ReactNode;
}

export interface DataTableProps<T, S> {
  columns: Array<Column<T, S>>;
  rows: T[];
  rowKey: (row: T) => string;
  /**
   * For rows edited in place: called as a hook once per row, its result is given to every cell
   * of that row, so a row keeps its own draft.
   */
  useRow?: (row: T) => S;
  rowStyle?: (row: T, state: S) => CSSProperties | undefined;
  loading?: boolean;
  skeletonHeight?: number;
  /** Shown instead of the table when there are no rows; without it the table shows empty. */
  empty?: ReactNode;
  /** A "Load more" button under the rows while the list has another page. */
  more?: { onMore: () => void; busy: boolean } | null;
}

export function DataTable<T, S = undefined>({
  columns,
  rows,
  rowKey,
  useRow,
  rowStyle,
  loading,
  skeletonHeight = 240,
  empty,
  more,
}: DataTableProps<T, S>) {
  if (loading) return <Skeleton height={skeletonHeight} />;
  if (!rows.length && empty) return <>{empty}</>;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.num ? 'num' : undefined}>
                {c.head ?? (c.hideHeader ? <span className="sr-only">{c.header}</span> : c.header)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <DataRow
              key={rowKey(row)}
              row={row}
              columns={columns}
              useRow={useRow}
              rowStyle={rowStyle}
            />
          ))}
        </tbody>
      </table>
      {more ? (
        <div className="row" style={{ justifyContent: 'center', padding: 12 }}>
          <Button variant="secondary" onClick={more.onMore} busy={more.busy}>
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function noState<S>(): S {
  return undefined as S;
}

function DataRow<T, S>({
  row,
  columns,
  useRow = noState,
  rowStyle,
}: {
  row: T;
  columns: Array<Column<T, S>>;
  useRow?: ((row: T) => S) | undefined;
  rowStyle?: ((row: T, state: S) => CSSProperties | undefined) | undefined;
}) {
  const state = useRow(row);
  return (
    <tr style={rowStyle?.(row, state)}>
      {columns.map((c) => (
        <td
          key={c.header}
          className={[c.num ? 'num' : '', c.className].filter(Boolean).join(' ') || undefined}
        >
          {c.cell(row, state)}
        </td>
      ))}
    </tr>
  );
}

/** A time as a table cell shows it: date and time, short, in the reader's locale ("—" for none). */
export function shortWhen(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }) : '—';
}
