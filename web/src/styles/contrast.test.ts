/**
 * WCAG AA for normal text (4.5:1) on the design tokens of both themes. The custom properties are
 * read from the stylesheets themselves: the customer theme is `:root`, the staff theme is
 * `:root` with `.staff-shell`'s overrides.
 *
 * Pairs: every text colour (`--c-text*`, `--c-brand`, `--c-brand-strong`, `--c-danger`,
 * `--c-warn`, `--c-info`) on every background (`--c-bg`, `--c-surface`, `--c-*-soft`), and every
 * `--c-on-X…` colour on its `--c-X` background (white on the brand green, the staff bar's text).
 */
import { describe, expect, it } from 'vitest';

const AA = 4.5;
// The stylesheets as text, keyed by file name (styles.css imports the files of styles/).
const FILES = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>(['../styles.css', './*.css'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }),
  ).map(([path, text]) => [path.split('/').pop()!, text]),
);

/** The stylesheet with its @imports inlined, comments removed. */
function stylesheet(name: string): string {
  const text = FILES[name];
  if (text === undefined) throw new Error(`no stylesheet ${name}`);
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/@import\s+'([^']+)';/g, (_: string, rel: string) =>
      stylesheet(rel.split('/').pop()!),
    );
}

/** Custom properties declared in the blocks whose selector is exactly `selector`. */
function tokens(css: string, selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (block[1]!.trim() !== selector) continue;
    for (const decl of block[2]!.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g))
      out[decl[1]!] = decl[2]!.trim();
  }
  return out;
}

function resolve(theme: Record<string, string>, name: string, seen = new Set<string>()): string {
  const value = theme[name];
  if (value === undefined) throw new Error(`${name} is not defined`);
  if (seen.has(name)) throw new Error(`${name} refers to itself`);
  seen.add(name);
  const ref = /^var\((--[\w-]+)\)$/.exec(value);
  return ref ? resolve(theme, ref[1]!, seen) : value;
}

/** sRGB channels 0-255 of an opaque colour; anything translucent or unknown is an error. */
function rgb(value: string): [number, number, number] {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  const fn = /^rgb\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*\)$/.exec(value);
  if (fn) return [Number(fn[1]), Number(fn[2]), Number(fn[3])];
  throw new Error(`not an opaque colour: ${value}`);
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(rgb(a)), luminance(rgb(b))].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = /^--c-(text(-\d+)?|brand|brand-strong|danger|warn|info)$/;
const BACKGROUND = /^--c-(bg|surface|[a-z]+-soft)$/;

function pairs(theme: Record<string, string>): Array<[string, string]> {
  const names = Object.keys(theme);
  const out: Array<[string, string]> = [];
  for (const fg of names.filter((n) => TEXT.test(n)))
    for (const bg of names.filter((n) => BACKGROUND.test(n))) out.push([fg, bg]);
  for (const fg of names.filter((n) => n.startsWith('--c-on-'))) {
    // --c-on-bar-accent sits on --c-bar-accent if there is one, else on --c-bar.
    const parts = fg.slice('--c-on-'.length).split('-');
    const bg = parts
      .map((_, i) => `--c-${parts.slice(0, parts.length - i).join('-')}`)
      .find((n) => n in theme);
    if (!bg) throw new Error(`${fg} has no background token`);
    out.push([fg, bg]);
  }
  return out;
}

const css = stylesheet('styles.css');
const customer = tokens(css, ':root');
const staff = { ...customer, ...tokens(css, '.staff-shell') };

describe('colour contrast of the design tokens', () => {
  it('reads the tokens it checks', () => {
    expect(customer['--c-text-3']).toBeDefined();
    expect(Object.keys(staff).length).toBeGreaterThan(Object.keys(customer).length);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2); // the WCAG reference value
  });

  for (const [name, theme] of [
    ['customer', customer],
    ['staff', staff],
  ] as const) {
    it(`every text/background pair of the ${name} theme is at least ${AA}:1`, () => {
      const checked = pairs(theme);
      expect(checked.length).toBeGreaterThan(40);
      const below = checked
        .map(([fg, bg]) => ({ fg, bg, ratio: contrast(resolve(theme, fg), resolve(theme, bg)) }))
        .filter((p) => p.ratio < AA)
        .map((p) => `${p.fg} on ${p.bg}: ${p.ratio.toFixed(2)}:1`);
      expect(below).toEqual([]);
    });
  }
});
