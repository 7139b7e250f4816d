import { market } from './market';
import { invalidInput } from './problem';

/** Money arrives as integer minor units (cents, paise), written in the market's locale. */
export function formatMoney(minor: number | null | undefined, currency = market.currency): string {
  const value = (minor ?? 0) / 100;
  try {
    return new Intl.NumberFormat(market.locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: Number.isInteger(value) ? 0 : 2,
      maximumFractionDigits: 2,
    }).format(value);
  } catch {
    return `${currency} ${value.toFixed(2)}`;
  }
}

const AMOUNT = /^(\d*)(?:\.(\d{0,2}))?$/;

/**
 * Minor units (cents, paise) for an amount typed in the currency ("12.34" is 1234, "0.1" is 10), or null when the text is
 * not a non-negative amount with at most two decimals. The digits are read as text, so no
 * binary fraction ever rounds a price.
 */
export function parseAmount(text: string): number | null {
  const match = AMOUNT.exec(text.trim());
  if (!match) return null;
  const [, whole = '', fraction = ''] = match;
  if (!whole && !fraction) return null;
  const paise = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(paise) ? paise : null;
}

/** Minor units of an amount typed into form field `field`, or the refusal the form shows under it. */
export function minorUnitsOfField(text: string, field: string, label: string): number {
  const paise = parseAmount(text);
  if (paise === null)
    throw invalidInput(`Enter the ${label} as an amount like 49.50.`, [
      { field, message: 'Use at most two decimals' },
    ]);
  return paise;
}

/**
 * Minor units written as an amount for an input ("12.34", "12.3", "12"), the shortest text that
 * parseAmount reads back to the same minor units; empty for no amount.
 */
export function amountText(minor: number | null | undefined): string {
  if (minor == null) return '';
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minor));
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Whole-percent discount of price against MRP, or 0. */
export function discountPercent(price: number, mrp: number): number {
  if (!mrp || price >= mrp) return 0;
  return Math.round(((mrp - price) / mrp) * 100);
}
