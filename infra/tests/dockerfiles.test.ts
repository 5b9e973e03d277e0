import { describe, expect, it } from 'vitest';
import {
  readRepoFile,
  SERVICE_PORTS,
  SERVICES,
  serviceVariables,
  type ServiceName,
} from './_helpers.js';

interface Stage {
  from: string;
  name: string | undefined;
  /** Instructions with continuation lines joined, comments dropped. */
  instructions: string[];
}

function stages(dockerfile: string): Stage[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction);
    if (from) result.push({ from: from[1]!, name: from[2], instructions: [] });
    else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

const DEPENDENCY_INSTALL = /\b(pnpm (install|i|add)|npm (install|i|ci)|yarn)\b/;

describe.each(SERVICES)('services/%s/Dockerfile', (service: ServiceName) => {
  const dockerfile = readRepoFile(`services/${service}/Dockerfile`);
  const all = stages(dockerfile);
  const runtime = all.at(-1)!;
  const text = (stage: Stage) => stage.instructions.join('\n');

  it('is multi-stage: prune, build and a separate runtime stage', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(text(all.find((stage) => stage.name === 'prune')!)).toContain(
      `turbo prune @murmur/${service} --docker`,
    );
  });

  it('installs with the pruned lockfile, builds the service with its dependencies, deploys production dependencies', () => {
    const build = text(all.find((stage) => stage.name === 'build')!);
    expect(build).toMatch(/COPY --from=prune \/repo\/out\/json\//);
    expect(build).toMatch(/pnpm install --frozen-lockfile/);
    expect(build).toContain(`turbo run build --filter=@murmur/${service}...`);
    expect(build).toMatch(
      new RegExp(`pnpm deploy --legacy --filter=@murmur/${service} --prod .* /app`),
    );
    // pnpm comes from the registry at the workspace's version, not from corepack.
    expect(text(all[0]!)).toContain('npm install -g pnpm@10.34.8');
    expect(JSON.parse(readRepoFile('package.json')).packageManager).toBe('pnpm@10.34.8');
  });

  it('runs compiled JavaScript on glibc Node 24 as a non-root user, with no dependency install', () => {
    // The image's Node major is the one the workspace pins for development and CI (.nvmrc and the
    // node-linux-* binaries in the root package.json), so what is tested is what ships.
    const manifest = JSON.parse(readRepoFile('package.json'));
    const pinned = Object.entries(manifest.optionalDependencies as Record<string, string>)
      .filter(([name]) => name.startsWith('node-linux-'))
      .map(([, version]) => version.split('.')[0]);
    expect(new Set(pinned)).toEqual(new Set(['24']));
    expect(readRepoFile('.nvmrc').trim()).toBe('24');
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:24-bookworm-slim/);
    expect(runtime.from).toBe('${NODE_IMAGE}');
    expect(runtime.instructions.some((line) => DEPENDENCY_INSTALL.test(line))).toBe(false);
    expect(runtime.instructions).toContain('COPY --from=build /app ./');
    const user = runtime.instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBe('USER node');
    expect(runtime.instructions.at(-1)).toBe('CMD ["node", "dist/server.js"]');
  });

  it('listens on all interfaces on its port, and checks /healthz there', async () => {
    const { variable, port } = SERVICE_PORTS[service];
    const env = runtime.instructions.find((line) => line.startsWith('ENV '))!;
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain(`${variable}=${port}`);
    expect(env).toContain('NODE_ENV=production');
    const specs = await serviceVariables(service);
    for (const assignment of env.slice(4).split(/\s+/)) {
      expect(specs, assignment).toHaveProperty(assignment.split('=')[0]!);
    }
    const healthcheck = runtime.instructions.find((line) => line.startsWith('HEALTHCHECK'));
    expect(healthcheck).toContain(`process.env.${variable} + '/healthz'`);
    expect(runtime.instructions).toContain(`EXPOSE ${port}`);
  });
});

describe('the three Dockerfiles', () => {
  it('share their base, prune and build stages word for word apart from the service name', () => {
    const shared = SERVICES.map((service) =>
      stages(readRepoFile(`services/${service}/Dockerfile`))
        .slice(0, -1)
        .map((stage) =>
          [stage.from, stage.name, ...stage.instructions]
            .join('\n')
            .replaceAll(service, '<service>'),
        )
        .join('\n'),
    );
    expect(shared[1]).toBe(shared[0]);
    expect(shared[2]).toBe(shared[0]);
  });
});

describe('.dockerignore', () => {
  const ignored = readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps local installs, build output and secrets out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '**/.turbo', '.env', '.git']),
    );
  });
});
