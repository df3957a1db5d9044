// `npm run openapi [file]`: writes the OpenAPI 3.1 document that `GET /openapi.json` serves, made
// from the same route definitions (default file: openapi.json, which git ignores).
import fs from 'node:fs';
import { openApiDocument } from '../src/http/openapi/document.ts';
import { routeCatalogue } from '../src/route-catalogue.ts';

const file = process.argv[2] ?? 'openapi.json';
fs.writeFileSync(file, `${JSON.stringify(openApiDocument(routeCatalogue()), null, 2)}\n`);
console.log(`wrote ${file}`);
