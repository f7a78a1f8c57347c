import { manifestSchema } from './schema.js';

/**
 * Renders docs/manifest.md from schema/manifest.schema.json, so the reference cannot drift from what
 * `validate` enforces; a test checks the committed file matches.
 * @long the page's text in reading order; the only logic is the fields table
 */
export function renderManifestDoc(): string {
  const schema = manifestSchema() as unknown as {
    $id: string;
    required: string[];
    properties: Record<string, { description?: string; type?: string; items?: { enum?: string[] }; maxLength?: number; examples?: string[] }>;
  };
  const rows = Object.entries(schema.properties).map(([name, p]) => {
    const type = p.type === 'array' ? 'string[]' : (p.type ?? 'any');
    const required = schema.required.includes(name) ? 'yes' : 'no';
    const extra = p.items?.enum ? ` One of: ${p.items.enum.map((e) => `\`${e}\``).join(', ')}.` : '';
    return `| \`${name}\` | ${type} | ${required} | ${(p.description ?? '').replace(/\|/g, '\\|')}${extra} |`;
  });
  return `${[
    '# The manifest (`manifest.json`)',
    '',
    '<!-- Generated from schema/manifest.schema.json by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every package has a `manifest.json` at its root. [`schema/manifest.schema.json`](../schema/manifest.schema.json)',
    `(JSON Schema 2020-12, \`$id\` \`${schema.$id}\`) is the one source of truth: \`miniapp validate\` checks it,`,
    'this page is generated from it, and editors complete and check the file when it names the schema:',
    '',
    '```json',
    '{ "$schema": "./node_modules/miniapp/schema/manifest.schema.json" }',
    '```',
    '',
    'Example:',
    '',
    '```json',
    '{"id":"com.partner.loans","version":"2.3.1","minHostVersion":"3.0.0","entryPoint":"index.html",',
    ' "permissions":["payment","geolocation"],"allowedDomains":["api.partner.com","cdn.partner.com"],',
    ' "signature":"sha256:abc123..."}',
    '```',
    '',
    '## Fields',
    '',
    '| field | type | required | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Any other key is an error (`MANIFEST_UNKNOWN_FIELD`), with a "did you mean" hint for near misses.',
    '',
    '## Rules beyond the schema',
    '',
    '- **One value per key.** A key repeated in the same object is `MANIFEST_DUPLICATE_KEY`: `JSON.parse` keeps the last',
    '  one silently, so a reviewer and a host could read two different manifests from one file.',
    '- **Plain UTF-8.** A byte-order mark, UTF-16 or invalid UTF-8 is `MANIFEST_ENCODING`. Larger than 256 KiB is',
    '  `MANIFEST_TOO_LARGE`; nesting deeper than 64 levels is `MANIFEST_TOO_DEEP`.',
    '- **`id`**: reverse-DNS, at least two lowercase labels of letters, digits and inner hyphens (each label 1-63',
    '  characters, no leading or trailing hyphen), at most 128 characters.',
    '- **`version`, `minHostVersion`**: strict semantic versions, at most 64 characters.',
    '- **The newest known host (a toolchain rule, not a host rule).** `validate`, `build`, `sign` and `serve` refuse a',
    '  `minHostVersion` above the newest host version this toolchain knows (`MANIFEST_HOST_VERSION_UNKNOWN`;',
    '  `--newest-host-version` for pre-release hosts): no host could launch it yet. A host cannot know the versions',
    '  released after it, so it never applies this rule: at step 6 of the install decision it accepts any',
    '  `minHostVersion`, and at step 9 compares it with its own version (`HOST_UPDATE_REQUIRED`).',
    '- **`entryPoint`, `icon`**: relative paths inside the package, under the same rule as zip entry names',
    '  ([package-format.md](package-format.md#names)): no `..` or `.` segment, no leading `/`, drive letter, `:`,',
    '  backslash, empty segment, control character (U+0000-U+001F, U+007F-U+009F), bidirectional control (U+061C,',
    '  U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or line/paragraph separator (U+2028, U+2029); each segment at most',
    '  255 bytes in UTF-8, the whole path at most 1024. When a project directory or a package is validated, the entry',
    '  point must exist (`MANIFEST_ENTRY_POINT_MISSING`); one not ending in `.html`/`.htm` is a warning. The `icon` need not exist (a',
    '  warning when it does not) and is not checked to be a PNG.',
    '- **`allowedDomains`**: at most 64 entries, lowercase ASCII host names (IDN in punycode) or `*.host` for every',
    '  subdomain of `host`; fully qualified only (at least two labels: `intranet` is refused), each label 1-63',
    '  characters, the whole name at most 253. No scheme, port, path, user information, IP literal, bare `*`, trailing',
    '  dot, or wildcard over a public suffix (`*.com`, `*.co.uk`, `*.github.io`: the Public Suffix List, ICANN and',
    '  private sections). Each problem gets a hint with the corrected value, e.g. `drop the scheme: "api.x.com"`.',
    '- **`permissions`**: at most 64, no repeats. **`name`**: 1-64 characters. **`description`**: at most 500',
    '  characters. **`$schema`**: at most 512 characters (ignored by hosts). **`signature`**: at most 512 characters.',
    '- **`signature`**: optional signer pin, `sha256:` and the 64-hex key id that `miniapp keygen` prints. Anything',
    '  else is a warning, since hosts ignore it. A package cannot carry the signature of its own bytes: the signature',
    '  lives outside the signed bytes (see [package-format.md](package-format.md)).',
    '',
    '## Profiles',
    '',
    '- `--profile dev` allows `localhost`, `*.localhost` and `127.0.0.1` in `allowedDomains` for local testing. It is the',
    '  default of the project commands (`validate`, `build`, `serve`) and of `run` on a directory or an unsigned package.',
    '- `--profile release` forbids them (`MANIFEST_RELEASE_FORBIDDEN`) and warns about what store reviewers question:',
    '  a pre-release `version`, a missing `name`.',
    '- **Hosts apply `release`.** Step 6 of the install decision (package-format.md section 3) checks `manifest.json`',
    '  with the release profile; `sign`, `verify`, `inspect`, `install`, `run --pubkey` and `conformance` do the same,',
    '  so a package that passes only the dev profile is refused there with `PACKAGE_MANIFEST_INVALID`',
    '  (`test-vectors/packages/profile-dev-only.zip`).',
    '',
    'Warnings do not fail `validate` unless `--strict` is given; hosts ignore them.',
  ].join('\n')}\n`;
}
