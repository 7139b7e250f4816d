/** Bulk stock/price edits: pure functions so the rules are tested without a screen. */
export interface StockEdit {
  on_hand: number;
  price: number | null;
}

export type BulkAction =
  | { kind: 'set_on_hand'; value: number }
  | { kind: 'add_on_hand'; value: number }
  | { kind: 'price_percent'; value: number }
  | { kind: 'clear_price' };

/** Applies one bulk action to an edit. Prices never go below 1 paisa nor above the MRP. */
export function applyBulk(
  edit: StockEdit,
  action: BulkAction,
  basePrice: number,
  mrp: number,
): StockEdit {
  switch (action.kind) {
    case 'set_on_hand':
      return { ...edit, on_hand: Math.max(0, Math.round(action.value)) };
    case 'add_on_hand':
      return { ...edit, on_hand: Math.max(0, edit.on_hand + Math.round(action.value)) };
    case 'price_percent': {
      const from = edit.price ?? basePrice;
      const next = Math.round(from * (1 + action.value / 100));
      return { ...edit, price: Math.min(mrp || next, Math.max(1, next)) };
    }
    case 'clear_price':
      return { ...edit, price: null };
  }
}

export function changed(a: StockEdit, b: StockEdit): boolean {
  return a.on_hand !== b.on_hand || (a.price ?? null) !== (b.price ?? null);
}
