import { describe, expect, it } from 'vitest';
import {
  asList,
  asMap,
  listFiles,
  readYaml,
  readYamlDocuments,
  requiredVariables,
  secretVariables,
  SERVICE_PORTS,
  SERVICES,
  serviceVariables,
  type ServiceName,
  type YamlMap,
} from './_helpers.js';

const K8S = 'infra/k8s';
const manifestFiles = listFiles(K8S, '.yaml').filter((name) => name !== 'kustomization.yaml');
const documents = manifestFiles.flatMap((file) =>
  readYamlDocuments(`${K8S}/${file}`).map((doc) => ({ file, doc })),
);
const applied = documents
  .filter(({ file }) => file !== 'secret.example.yaml')
  .map(({ doc }) => doc);

function named(kind: string, name: string): YamlMap {
  const found = applied.find(
    (doc) => doc.kind === kind && asMap(doc.metadata, 'metadata').name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function podSpec(workload: YamlMap): YamlMap {
  return asMap(asMap(asMap(workload.spec, 'spec').template, 'template').spec, 'pod spec');
}

function container(workload: YamlMap): YamlMap {
  return asMap(asList(podSpec(workload).containers)[0], 'container');
}

const secretExample = documents.find(({ file }) => file === 'secret.example.yaml')!.doc;
const secretKeys = Object.keys(asMap(secretExample.stringData, 'stringData'));

/** Where each environment variable of a container comes from. */
function containerEnvironment(workload: YamlMap): Map<string, 'config' | 'secret' | 'literal'> {
  const sources = new Map<string, 'config' | 'secret' | 'literal'>();
  const spec = container(workload);
  for (const from of asList(spec.envFrom)) {
    const ref = asMap(from, 'envFrom');
    if (ref.configMapRef) {
      const name = asMap(ref.configMapRef, 'configMapRef').name as string;
      for (const key of Object.keys(asMap(named('ConfigMap', name).data, 'data')))
        sources.set(key, 'config');
    } else {
      throw new Error('only ConfigMaps are loaded whole; secrets are referenced one by one');
    }
  }
  for (const entry of asList(spec.env)) {
    const env = asMap(entry, 'env');
    const secretRef = env.valueFrom ? asMap(env.valueFrom, 'valueFrom').secretKeyRef : undefined;
    if (secretRef) {
      expect(secretKeys, `secret key of ${String(env.name)}`).toContain(
        asMap(secretRef, 'secretKeyRef').key,
      );
    }
    sources.set(env.name as string, secretRef ? 'secret' : 'literal');
  }
  return sources;
}

describe('Kubernetes manifests', () => {
  it('parse, and every document has apiVersion, kind and metadata.name', () => {
    expect(documents.length).toBeGreaterThan(10);
    for (const { file, doc } of documents) {
      expect(doc.apiVersion, file).toEqual(expect.any(String));
      expect(doc.kind, file).toEqual(expect.any(String));
      expect(asMap(doc.metadata, `${file} metadata`).name, file).toEqual(expect.any(String));
    }
  });

  it('are all listed in kustomization.yaml, except the Secret template', () => {
    const kustomization = readYaml(`${K8S}/kustomization.yaml`);
    expect(asList(kustomization.resources).slice().sort()).toEqual(
      manifestFiles.filter((file) => file !== 'secret.example.yaml'),
    );
  });

  it('never use a :latest or untagged image', () => {
    const images = JSON.stringify(applied).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(3);
    for (const image of images) expect(image).toMatch(/"image":"[^":]+:(?!latest")[^"]+"/);
  });

  describe.each(SERVICES)('the %s Deployment', (service: ServiceName) => {
    const deployment = named('Deployment', service);
    const spec = container(deployment);
    const { variable, port } = SERVICE_PORTS[service];

    it('runs the service image as a non-root user', () => {
      expect(spec.image).toMatch(new RegExp(`^murmur/${service}:`));
      expect(asMap(podSpec(deployment).securityContext, 'securityContext')).toMatchObject({
        runAsNonRoot: true,
      });
    });

    it('is ready on /readyz, alive on /healthz, on the port it listens on', () => {
      expect(asMap(spec.readinessProbe, 'readinessProbe').httpGet).toEqual({
        path: '/readyz',
        port: 'http',
      });
      expect(asMap(spec.livenessProbe, 'livenessProbe').httpGet).toEqual({
        path: '/healthz',
        port: 'http',
      });
      expect(asList(spec.ports)).toContainEqual({ name: 'http', containerPort: port });
      expect(asMap(named('ConfigMap', `${service}-config`).data, 'data')[variable]).toBe(
        String(port),
      );
    });

    it('requests CPU and memory and is capped in memory', () => {
      const resources = asMap(spec.resources, 'resources');
      expect(asMap(resources.requests, 'requests')).toMatchObject({
        cpu: expect.anything(),
        memory: expect.anything(),
      });
      expect(asMap(resources.limits, 'limits').memory).toBeDefined();
    });

    it('sets only variables the service reads, every required one, and secrets from the Secret', async () => {
      const specs = await serviceVariables(service);
      const env = containerEnvironment(deployment);
      expect([...env.keys()].filter((name) => !(name in specs))).toEqual([]);
      expect(requiredVariables(specs).filter((name) => !env.has(name))).toEqual([]);
      for (const secret of [...secretVariables(specs), 'DATABASE_URL']) {
        expect(env.get(secret), secret).toBe('secret');
      }
      expect(env.get('HOST')).toBe('config');
    });

    it('is reached through a Service on its port', () => {
      const serviceSpec = asMap(named('Service', service).spec, 'spec');
      expect(serviceSpec.selector).toEqual(
        asMap(asMap(deployment.spec, 'spec').selector, 'selector').matchLabels,
      );
      expect(asList(serviceSpec.ports)).toContainEqual({ name: 'http', port, targetPort: 'http' });
    });
  });

  it('autoscales api and frontend, and every HPA targets an existing Deployment', () => {
    const hpas = applied.filter((doc) => doc.kind === 'HorizontalPodAutoscaler');
    const targets = hpas.map((hpa) =>
      asMap(asMap(hpa.spec, 'spec').scaleTargetRef, 'scaleTargetRef'),
    );
    expect(targets.map((target) => target.name).sort()).toEqual(['api', 'frontend']);
    for (const target of targets) {
      expect(target.kind).toBe('Deployment');
      expect(() => named('Deployment', target.name as string)).not.toThrow();
    }
  });

  it('runs the migrations as a Job with the api image and only DATABASE_URL', () => {
    const job = named('Job', 'murmur-migrate');
    const spec = container(job);
    expect(String(spec.image)).toMatch(/^murmur\/api:/);
    expect(asList(spec.command)).toEqual(['node', 'node_modules/@murmur/db/dist/migrate-cli.js']);
    expect([...containerEnvironment(job).entries()]).toEqual([['DATABASE_URL', 'secret']]);
  });

  it('runs NATS as a three-node JetStream cluster that fsyncs every write', () => {
    const statefulSet = named('StatefulSet', 'nats');
    const spec = asMap(statefulSet.spec, 'spec');
    expect(spec.replicas).toBe(3);
    const headless = asMap(named('Service', spec.serviceName as string).spec, 'headless spec');
    expect(headless.clusterIP).toBe('None');
    const config = String(asMap(named('ConfigMap', 'nats-config').data, 'data')['nats.conf']);
    expect(config).toMatch(/jetstream\s*\{[^}]*sync_interval:\s*always/);
    const routes = [...config.matchAll(/nats:\/\/(nats-\d)\.nats-headless\./g)].map(
      (match) => match[1],
    );
    expect(routes).toEqual(['nats-0', 'nats-1', 'nats-2']);
    const natsImage = /^nats:(\d+)\.(\d+)/.exec(String(container(statefulSet).image));
    expect(Number(natsImage![1]) * 1000 + Number(natsImage![2])).toBeGreaterThanOrEqual(2012);
    const workerNats = String(asMap(named('ConfigMap', 'worker-config').data, 'data').NATS_URL);
    expect(workerNats.split(',')).toHaveLength(3);
  });

  it('keeps PostgreSQL outside (managed) behind stable names, with a read replica in the Secret', () => {
    expect(asMap(named('Service', 'postgres').spec, 'spec').type).toBe('ExternalName');
    expect(secretKeys).toEqual(expect.arrayContaining(['DATABASE_URL', 'DATABASE_READ_URL']));
  });
});
