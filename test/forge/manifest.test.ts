/**
 * The Forge manifest cannot be deployed from here; this checks what can be
 * checked: its structure, and that it points at the gateway's share endpoint
 * with the tokens the gateway relies on.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const manifestSchema = z.object({
  app: z.object({ id: z.string().regex(/^ari:cloud:ecosystem::app\/[0-9a-f-]{36}$/), runtime: z.object({ name: z.string().regex(/^nodejs\d+\.x$/) }) }),
  modules: z.object({
    'confluence:contentAction': z.array(z.object({ key: z.string(), title: z.string(), resource: z.string(), resolver: z.object({ endpoint: z.string() }) })).min(1),
    endpoint: z.array(
      z.object({
        key: z.string(),
        remote: z.string(),
        route: z.object({ path: z.string() }),
        auth: z.object({ appUserToken: z.object({ enabled: z.boolean() }) }),
      }),
    ),
  }),
  remotes: z.array(z.object({ key: z.string(), baseUrl: z.url(), operations: z.array(z.string()) })),
  resources: z.array(z.object({ key: z.string(), path: z.string() })),
  permissions: z.object({ scopes: z.array(z.string()) }),
});

describe('forge/manifest.yml', () => {
  const manifest = manifestSchema.parse(parse(readFileSync('forge/manifest.yml', 'utf8')));

  it('has an "Email this page" content action whose endpoint, remote and resource exist', () => {
    const action = manifest.modules['confluence:contentAction'][0]!;
    expect(action.title).toBe('Email this page');
    const endpoint = manifest.modules.endpoint.find((candidate) => candidate.key === action.resolver.endpoint);
    expect(endpoint).toBeDefined();
    expect(manifest.remotes.map((remote) => remote.key)).toContain(endpoint!.remote);
    expect(manifest.resources.map((resource) => resource.key)).toContain(action.resource);
    const resource = manifest.resources.find((candidate) => candidate.key === action.resource)!;
    expect(readFileSync(`forge/${resource.path}/index.html`, 'utf8')).toContain('bundle.js');
  });

  it('calls the gateway route that shares, with the user token the view check needs', () => {
    const endpoint = manifest.modules.endpoint[0]!;
    expect(endpoint.route.path).toBe('/share');
    expect(endpoint.auth.appUserToken.enabled).toBe(true);
    expect(manifest.permissions.scopes).toEqual(expect.arrayContaining(['read:app-user-token', 'read:page:confluence']));
    const remote = manifest.remotes.find((candidate) => candidate.key === endpoint.remote)!;
    expect(new URL(remote.baseUrl).protocol).toBe('https:');
    expect(readFileSync('forge/static/email-this-page/index.js', 'utf8')).toMatch(/invokeRemote\(\{ path: '\/share', method: 'POST'/);
  });
});
