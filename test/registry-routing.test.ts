import { describe, expect, it } from 'vitest';
import type { Route } from '../src/registry/routes.js';
import { matchRoute } from '../src/registry/server.js';

describe('matching a request to a route', () => {
  const handler = async () => undefined;
  const routes: Route[] = [
    ['GET', /^\/a$/, handler],
    ['POST', /^\/a$/, handler],
    ['GET', /^\/apps\/([^/]+)(?:\/([^/]+))?$/, handler],
  ];

  it('answers HEAD as GET and decodes the path’s groups, leaving an absent one undefined', () => {
    const m = matchRoute(routes, 'HEAD', '/apps/com.x%2Fy');
    expect('refusal' in m).toBe(false);
    if ('refusal' in m) return;
    expect(m.handler).toBe(handler);
    expect(m.parts).toEqual(['com.x/y', undefined]);
  });

  it('refuses a method the path does not take with 400 and the methods it does take', () => {
    const m = matchRoute(routes, 'DELETE', '/a');
    if (!('refusal' in m)) throw new Error('expected a refusal');
    expect(m.refusal.code).toBe('REGISTRY_BAD_REQUEST');
    expect(m.refusal.message).toContain('DELETE');
    expect(m.allow).toBe('GET, POST');
  });

  it('refuses a path no route has as REGISTRY_NOT_FOUND, naming it', () => {
    const m = matchRoute(routes, 'GET', '/nowhere');
    if (!('refusal' in m)) throw new Error('expected a refusal');
    expect(m.refusal.code).toBe('REGISTRY_NOT_FOUND');
    expect(m.refusal.message).toContain('/nowhere');
    expect(m.allow).toBe('');
  });
});
