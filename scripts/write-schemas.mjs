// Write src/protocol/schemas/*.avsc from the schema constants (the one definition of each body),
// for clients in other languages. Run `npm run schemas` after changing a schema; the unit tests
// fail while a checked-in file differs from its constant.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { publishedSchemas, schemaFileText } from '../dist/src/protocol/catalogue.js';

const dir = new URL('../src/protocol/schemas/', import.meta.url);
const schemas = publishedSchemas();
const wanted = new Set(schemas.map((p) => `${p.file}.avsc`));
for (const file of readdirSync(dir)) if (file.endsWith('.avsc') && !wanted.has(file)) rmSync(new URL(file, dir));
for (const p of schemas) writeFileSync(new URL(`${p.file}.avsc`, dir), schemaFileText(p));
console.log(`wrote ${schemas.length} schemas to src/protocol/schemas/`);
