// @ts-check
// Regenerates the docs and files that are derived from code: docs/errors.md from the error catalogue;
// docs/manifest.md from the manifest schema;
// docs/bridge.md, src/bridge/types.ts and the browser mock's data from the bridge catalogue.
// Tests fail when a committed file is out of date, so run `npm run docs` after changing the source.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderErrorCatalogMarkdown, renderManifestDoc } from '../dist/index.js';
import { renderBridgeDocs, renderBridgeTypes, renderMockData } from '../dist/bridge/generate.js';

const out = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const write = (p, text) => {
  writeFileSync(out(p), text);
  process.stderr.write(`wrote ${p}\n`);
};
write('docs/errors.md', renderErrorCatalogMarkdown());
write('docs/manifest.md', renderManifestDoc());
write('docs/bridge.md', renderBridgeDocs());
write('src/bridge/types.ts', renderBridgeTypes());
write('src/bridge/mock/catalog-data.js', renderMockData());
