import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAllowedDomain } from '../src/manifest/domains.js';
import { checkAppId, checkManifestText } from '../src/manifest/check.js';
import { renderManifestDoc } from '../src/manifest/docs.js';
import { parseJsonWithPositions } from '../src/manifest/json.js';

const base = { id: 'com.partner.loans', version: '2.3.1', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['payment'], allowedDomains: ['api.partner.com'] };
const check = (patch: Record<string, unknown>, options = {}) => checkManifestText(JSON.stringify({ ...base, ...patch }), options);
const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);

describe('manifest schema and rules', () => {
  it('accepts a complete valid manifest with optional fields', () => {
    const r = check({ name: 'Loans', description: 'Loans for everyone', icon: 'icon.png', signature: `sha256:${'a'.repeat(64)}`, $schema: './schema.json' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.manifest?.id).toBe('com.partner.loans');
  });

  it.each([
    ['id', 'loans', 'MANIFEST_INVALID_ID'],
    ['id', 'com.Partner.loans', 'MANIFEST_INVALID_ID'],
    ['id', 'com.-partner.loans', 'MANIFEST_INVALID_ID'],
    ['id', 'com..loans', 'MANIFEST_INVALID_ID'],
    ['id', 'com.partner_x.loans', 'MANIFEST_INVALID_ID'],
    ['id', `com.${'a'.repeat(130)}`, 'MANIFEST_INVALID_ID'],
    ['id', 42, 'MANIFEST_INVALID_TYPE'],
    ['version', '1.0', 'MANIFEST_INVALID_VERSION'],
    ['version', 'v1.0.0', 'MANIFEST_INVALID_VERSION'],
    ['version', '01.0.0', 'MANIFEST_INVALID_VERSION'],
    ['minHostVersion', '3', 'MANIFEST_INVALID_VERSION'],
    ['minHostVersion', '99.0.0', 'MANIFEST_HOST_VERSION_UNKNOWN'],
    ['entryPoint', '../index.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', '/index.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', 'a\\index.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', 'C:/index.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', 'a//index.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', 'a/\u0001.html', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['entryPoint', '', 'MANIFEST_INVALID_ENTRY_POINT'],
    ['permissions', ['payment', 'payment'], 'MANIFEST_DUPLICATE_ITEM'],
    ['permissions', ['paymnet'], 'MANIFEST_UNKNOWN_PERMISSION'],
    ['permissions', 'payment', 'MANIFEST_INVALID_TYPE'],
    ['allowedDomains', ['api.partner.com', 'api.partner.com'], 'MANIFEST_DUPLICATE_ITEM'],
    ['allowedDomains', [7], 'MANIFEST_INVALID_TYPE'],
    ['signature', 42, 'MANIFEST_INVALID_TYPE'],
    ['name', '', 'MANIFEST_INVALID_VALUE'],
  ])('%s = %j is %s', (field, value, code) => {
    expect(codes(check({ [field]: value }))).toContain(code);
  });

  it('reports a missing required field with an example', () => {
    const { id: _id, ...rest } = base;
    const r = checkManifestText(JSON.stringify(rest));
    expect(codes(r)).toEqual(['MANIFEST_MISSING_FIELD']);
    expect(r.errors[0]!.hint).toContain('"com.partner.loans"');
  });

  it('suggests the field a typo meant', () => {
    const r = check({ permisions: [] });
    expect(r.errors[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN_FIELD', hint: 'Did you mean "permissions"?', pointer: '/permisions' });
  });

  it('suggests the permission a typo meant', () => {
    expect(check({ permissions: ['geolocaton'] }).errors[0]!.hint).toBe('Did you mean "geolocation"?');
  });

  it('reports every problem at once, ordered by position', () => {
    const r = checkManifestText('{\n  "id": "X",\n  "version": "1",\n  "minHostVersion": "3.0.0",\n  "entryPoint": "../x.html",\n  "permissions": [],\n  "allowedDomains": ["http://a.com"]\n}');
    expect(r.errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['MANIFEST_INVALID_ID', 2, 9],
      ['MANIFEST_INVALID_VERSION', 3, 14],
      ['MANIFEST_INVALID_ENTRY_POINT', 5, 17],
      ['MANIFEST_INVALID_DOMAIN', 7, 22],
    ]);
  });

  it('checks the entry point only when file lookups are given', () => {
    expect(check({}).errors).toEqual([]);
    expect(codes(check({}, { fileExists: () => false }))).toEqual(['MANIFEST_ENTRY_POINT_MISSING']);
    expect(check({}, { fileExists: (p: string) => p === 'index.html' }).errors).toEqual([]);
  });

  it('newestHostVersion is configurable', () => {
    expect(codes(check({ minHostVersion: '3.9.0' }))).toEqual(['MANIFEST_HOST_VERSION_UNKNOWN']);
    expect(check({ minHostVersion: '3.9.0' }, { newestHostVersion: '4.0.0' }).errors).toEqual([]);
  });

  it('release profile forbids loopback and warns about pre-releases and a missing name', () => {
    const r = check({ version: '1.0.0-beta.1', allowedDomains: ['localhost', 'dev.localhost', '127.0.0.1'] }, { profile: 'release' });
    expect(codes(r)).toEqual(['MANIFEST_RELEASE_FORBIDDEN', 'MANIFEST_RELEASE_FORBIDDEN', 'MANIFEST_RELEASE_FORBIDDEN']);
    expect(r.warnings.map((w) => w.pointer).sort()).toEqual(['', '/version']);
  });

  it('a "__proto__" key is an unknown field and never pollutes prototypes', () => {
    const r = checkManifestText(`{"__proto__":{"polluted":true},${JSON.stringify(base).slice(1)}`);
    expect(codes(r)).toEqual(['MANIFEST_UNKNOWN_FIELD']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe('allowedDomains', () => {
  it.each([
    ['api.partner.com', undefined],
    ['*.partner.com', undefined],
    ['xn--bcher-kva.example', undefined],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['https://api.x.com', 'drop the scheme: "api.x.com"'],
    ['api.x.com/v1', 'drop the path: "api.x.com"'],
    ['api.x.com:8443', 'drop the port (hosts always use HTTPS on 443): "api.x.com"'],
    ['user@api.x.com', 'keep only the host: "api.x.com"'],
    ['api.x.com.', 'drop the trailing dot: "api.x.com"'],
    ['API.x.com', 'use lowercase: "api.x.com"'],
    ['bücher.example', 'give the IDN in punycode: "xn--bcher-kva.example"'],
    ['*', 'List the hosts the app talks to, or "*.partner.com" for your own subdomains.'],
    ['*.com', 'Use your own domain, e.g. "*.partner.com".'],
    ['*.co.uk', 'Use your own domain, e.g. "*.partner.com".'],
    ['*.github.io', 'Use your own domain, e.g. "*.partner.com".'],
    ['api.*.com', 'Wildcards may only be written as "*.host".'],
    ['10.0.0.1', 'Use a host name; IP addresses are not allowed (127.0.0.1 only with --profile dev).'],
    ['[::1]', 'Use a host name; IP addresses are not allowed.'],
    ['intranet', 'Write the full host name, e.g. "intranet.partner.com".'],
    ['-bad.com', 'Labels are 1-63 lowercase letters, digits and inner hyphens.'],
  ])('%s', (value, fix) => {
    const problem = checkAllowedDomain(value, 'dev');
    expect(problem?.fix).toBe(fix);
  });

  it('release profile refuses loopback hosts', () => {
    expect(checkAllowedDomain('localhost', 'release')?.code).toBe('MANIFEST_RELEASE_FORBIDDEN');
    expect(checkAllowedDomain('127.0.0.1', 'release')?.code).toBe('MANIFEST_RELEASE_FORBIDDEN');
  });
});

describe('app id rule shared with init', () => {
  it('accepts reverse-DNS and explains the rest', () => {
    expect(checkAppId('com.partner.loans')).toBeUndefined();
    expect(checkAppId('Com.Partner')?.hint).toBe('Use lowercase: "com.partner".');
    expect(checkAppId('loans')?.reason).toContain('at least two');
  });
});

describe('JSON parser with positions', () => {
  it('matches JSON.parse on valid documents', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"x\\u0041\\n"],"b":{"c":{}},"d":[]}';
    expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
  });

  it.each(['{', '{"a":1,}', '[1,]', "{'a':1}", '{"a":1} x', '{"a":01}', '"\u0001"', '{"a" 1}', 'tru', '{"a":"\\x"}'])('refuses %j with a position', (text) => {
    const r = parseJsonWithPositions(text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ code: 'MANIFEST_SYNTAX', line: 1 });
  });

  it('reports duplicate keys with both lines', () => {
    const r = parseJsonWithPositions('{\n"a": 1,\n"a": 2\n}');
    expect(r.diagnostics[0]).toMatchObject({ code: 'MANIFEST_DUPLICATE_KEY', line: 3, column: 1 });
    expect(r.diagnostics[0]!.message).toContain('line 2');
  });

  it('stops deep nesting without exhausting the stack', () => {
    const r = parseJsonWithPositions('['.repeat(100_000));
    expect(r.diagnostics[0]!.code).toBe('MANIFEST_TOO_DEEP');
  });
});

describe('docs/manifest.md', () => {
  it('is generated from the schema (run `npm run docs` to update)', () => {
    expect(readFileSync(new URL('../docs/manifest.md', import.meta.url), 'utf8')).toBe(renderManifestDoc());
  });
});
