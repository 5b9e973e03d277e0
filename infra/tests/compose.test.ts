import { describe, expect, it } from 'vitest';
import {
  asList,
  asMap,
  readRepoFile,
  readYaml,
  requiredVariables,
  secretVariables,
  SERVICE_PORTS,
  SERVICES,
  serviceVariables,
  type YamlMap,
} from './_helpers.js';

const compose = readYaml('docker-compose.yml');
const services = asMap(compose.services, 'services');

function service(name: string): YamlMap {
  return asMap(services[name], `service ${name}`);
}

function environment(name: string): Record<string, string> {
  const env = service(name).environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => String(entry).split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
  }
  return Object.fromEntries(
    Object.entries(asMap(env ?? {}, `${name}.environment`)).map(([k, v]) => [k, String(v)]),
  );
}

function dependsOn(name: string): Record<string, string | undefined> {
  const deps = asMap(service(name).depends_on ?? {}, `${name}.depends_on`);
  return Object.fromEntries(
    Object.entries(deps).map(([dependency, options]) => [
      dependency,
      asMap(options, dependency).condition as string | undefined,
    ]),
  );
}

const LONG_RUNNING = ['postgres', 'nats', 'mailpit', 'api', 'worker', 'frontend', 'proxy'];

describe('docker-compose.yml', () => {
  it('runs the whole system: stores, SMTP sink, migrations, the three services and the proxy', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'frontend', 'mailpit', 'migrate', 'nats', 'postgres', 'proxy', 'worker'].sort(),
    );
  });

  it('gives every long-running service a health check', () => {
    for (const name of LONG_RUNNING) {
      const test = asList(asMap(service(name).healthcheck, `${name}.healthcheck`).test);
      expect(test.length, name).toBeGreaterThan(1);
    }
  });

  it("checks each Node service's /healthz on the port it listens on", () => {
    for (const name of SERVICES) {
      const { variable, port } = SERVICE_PORTS[name];
      expect(environment(name)[variable]).toBe(String(port));
      expect(asList(asMap(service(name).healthcheck, name).test).join(' ')).toContain(
        `127.0.0.1:${port}/healthz`,
      );
    }
  });

  it('starts the services only after PostgreSQL is healthy and the migrations succeeded', () => {
    for (const name of SERVICES) {
      expect(dependsOn(name), name).toMatchObject({
        postgres: 'service_healthy',
        migrate: 'service_completed_successfully',
      });
    }
    expect(dependsOn('worker')).toMatchObject({
      nats: 'service_healthy',
      mailpit: 'service_healthy',
    });
    expect(dependsOn('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('proxy')).toEqual({ api: 'service_healthy', frontend: 'service_healthy' });
  });

  it('runs the migrations once with the api image and the compiled migration CLI', () => {
    const migrate = service('migrate');
    expect(migrate.restart).toBe('no');
    expect(migrate.image).toBe(service('api').image);
    expect(migrate.build).toEqual(service('api').build);
    expect(asList(migrate.command)).toEqual([
      'node',
      'node_modules/@murmur/db/dist/migrate-cli.js',
    ]);
    expect(readRepoFile('packages/db/src/migrate-cli.ts')).toContain('migrateDatabase');
    // dist/migrate.js finds the SQL at ../drizzle, which `pnpm deploy` copies with the package.
    expect(readRepoFile('packages/db/src/migrate.ts')).toContain(
      "new URL('../drizzle', import.meta.url)",
    );
  });

  it('lets api, worker and frontend scale: no container_name, no fixed host ports', () => {
    for (const name of SERVICES) {
      expect(service(name).container_name, name).toBeUndefined();
      expect(service(name).ports, name).toBeUndefined();
      expect(service(name).build, name).toMatchObject({
        context: '.',
        dockerfile: `services/${name}/Dockerfile`,
      });
    }
  });

  it('publishes only the proxy (the one public origin) and the Mailpit UI', () => {
    const published = Object.keys(services).filter((name) => service(name).ports !== undefined);
    expect(published.sort()).toEqual(['mailpit', 'proxy']);
  });

  it('pins nats-server ≥ 2.12 with JetStream and a config that fsyncs every write', () => {
    const nats = service('nats');
    const match = /^nats:(\d+)\.(\d+)(?:\.\d+)?-alpine$/.exec(String(nats.image));
    expect(match, String(nats.image)).not.toBeNull();
    const [major, minor] = [Number(match![1]), Number(match![2])];
    expect(major > 2 || (major === 2 && minor >= 12)).toBe(true);
    expect(asList(nats.command)).toEqual(['-js', '-c', '/etc/nats/nats.conf']);
    expect(asList(nats.volumes)).toContain('./infra/nats/nats.conf:/etc/nats/nats.conf:ro');
    expect(readRepoFile('infra/nats/nats.conf')).toMatch(
      /jetstream\s*\{[^}]*sync_interval:\s*always/,
    );
  });

  it('runs PostgreSQL with fsync, synchronous commit, full page writes, data checksums and checkpoints spaced for the fan-out', () => {
    const postgres = service('postgres');
    expect(Number(/^postgres:(\d+)/.exec(String(postgres.image))?.[1])).toBeGreaterThanOrEqual(17);
    const command = asList(postgres.command).join(' ');
    for (const setting of ['fsync=on', 'synchronous_commit=on', 'full_page_writes=on']) {
      expect(command).toContain(setting);
    }
    expect(environment('postgres').POSTGRES_INITDB_ARGS).toContain('--data-checksums');
    // Checkpoints rare enough for the fan-out's WAL, and its full-page images compressed.
    for (const setting of ['max_wal_size=8GB', 'checkpoint_timeout=15min', 'wal_compression=lz4']) {
      expect(command).toContain(setting);
    }
    expect(
      asList(postgres.volumes).some((volume) => String(volume).startsWith('postgres-data:')),
    ).toBe(true);
  });

  it('sets on each service only variables its config.ts reads, and every required one', async () => {
    for (const name of SERVICES) {
      const specs = await serviceVariables(name);
      const set = Object.keys(environment(name));
      expect(
        set.filter((variable) => !(variable in specs)),
        `unknown to services/${name}`,
      ).toEqual([]);
      expect(
        requiredVariables(specs).filter((variable) => !set.includes(variable)),
        name,
      ).toEqual([]);
    }
  });

  it('takes every secret from the environment and refuses to start without it', async () => {
    for (const name of SERVICES) {
      const env = environment(name);
      for (const secret of secretVariables(await serviceVariables(name))) {
        expect(env[secret], `${name}.${secret}`).toMatch(new RegExp(`^\\$\\{${secret}:\\?`));
      }
      expect(env.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    }
  });

  it('points the services at the compose network, not at loopback', () => {
    for (const name of SERVICES) {
      expect(environment(name).HOST).toBe('0.0.0.0');
      expect(environment(name).DATABASE_URL).toMatch(/@postgres:5432\/murmur$/);
    }
    expect(environment('worker').NATS_URL).toBe('nats://nats:4222');
    expect(environment('frontend').API_INTERNAL_URL).toBe('http://api:3001');
  });

  it('trusts X-Forwarded-* only from the compose network the proxy is on', () => {
    const subnet = asList(
      asMap(asMap(asMap(compose.networks, 'networks').murmur, 'murmur').ipam, 'ipam').config,
    );
    expect(environment('api').TRUST_PROXY).toBe(String(asMap(subnet[0], 'subnet').subnet));
  });
});

describe('.env.example', () => {
  const example = readRepoFile('.env.example');
  const documented = new Set(
    [...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!),
  );

  it('documents every variable of every service', async () => {
    for (const name of SERVICES) {
      const missing = Object.keys(await serviceVariables(name)).filter(
        (variable) => !documented.has(variable),
      );
      expect(missing, name).toEqual([]);
    }
  });

  it('documents every variable docker-compose.yml interpolates', () => {
    const yamlWithoutComments = readRepoFile('docker-compose.yml')
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    const interpolated = new Set(
      [...yamlWithoutComments.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
    );
    expect([...interpolated].filter((variable) => !documented.has(variable))).toEqual([]);
  });

  it('leaves the secrets empty', () => {
    for (const secret of [
      'POSTGRES_PASSWORD',
      'WEB_CLIENT_SECRET',
      'API_COOKIE_SECRET',
      'UNSUBSCRIBE_SECRET',
    ]) {
      expect(example).toMatch(new RegExp(`^${secret}=$`, 'm'));
    }
  });
});

/**
 * The rows of the table under "## Configuration" in a Markdown file: the variables each row names
 * in its first column (in backticks; `S3_*` names every variable with that prefix) and its cells.
 */
function configurationRows(path: string): { names: string[]; cells: string[] }[] {
  const markdown = readRepoFile(path);
  const start = markdown.indexOf('\n## Configuration\n');
  if (start < 0) throw new Error(`${path} has no "## Configuration" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim());
      return { names: [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map((m) => m[1]!), cells };
    });
}

function covers(names: readonly string[], variable: string): boolean {
  return names.some((name) =>
    name.endsWith('*') ? variable.startsWith(name.slice(0, -1)) : name === variable,
  );
}

describe('the configuration tables', () => {
  it("README.md's lists every variable of every service, with the services that read it", async () => {
    const readers = new Map<string, string[]>();
    for (const name of SERVICES) {
      for (const variable of Object.keys(await serviceVariables(name))) {
        readers.set(variable, [...(readers.get(variable) ?? []), name].sort());
      }
    }
    const listed = Object.fromEntries(
      configurationRows('README.md').flatMap(({ names, cells }) => {
        const usedBy = cells[2] === 'all' ? [...SERVICES] : cells[2]!.split(/,\s*/);
        return names.map((name) => [name, usedBy.sort()]);
      }),
    );
    expect(listed).toEqual(Object.fromEntries(readers));
  });

  it("each service's README lists every variable the service reads", async () => {
    const missing: Record<string, string[]> = {};
    for (const name of SERVICES) {
      const listed = configurationRows(`services/${name}/README.md`).flatMap((row) => row.names);
      missing[name] = Object.keys(await serviceVariables(name)).filter(
        (variable) => !covers(listed, variable),
      );
    }
    expect(missing).toEqual(Object.fromEntries(SERVICES.map((name) => [name, []])));
  });
});
