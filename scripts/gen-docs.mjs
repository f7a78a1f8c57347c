// Regenerates the docs that are derived from code: docs/errors.md from the error catalogue,
// docs/manifest.md from the manifest schema.
// Tests fail when a committed file is out of date, so run `npm run docs` after changing the source.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderErrorCatalogMarkdown, renderManifestDoc } from '../dist/index.js';

const out = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
writeFileSync(out('docs/errors.md'), renderErrorCatalogMarkdown());
writeFileSync(out('docs/manifest.md'), renderManifestDoc());
process.stderr.write('wrote docs/errors.md, docs/manifest.md\n');
