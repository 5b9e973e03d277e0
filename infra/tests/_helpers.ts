/**
 * Shared reading of the deployment files and of the services' configuration tables. The tests are
 * pure file checks: nothing is started, so they run without Docker or Kubernetes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VariableSpec } from '@murmur/service-kit';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const INFRA = join(REPO_ROOT, 'infra');

export const SERVICES = ['api', 'worker', 'frontend'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The port variable and its value for each service (README's table). */
export const SERVICE_PORTS: Record<ServiceName, { variable: string; port: number }> = {
  api: { variable: 'API_PORT', port: 3001 },
  frontend: { variable: 'FRONTEND_PORT', port: 3002 },
  worker: { variable: 'WORKER_PORT', port: 3003 },
};

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

export type YamlMap = Record<string, unknown>;

/** One YAML document; `<<` merge keys resolved as docker compose does. */
export function readYaml(path: string): YamlMap {
  return parse(readRepoFile(path), { merge: true }) as YamlMap;
}

/** Every document of a multi-document YAML file; throws on any syntax error. */
export function readYamlDocuments(path: string): YamlMap[] {
  return parseAllDocuments(readRepoFile(path)).flatMap((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${path}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    const value = document.toJS() as YamlMap | null;
    return value === null ? [] : [value];
  });
}

export function listFiles(directory: string, extension: string): string[] {
  return readdirSync(join(REPO_ROOT, directory))
    .filter((name) => name.endsWith(extension))
    .sort();
}

export function asMap(value: unknown, what: string): YamlMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`);
  }
  return value as YamlMap;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The variables a service reads: the `*_VARIABLES` table its src/config.ts exports and hands to
 * `readEnvironment`. Imported rather than parsed, so defaults and optionality are exact.
 */
export async function serviceVariables(
  service: ServiceName,
): Promise<Record<string, VariableSpec>> {
  const url = pathToFileURL(join(REPO_ROOT, 'services', service, 'src/config.ts')).href;
  const module = (await import(url)) as Record<string, unknown>;
  const tables = Object.entries(module).filter(([name]) => name.endsWith('_VARIABLES'));
  if (tables.length !== 1) {
    throw new Error(
      `services/${service}/src/config.ts should export one *_VARIABLES table, found ${tables.length}`,
    );
  }
  return tables[0]![1] as Record<string, VariableSpec>;
}

/** Variables without a default that are not optional: the service refuses to start without them. */
export function requiredVariables(specs: Record<string, VariableSpec>): string[] {
  return Object.entries(specs)
    .filter(([, spec]) => spec.default === undefined && !spec.optional)
    .map(([name]) => name);
}

export function secretVariables(specs: Record<string, VariableSpec>): string[] {
  return Object.entries(specs)
    .filter(([, spec]) => spec.kind === 'secret')
    .map(([name]) => name);
}
