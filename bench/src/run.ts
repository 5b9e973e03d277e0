/**
 * `pnpm --filter @murmur/bench bench`: for each dataset size, load (or reuse) the dataset, start the
 * API, the website and the reference server as child processes, run each HTTP scenario against the
 * service, its single-query reference and the bare ceiling, then the event pipeline with the worker;
 * write bench/results/<timestamp>.md and .json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { ensureDataset, resetWrites, type DatasetInfo } from './dataset.js';
import { measureLoad, type LoadOptions, type RequestSpec } from './load.js';
import { measureOpenLoad } from './open-load.js';
import { parseArguments, type BenchOptions } from './options.js';
import {
  formatPercent,
  growthTable,
  httpTable,
  openFailures,
  referenceRatio,
  pipelineTable,
  type HttpScenarioResult,
  type LoadMeasurement,
  type OpenLoadMeasurement,
  type PipelineResult,
  type SkippedScenario,
} from './report.js';
import { HTTP_SCENARIOS, type HttpScenario } from './scenarios/index.js';
import { runPipeline } from './scenarios/pipeline.js';
import { startReference, startService, type RunningProcess } from './services.js';

const options = parseArguments(process.argv.slice(2), process.env);
const runStarted = new Date();
const stamp = runStarted.toISOString().replace(/[:.]/g, '-');
const logDirectory = join(options.outputDirectory, `${stamp}-logs`);
const log = (message: string) =>
  console.log(`[bench ${((Date.now() - runStarted.getTime()) / 1000).toFixed(1)}s] ${message}`);

async function machineDetails(databaseUrl: string, natsUrl: string) {
  const cpus = os.cpus();
  let postgres = 'unknown';
  let nats = 'unknown';
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    postgres =
      (await client.query<{ version: string }>('select version()')).rows[0]?.version ?? postgres;
  } catch (error) {
    postgres = `unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
  try {
    const nc = await connect({ servers: natsUrl, name: 'murmur-bench' });
    nats = nc.info?.version ?? nats;
    await nc.close();
  } catch (error) {
    nats = `unreachable: ${(error as Error).message}`;
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres,
    nats,
  };
}

function loadOptions(origin: string, requests: RequestSpec[], bench: BenchOptions): LoadOptions {
  return {
    origin,
    requests,
    connections: bench.connections,
    duration: bench.duration,
    warmup: bench.warmup,
    rate: bench.rate,
  };
}

/** The mean response body size of a scenario's requests, for a bare body of the same size. */
async function bodySize(origin: string, requests: RequestSpec[]): Promise<number> {
  let total = 0;
  for (const spec of requests) {
    const response = await fetch(origin + spec.path, {
      method: spec.method ?? 'GET',
      headers: { ...spec.headers, ...spec.vary?.() },
      ...(spec.body ? { body: spec.body() } : {}),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `${spec.method ?? 'GET'} ${spec.path} answered ${response.status}: ${text.slice(0, 200)}`,
      );
    total += Buffer.byteLength(text);
  }
  return Math.round(total / requests.length);
}

interface Running {
  api?: RunningProcess;
  frontend?: RunningProcess;
  reference?: RunningProcess;
}

async function startAll(
  url: string,
  needed: Set<'api' | 'frontend'>,
  skipped: SkippedScenario[],
  size: number,
): Promise<Running> {
  const environment = { databaseUrl: url, natsUrl: options.natsUrl, logLevel: options.logLevel };
  const [api, frontend, reference] = await Promise.allSettled([
    needed.has('api')
      ? startService('api', options.mode, environment, logDirectory)
      : Promise.resolve(undefined),
    needed.has('frontend')
      ? startService('frontend', options.mode, environment, logDirectory)
      : Promise.resolve(undefined),
    startReference(url, logDirectory),
  ]);
  const running: Running = {};
  for (const [name, outcome] of [
    ['api', api],
    ['frontend', frontend],
    ['reference', reference],
  ] as const) {
    if (outcome.status === 'fulfilled') {
      if (outcome.value) running[name] = outcome.value;
      if (outcome.value) log(`${name} ready at ${outcome.value.origin} (${outcome.value.mode})`);
    } else {
      const reason = (outcome.reason as Error).message;
      log(`${name} did not start: ${reason}`);
      skipped.push({ scenario: name, size, reason: `${name} did not start: ${reason}` });
    }
  }
  return running;
}

/** The measurement with the median throughput. */
function medianRun(runs: readonly LoadMeasurement[]): LoadMeasurement {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

interface LoadTarget {
  origin: string;
  requests: RequestSpec[];
}

/**
 * The open phase's offered rate: fixed by --open-rate, else --open-fraction of the service's
 * closed-loop throughput (by default half: latency on a busy server that is not overloaded, which
 * is what users see; near capacity any server's latency is its queue). 0 skips the phase.
 */
function openPhaseRate(serviceRequestsPerSecond: number): number {
  return options.openRate > 0
    ? options.openRate
    : Math.round(options.openFraction * serviceRequestsPerSecond);
}

function openPhaseSetting(): string {
  const rate =
    options.openRate > 0
      ? `${options.openRate} req/s`
      : options.openFraction > 0
        ? `${options.openFraction} × the service's median closed-loop req/s`
        : null;
  return rate
    ? `open phase at ${rate}, evenly spaced, ${options.openDuration} s measured after ${options.warmup} s warm-up`
    : 'open phase skipped';
}

/** The open phase: the service, then the reference, at the same evenly spaced offered rate. */
async function runOpenPhase(
  service: LoadTarget,
  reference: LoadTarget | null,
  ratePerSecond: number,
  afterWrites: (() => Promise<unknown>) | null,
): Promise<HttpScenarioResult['open']> {
  const measure = (target: LoadTarget) =>
    measureOpenLoad({
      ...target,
      connections: options.connections,
      ratePerSecond,
      duration: options.openDuration,
      warmup: options.warmup,
    });
  const serviceRun = await measure(service);
  if (!reference) return { service: serviceRun, reference: null };
  await afterWrites?.();
  return { service: serviceRun, reference: await measure(reference) };
}

function describeOpenRun(run: OpenLoadMeasurement): string {
  return (
    `${run.achievedPerSecond.toFixed(0)}/${run.offeredPerSecond.toFixed(0)} req/s, ` +
    `p50 ${run.latencyP50Ms.toFixed(1)} p99 ${run.latencyP99Ms.toFixed(1)} ms, failed ${openFailures(run)}`
  );
}

async function runHttpScenario(
  scenario: HttpScenario,
  info: DatasetInfo,
  running: Running,
  afterWrites: () => Promise<unknown>,
): Promise<HttpScenarioResult> {
  const target = running[scenario.service];
  if (!target) throw new Error(`services/${scenario.service} is not running`);
  const requests = scenario.requests(info);
  // A read scenario's body size is the bare ceiling's size; a write's is measured after its run.
  const size = scenario.writes ? 0 : await bodySize(target.origin, requests);
  const measureService = () => measureLoad(loadOptions(target.origin, requests, options));
  const referenceTarget =
    scenario.reference && running.reference
      ? { origin: running.reference.origin, requests: scenario.reference(info) }
      : null;
  const measureReference = async () =>
    referenceTarget
      ? measureLoad(loadOptions(referenceTarget.origin, referenceTarget.requests, options))
      : null;
  const services: LoadMeasurement[] = [];
  const references: LoadMeasurement[] = [];
  const rounds: { service: number; reference: number | null }[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Alternating who goes first cancels out a machine that slowly speeds up or slows down.
    let service: LoadMeasurement;
    let reference: LoadMeasurement | null;
    if (round % 2 === 0) {
      service = await measureService();
      if (scenario.writes) await afterWrites();
      reference = await measureReference();
    } else {
      reference = await measureReference();
      if (scenario.writes) await afterWrites();
      service = await measureService();
    }
    if (scenario.writes) await afterWrites();
    services.push(service);
    if (reference) references.push(reference);
    rounds.push({
      service: service.requestsPerSecond,
      reference: reference?.requestsPerSecond ?? null,
    });
  }
  const service = medianRun(services);
  const openRate = openPhaseRate(service.requestsPerSecond);
  const open =
    openRate > 0
      ? await runOpenPhase(
          { origin: target.origin, requests },
          referenceTarget,
          openRate,
          scenario.writes ? afterWrites : null,
        )
      : undefined;
  let bare: LoadMeasurement | null = null;
  if (running.reference) {
    const bytes = size || service.bytesPerResponse;
    bare = await measureLoad(
      loadOptions(running.reference.origin, [{ path: `/bare/${scenario.bare}/${bytes}` }], options),
    );
  }
  return {
    scenario: scenario.id,
    title: scenario.title,
    size: info.statuses,
    service,
    reference: references.length > 0 ? medianRun(references) : null,
    bare,
    rounds,
    open,
  };
}

async function main(): Promise<void> {
  await mkdir(options.outputDirectory, { recursive: true });
  const machine = await machineDetails(options.databaseUrl, options.natsUrl);
  log(
    `${machine.cpuCount} × ${machine.cpuModel}, load ${machine.loadAverageAtStart.join(' ')}, node ${machine.node}`,
  );
  const http: HttpScenarioResult[] = [];
  const pipeline: PipelineResult[] = [];
  const skipped: SkippedScenario[] = [];
  const datasets: {
    size: number;
    reused: boolean;
    loadSeconds: number;
    accounts: number;
    busyAccountStatuses: number;
  }[] = [];

  for (const size of options.sizes) {
    const { url, info, reused } = await ensureDataset({
      baseUrl: options.databaseUrl,
      statuses: size,
      rebuild: options.rebuild,
      log,
    });
    datasets.push({
      size,
      reused,
      loadSeconds: info.loadSeconds,
      accounts: info.accounts,
      busyAccountStatuses: info.busyAccountStatuses,
    });
    log(`dataset ${size}: ${reused ? 'reused' : `loaded in ${info.loadSeconds} s`}`);
    await resetWrites(url, info);

    const scenarios = HTTP_SCENARIOS.filter((s) => options.scenarios.includes(s.id));
    if (scenarios.length > 0) {
      const running = await startAll(url, new Set(scenarios.map((s) => s.service)), skipped, size);
      try {
        for (const scenario of scenarios) {
          if (!running[scenario.service]) {
            skipped.push({
              scenario: scenario.id,
              size,
              reason: `services/${scenario.service} did not start`,
            });
            continue;
          }
          try {
            const result = await runHttpScenario(scenario, info, running, () =>
              resetWrites(url, info),
            );
            http.push(result);
            log(
              `${scenario.title} @${size}: ${result.service.requestsPerSecond.toFixed(0)} req/s, p99 ${result.service.latencyP99Ms.toFixed(0)} ms, ` +
                `ref ${result.reference?.requestsPerSecond.toFixed(0) ?? '–'} req/s, ` +
                `vs ref ${formatPercent(referenceRatio(result))} (rounds ${result.rounds
                  ?.map((r) => `${r.service.toFixed(0)}/${r.reference?.toFixed(0) ?? '–'}`)
                  .join(', ')}), non-2xx ${result.service.non2xx}` +
                (result.open
                  ? `; open ${describeOpenRun(result.open.service)}, ref ${result.open.reference ? describeOpenRun(result.open.reference) : '–'}`
                  : ''),
            );
          } catch (error) {
            log(`${scenario.title} @${size} failed: ${(error as Error).message}`);
            skipped.push({ scenario: scenario.id, size, reason: (error as Error).message });
          } finally {
            if (scenario.writes) await resetWrites(url, info);
          }
        }
      } finally {
        await Promise.all([
          running.api?.stop(),
          running.frontend?.stop(),
          running.reference?.stop(),
        ]);
      }
    }

    if (options.scenarios.includes('pipeline')) {
      try {
        const result = await runPipeline({
          databaseUrl: url,
          natsUrl: options.natsUrl,
          info,
          ratePerSecond: options.pipelineRate,
          durationSeconds: options.pipelineDuration,
          mode: options.mode,
          logLevel: options.logLevel,
          logDirectory,
          referenceMessages: options.smoke ? 1_000 : 20_000,
          log,
        });
        pipeline.push(result);
        log(
          `pipeline @${size}: commit→notification p50 ${result.commitToNotification.p50Ms.toFixed(0)} ms p99 ${result.commitToNotification.p99Ms.toFixed(0)} ms, ` +
            `${result.notificationsSeen}/${result.notificationsExpected} notifications, ${result.emailsSeen} e-mails`,
        );
      } catch (error) {
        log(`pipeline @${size} failed: ${(error as Error).message}`);
        skipped.push({ scenario: 'pipeline', size, reason: (error as Error).message });
      } finally {
        await resetWrites(url, info);
      }
    }
  }

  const finished = new Date();
  const settings =
    `${options.connections} connections, ${options.duration} s measured after ${options.warmup} s warm-up, ` +
    (options.rate > 0
      ? `autocannon overallRate ${options.rate} req/s`
      : 'closed loop (as fast as possible)') +
    `; ${openPhaseSetting()}; pipeline ${options.pipelineRate} statuses/s for ${options.pipelineDuration} s; services from ${options.mode === 'auto' ? 'dist/ when built, else src/' : options.mode}`;
  const markdown = [
    `# Murmur benchmark ${runStarted.toISOString()}`,
    '',
    `Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, load average at start ${machine.loadAverageAtStart.join(' ')}; ` +
      `${machine.platform}; Node ${machine.node}; ${machine.postgres.split(',')[0]}; NATS ${machine.nats}.`,
    '',
    `Settings: ${settings}.${options.smoke ? ' **Smoke run: tiny dataset, numbers are not meaningful.**' : ''}`,
    '',
    '## HTTP scenarios',
    '',
    '"vs ref" is the service\'s throughput as a share of the single-query reference on the same data ' +
      `(the median of ${options.rounds} back-to-back pairs; req/s and latencies are the median runs); ` +
      '"vs bare" as a share of a pre-serialized body of the same size (framework and loopback ceiling). ' +
      '"open" columns: the open phase, requests evenly spaced at the offered "open rate/s" (service, then ' +
      'reference at the same rate), latency measured from each request\'s scheduled time; "open failed" ' +
      'counts its errors, timeouts and non-2xx responses.',
    '',
    http.length > 0 ? httpTable(http) : '_none ran_',
    '',
    ...(growthTable(http) ? ['## Growth with the data', '', growthTable(http), ''] : []),
    '## Event pipeline',
    '',
    pipeline.length > 0 ? pipelineTable(pipeline) : '_did not run_',
    '',
    ...pipeline.filter((p) => p.note).map((p) => `- ${p.size}: ${p.note}`),
    ...(skipped.length > 0
      ? [
          '## Skipped or failed',
          '',
          ...skipped.map((s) => `- ${s.scenario} @ ${s.size}: ${s.reason}`),
          '',
        ]
      : []),
    `Finished in ${Math.round((finished.getTime() - runStarted.getTime()) / 1000)} s. Service logs: ${logDirectory}`,
    '',
  ].join('\n');
  const base = join(options.outputDirectory, stamp);
  await writeFile(`${base}.md`, markdown);
  await writeFile(
    `${base}.json`,
    JSON.stringify(
      {
        startedAt: runStarted,
        finishedAt: finished,
        options: { ...options, outputDirectory: undefined },
        machine,
        datasets,
        http,
        pipeline,
        skipped,
      },
      null,
      2,
    ),
  );
  console.log('\n' + markdown);
  log(`wrote ${base}.md and .json`);
}

await main();
