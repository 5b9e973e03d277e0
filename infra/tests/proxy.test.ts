/**
 * The production proxies route exactly the API's path prefixes to the API, like the dev proxy
 * (`API_PATH_PREFIXES`), and everything else to the website.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATH_PREFIXES } from '@murmur/devkit/proxy';
import { describe, expect, it } from 'vitest';
import { asList, asMap, readRepoFile, readYamlDocuments } from './_helpers.js';

const CADDYFILE = 'infra/proxy/Caddyfile';

/** The Caddy path patterns that match what `isApiPath` matches: `/api` and `/api/…`. */
const expectedCaddyPaths = API_PATH_PREFIXES.flatMap((prefix) => [
  prefix.slice(0, -1),
  `${prefix}*`,
]).sort();

/** The body of the `{ … }` block opened on the line that starts with `header`. */
function block(text: string, header: string): string {
  const start = text.split('\n').findIndex((line) => line.trim().startsWith(header));
  if (start < 0) throw new Error(`no block "${header}"`);
  const lines = text.split('\n').slice(start);
  let depth = 0;
  const body: string[] = [];
  for (const line of lines) {
    const uncommented = line.replace(/#.*$/, '');
    depth += (uncommented.match(/\{/g) ?? []).length - (uncommented.match(/\}/g) ?? []).length;
    body.push(line);
    if (depth === 0) break;
  }
  return body.join('\n');
}

describe('Caddyfile', () => {
  const caddyfile = readRepoFile(CADDYFILE);

  it('names exactly the API path prefixes in the @api matcher', () => {
    const matcher = caddyfile.split('\n').find((line) => line.trim().startsWith('@api path '));
    expect(matcher).toBeDefined();
    const paths = matcher!.trim().split(/\s+/).slice(2).sort();
    expect(paths).toEqual(expectedCaddyPaths);
  });

  it('sends @api to the api replicas and everything else to the frontend replicas', () => {
    const site = block(caddyfile, '{$SITE_ADDRESS');
    expect(block(site.split('\n').slice(1).join('\n'), 'handle @api')).toMatch(
      /dynamic a api 3001/,
    );
    const fallback = block(site.split('\n').slice(1).join('\n'), 'handle {');
    expect(fallback).toMatch(/dynamic a frontend 3002/);
    expect(fallback).not.toMatch(/\bapi\b.*3001/);
  });

  it('keeps streaming connections open across a reload (stream_close_delay in the API route)', () => {
    const site = block(caddyfile, '{$SITE_ADDRESS');
    expect(block(site.split('\n').slice(1).join('\n'), 'handle @api')).toMatch(
      /stream_close_delay \d+m/,
    );
    // /api/v1/streaming is under /api: the @api matcher (checked above) sends upgrades to the API.
    expect(expectedCaddyPaths).toContain('/api/*');
    // The website's live pages relay event streams too (`/live/…`).
    expect(block(site.split('\n').slice(1).join('\n'), 'handle {')).toMatch(
      /stream_close_delay \d+m/,
    );
  });

  it('does not trust client-supplied forwarding headers', () => {
    // Without trusted_proxies, Caddy replaces X-Forwarded-For with the client's address.
    expect(caddyfile.replace(/#.*$/gm, '')).not.toMatch(/trusted_proxies/);
  });

  const caddyVersion = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  const caddy = caddyVersion.status === 0;

  it.skipIf(!caddy)('adapts (caddy adapt) to routes that match the API prefixes first', () => {
    // The image pins Caddy 2.10; Debian 12 ships 2.6, which predates `stream_close_delay` (2.7).
    // On an older Caddy the routes are still checked, without that one directive.
    const [major = 0, minor = 0] = (/v?(\d+)\.(\d+)/.exec(caddyVersion.stdout) ?? [])
      .slice(1)
      .map(Number);
    const knowsStreamCloseDelay = major > 2 || (major === 2 && minor >= 7);
    const directory = mkdtempSync(join(tmpdir(), 'murmur-caddy-'));
    const config = join(directory, 'Caddyfile');
    const text = readRepoFile(CADDYFILE);
    writeFileSync(
      config,
      knowsStreamCloseDelay ? text : text.replace(/^\s*stream_close_delay .*\n/gm, ''),
    );
    let json: string;
    try {
      json = execFileSync('caddy', ['adapt', '--config', config, '--adapter', 'caddyfile'], {
        env: { ...process.env, SITE_ADDRESS: ':80' },
        encoding: 'utf8',
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const servers = asMap(asMap(asMap(JSON.parse(json), 'config').apps, 'apps').http, 'http')
      .servers as Record<
      string,
      { listen: string[]; routes: { match?: { path: string[] }[]; handle: unknown[] }[] }
    >;
    const site = Object.values(servers).find((server) => server.listen.includes(':80'))!;
    const [apiRoute, fallback] = site.routes;
    expect(apiRoute!.match![0]!.path.slice().sort()).toEqual(expectedCaddyPaths);
    expect(JSON.stringify(apiRoute!.handle)).toContain('"name":"api","port":"3001"');
    expect(fallback!.match).toBeUndefined();
    expect(JSON.stringify(fallback!.handle)).toContain('"name":"frontend","port":"3002"');
  });
});

describe('Kubernetes Ingress', () => {
  const ingress = readYamlDocuments('infra/k8s/ingress.yaml').find(
    (doc) => doc.kind === 'Ingress',
  )!;
  const rules = asList(asMap(ingress.spec, 'spec').rules);
  const paths = rules.flatMap((rule) =>
    asList(asMap(asMap(rule, 'rule').http, 'http').paths).map((path) => {
      const entry = asMap(path, 'path');
      const service = asMap(asMap(entry.backend, 'backend').service, 'service');
      return {
        path: entry.path as string,
        pathType: entry.pathType as string,
        service: service.name as string,
        port: asMap(service.port, 'port').number as number,
      };
    }),
  );

  it('routes every API path prefix to the api Service, matching whole segments', () => {
    for (const prefix of API_PATH_PREFIXES) {
      expect(paths, prefix).toContainEqual({
        path: prefix.slice(0, -1),
        pathType: 'Prefix',
        service: 'api',
        port: 3001,
      });
    }
  });

  it('keeps streaming connections (WebSocket, event streams) open and unbuffered', () => {
    const annotations = asMap(asMap(ingress.metadata, 'metadata').annotations, 'annotations');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThan(
      60,
    );
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThan(
      60,
    );
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    // The streaming path is under /api, which goes to the api Service.
    expect(paths).toContainEqual({ path: '/api', pathType: 'Prefix', service: 'api', port: 3001 });
  });

  it('routes / to the frontend and nothing else to the api', () => {
    expect(paths).toContainEqual({
      path: '/',
      pathType: 'Prefix',
      service: 'frontend',
      port: 3002,
    });
    const apiPaths = paths.filter((path) => path.service === 'api').map((path) => `${path.path}/`);
    expect(apiPaths.sort()).toEqual([...API_PATH_PREFIXES].sort());
    expect(paths).toHaveLength(API_PATH_PREFIXES.length + 1);
  });
});

describe('NATS cluster configuration', () => {
  const nodes = [1, 2, 3].map((n) => ({
    n,
    text: readRepoFile(`infra/nats/cluster/nats-${n}.conf`),
  }));

  it('gives three nodes distinct names, one cluster, routes to the two others, and fsync always', () => {
    const names = nodes.map(({ text }) => /^server_name:\s*(\S+)/m.exec(text)?.[1]);
    expect(new Set(names).size).toBe(3);
    for (const { n, text } of nodes) {
      expect(text).toMatch(/jetstream\s*\{[^}]*sync_interval:\s*always/);
      expect(text).toMatch(/cluster\s*\{[^}]*name:\s*murmur/);
      const routes = [...text.matchAll(/nats:\/\/nats-(\d):6222/g)].map((match) =>
        Number(match[1]),
      );
      expect(routes.sort()).toEqual([1, 2, 3].filter((other) => other !== n));
    }
  });

  const natsServer = spawnSync('nats-server', ['--version']).status === 0;

  it.skipIf(!natsServer)(
    'is accepted by nats-server -t (minus sync_interval, which the local 2.9 lacks)',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'murmur-nats-'));
      try {
        for (const path of ['infra/nats/nats.conf', 'infra/nats/cluster/nats-1.conf']) {
          const file = join(directory, 'nats.conf');
          writeFileSync(file, readRepoFile(path).replace(/^\s*sync_interval:.*$/m, ''));
          execFileSync('nats-server', ['-c', file, '-t'], { stdio: 'pipe' });
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});
