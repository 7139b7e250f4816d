/** Pick-list ordering and the per-order checks a picker makes (kept across reloads). */
export interface PickLine {
  product_id: string;
  name: string;
  quantity: number;
  aisle?: string | number | null;
  unit?: string;
}

/** Sorts by aisle (numeric-aware, missing aisles last), then by name: one walk through the store. */
export function sortByAisle<T extends PickLine>(lines: T[]): T[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...lines].sort((a, b) => {
    const aa = a.aisle == null || a.aisle === '' ? null : String(a.aisle);
    const bb = b.aisle == null || b.aisle === '' ? null : String(b.aisle);
    if (aa !== bb) {
      if (aa === null) return 1;
      if (bb === null) return -1;
      const c = collator.compare(aa, bb);
      if (c) return c;
    }
    return collator.compare(a.name, b.name);
  });
}

const KEY = (orderId: string) => `kirana.picked.${orderId}`;

export function loadPicked(orderId: string): string[] {
  try {
    return JSON.parse(localStorage.getItem(KEY(orderId)) ?? '[]') as string[];
  } catch {
    return [];
  }
}

export function savePicked(orderId: string, picked: string[]): void {
  localStorage.setItem(KEY(orderId), JSON.stringify(picked));
}
