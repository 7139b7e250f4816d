// Adds to openapi.json every path/method of the API.md contract that the backend's generated
// document does not describe yet, marked `x-kirana-pending: true`, and the schemas they need
// (prefixed `Pending`). Run after `kirana openapi --out web/openapi.json`, then `npm run gen:client`.
// With no openapi.json at all, writes the contract alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { contractDocument } from './contract-openapi.mjs';

const file = new URL('../openapi.json', import.meta.url);
const contract = contractDocument();
const doc = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;

if (!doc) {
  writeFileSync(file, JSON.stringify(contract, null, 2) + '\n');
  console.log('openapi.json: written from the API.md contract alone');
  process.exit(0);
}

const rename = (value) =>
  JSON.parse(
    JSON.stringify(value).replaceAll('#/components/schemas/', '#/components/schemas/Pending'),
  );
doc.paths ??= {};
doc.components ??= {};
doc.components.schemas ??= {};
const added = [];
for (const [path, methods] of Object.entries(contract.paths)) {
  for (const [method, operation] of Object.entries(methods)) {
    if (doc.paths[path]?.[method]) continue;
    doc.paths[path] ??= {};
    doc.paths[path][method] = { ...rename(operation), 'x-kirana-pending': true };
    added.push(`${method.toUpperCase()} ${path}`);
  }
}
if (added.length) {
  for (const [name, schema] of Object.entries(contract.components.schemas)) {
    doc.components.schemas[`Pending${name}`] = rename(schema);
  }
}
writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
console.log(`openapi.json: ${added.length} pending operations added from the contract`);
for (const a of added) console.log('  ' + a);
