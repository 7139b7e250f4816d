import { describe, expect, it } from 'vitest';
import { ApiError } from './problem';
import { minorUnitsOfField, parseAmount, amountText } from './money';

describe('amounts typed into a form', () => {
  it('become paise exactly', () => {
    expect(parseAmount('12.34')).toBe(1234);
    expect(parseAmount('0.1')).toBe(10);
    expect(parseAmount('0.29')).toBe(29);
    expect(parseAmount('19.99')).toBe(1999);
    expect(parseAmount('12')).toBe(1200);
    expect(parseAmount('12.')).toBe(1200);
    expect(parseAmount('.5')).toBe(50);
    expect(parseAmount(' 7.05 ')).toBe(705);
    expect(parseAmount('0')).toBe(0);
  });
  it('are refused when they are not an amount', () => {
    for (const text of [
      'abc',
      '',
      ' ',
      '.',
      '-1',
      '-0.5',
      '1.234',
      '12.3.4',
      '1e3',
      '₹12',
      '1,000',
    ])
      expect(parseAmount(text), text).toBeNull();
    expect(parseAmount('99999999999999999')).toBeNull();
  });
  it('are written back as the shortest text that reads the same', () => {
    expect(amountText(1234)).toBe('12.34');
    expect(amountText(1230)).toBe('12.3');
    expect(amountText(1200)).toBe('12');
    expect(amountText(5)).toBe('0.05');
    expect(amountText(0)).toBe('0');
    expect(amountText(null)).toBe('');
    expect(amountText(undefined)).toBe('');
    for (const paise of [0, 1, 10, 99, 100, 1999, 123456789])
      expect(parseAmount(amountText(paise))).toBe(paise);
  });
});

describe('a form field in the currency', () => {
  it('gives paise, or a refusal naming the field', () => {
    expect(minorUnitsOfField('49.5', 'mrp', 'MRP')).toBe(4950);
    let refusal: unknown;
    try {
      minorUnitsOfField('49.999', 'mrp', 'MRP');
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toBe(422);
    expect((refusal as ApiError).message).toBe('Enter the MRP as an amount like 49.50.');
    expect((refusal as ApiError).fieldMessage('mrp')).toBe('Use at most two decimals');
  });
});
