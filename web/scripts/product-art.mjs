// Writes the demo catalog's product pictures into the built app: each illustration that
// src/kirana/seed/catalog_data/product_art.json names, as an SVG file taken from the installed
// Noto Emoji set (@iconify-json/noto, Apache-2.0). The server serves them under /media/art/,
// the same way as uploaded images; nothing is fetched at run time.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const mapping = join(here, '..', '..', 'src', 'kirana', 'seed', 'catalog_data', 'product_art.json');
const out = join(here, '..', '..', 'src', 'kirana', 'static', 'app', 'media', 'art');
const require = createRequire(import.meta.url);
const set = JSON.parse(readFileSync(require.resolve('@iconify-json/noto/icons.json'), 'utf8'));
const info = JSON.parse(readFileSync(require.resolve('@iconify-json/noto/info.json'), 'utf8'));
const version = JSON.parse(
  readFileSync(require.resolve('@iconify-json/noto/package.json'), 'utf8'),
).version;

const { items, categories } = JSON.parse(readFileSync(mapping, 'utf8'));
const names = [...new Set([...Object.values(items), ...Object.values(categories)])].sort();

function svg(name) {
  const alias = set.aliases?.[name];
  const icon = set.icons[alias ? alias.parent : name];
  if (!icon) throw new Error(`product_art.json names "${name}", which the Noto set lacks`);
  const width = icon.width ?? set.width ?? 16;
  const height = icon.height ?? set.height ?? 16;
  const left = icon.left ?? set.left ?? 0;
  const top = icon.top ?? set.top ?? 0;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="${left} ${top} ${width} ${height}">${icon.body}</svg>\n`
  );
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of names) writeFileSync(join(out, `${name}.svg`), svg(name));
writeFileSync(
  join(out, 'NOTICE.txt'),
  `Product pictures: ${info.name} by ${info.author.name}, ${info.license.title} ` +
    `(SPDX ${info.license.spdx}), from the @iconify-json/noto ${version} package.\n`,
);
console.log(
  `product art: ${names.length} pictures from ${info.name} (@iconify-json/noto ${version})`,
);
