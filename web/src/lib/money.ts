/** Money arrives as integer minor units (paise). */
export function formatMoney(minor: number | null | undefined, currency = 'INR'): string {
  const value = (minor ?? 0) / 100;
  try {
    return new Intl.NumberFormat('en-IN', {
      style: 'currency',
      currency,
      minimumFractionDigits: Number.isInteger(value) ? 0 : 2,
      maximumFractionDigits: 2,
    }).format(value);
  } catch {
    return `${currency} ${value.toFixed(2)}`;
  }
}

/** Whole-percent discount of price against MRP, or 0. */
export function discountPercent(price: number, mrp: number): number {
  if (!mrp || price >= mrp) return 0;
  return Math.round(((mrp - price) / mrp) * 100);
}
