import { describe, expect, it } from 'vitest';
import { loadPicked, savePicked, sortByAisle } from './picklist';

describe('pick list', () => {
  it('walks the store aisle by aisle, numeric-aware, lines without an aisle last', () => {
    const lines = [
      { product_id: 'a', name: 'Bread', quantity: 1, aisle: 'A10' },
      { product_id: 'b', name: 'Milk', quantity: 2, aisle: 'A2' },
      { product_id: 'c', name: 'Apples', quantity: 1, aisle: null },
      { product_id: 'd', name: 'Butter', quantity: 1, aisle: 'A2' },
      { product_id: 'e', name: 'Eggs', quantity: 1, aisle: 3 },
    ];
    expect(sortByAisle(lines).map((l) => l.product_id)).toEqual(['e', 'd', 'b', 'a', 'c']);
  });
  it('remembers ticks per order', () => {
    savePicked('o1', ['a', 'b']);
    expect(loadPicked('o1')).toEqual(['a', 'b']);
    expect(loadPicked('o2')).toEqual([]);
  });
});
