import { describe, expect, it } from 'vitest';
import { ApiError } from './problem';
import { paiseOfField, parseRupees, rupeesText } from './money';

describe('rupees typed into a form', () => {
  it('become paise exactly', () => {
    expect(parseRupees('12.34')).toBe(1234);
    expect(parseRupees('0.1')).toBe(10);
    expect(parseRupees('0.29')).toBe(29);
    expect(parseRupees('19.99')).toBe(1999);
    expect(parseRupees('12')).toBe(1200);
    expect(parseRupees('12.')).toBe(1200);
    expect(parseRupees('.5')).toBe(50);
    expect(parseRupees(' 7.05 ')).toBe(705);
    expect(parseRupees('0')).toBe(0);
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
      expect(parseRupees(text), text).toBeNull();
    expect(parseRupees('99999999999999999')).toBeNull();
  });
  it('are written back as the shortest text that reads the same', () => {
    expect(rupeesText(1234)).toBe('12.34');
    expect(rupeesText(1230)).toBe('12.3');
    expect(rupeesText(1200)).toBe('12');
    expect(rupeesText(5)).toBe('0.05');
    expect(rupeesText(0)).toBe('0');
    expect(rupeesText(null)).toBe('');
    expect(rupeesText(undefined)).toBe('');
    for (const paise of [0, 1, 10, 99, 100, 1999, 123456789])
      expect(parseRupees(rupeesText(paise))).toBe(paise);
  });
});

describe('a form field in rupees', () => {
  it('gives paise, or a refusal naming the field', () => {
    expect(paiseOfField('49.5', 'mrp', 'MRP')).toBe(4950);
    let refusal: unknown;
    try {
      paiseOfField('49.999', 'mrp', 'MRP');
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toBe(422);
    expect((refusal as ApiError).message).toBe('Enter the MRP as an amount like 49.50.');
    expect((refusal as ApiError).fieldMessage('mrp')).toBe('Use at most two decimals');
  });
});
