/** Command-line flags of `pnpm bench`. */

export const SCENARIO_IDS = [
  'public',
  'home',
  'account',
  'thread',
  'create',
  'favourite',
  'website',
  'pipeline',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface BenchOptions {
  sizes: number[];
  /** Seconds of measurement per run. */
  duration: number;
  /** Seconds of warm-up before each measurement (not recorded). */
  warmup: number;
  /** Service/reference measurement pairs per HTTP scenario. */
  rounds: number;
  connections: number;
  /** autocannon `overallRate`: requests per second across connections, sent in bursts each second; 0 = closed loop. */
  rate: number;
  /**
   * Open phase after each HTTP scenario's closed-loop rounds: evenly spaced requests offered at this
   * share of the service's median closed-loop throughput, to the service and then the reference.
   * 0 skips the phase (unless `openRate` is set).
   */
  openFraction: number;
  /** A fixed offered rate (requests/s) for the open phase instead of `openFraction`; 0 = use the fraction. */
  openRate: number;
  /** Seconds measured in the open phase (after `warmup`). */
  openDuration: number;
  scenarios: ScenarioId[];
  /** Statuses per second created in the pipeline scenario. */
  pipelineRate: number;
  /** Seconds the pipeline scenario creates statuses for. */
  pipelineDuration: number;
  /** `compiled` runs services/<svc>/dist/server.js, `source` runs src/server.ts through tsx, `auto` prefers compiled. */
  mode: 'auto' | 'compiled' | 'source';
  databaseUrl: string;
  natsUrl: string;
  rebuild: boolean;
  smoke: boolean;
  logLevel: string;
  outputDirectory: string;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function positiveNumber(flag: string, value: string | undefined, allowZero = false): number {
  const number = Number(value);
  if (
    value === undefined ||
    !Number.isFinite(number) ||
    number < 0 ||
    (!allowZero && number === 0)
  ) {
    throw new Error(
      `${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number, got "${value ?? ''}"`,
    );
  }
  return number;
}

export const USAGE = `Usage: pnpm --filter @murmur/bench bench [flags]
  --sizes 10000,100000,1000000   statuses per dataset (one database each, reused when present)
  --duration 10                  seconds measured per run
  --warmup 3                     seconds of warm-up before each run
  --rounds 3                     service/reference pairs per scenario (medians are reported)
  --connections 50               concurrent connections
  --rate 0                       autocannon overallRate: requests/s across all connections, metered in
                                 per-connection bursts each second (0 = as fast as possible)
  --open-fraction 0.5            open phase after each HTTP scenario: evenly spaced requests at this share
                                 of the service's median closed-loop req/s, service then reference
                                 (0 = skip the open phase)
  --open-rate 0                  open phase at this many requests/s instead (0 = use --open-fraction)
  --open-duration <--duration>   seconds measured in the open phase (smoke: 0.5)
  --scenarios public,home,account,thread,create,website,pipeline
  --pipeline-rate 200            statuses/s in the pipeline scenario
  --pipeline-duration 10         seconds of status creation in the pipeline scenario
  --mode auto|compiled|source    run services from dist/ or from src/ through tsx (auto: dist when built)
  --rebuild                      reload the datasets even when they exist
  --smoke                        tiny dataset (2,000 statuses), 2 s per run: checks that everything works
Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_NATS_URL (nats://127.0.0.1:4222)`;

export function parseArguments(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): BenchOptions {
  const smoke = argv.includes('--smoke');
  const options: BenchOptions = {
    sizes: smoke ? [2_000] : [10_000, 100_000, 1_000_000],
    duration: smoke ? 2 : 10,
    warmup: smoke ? 0.25 : 3,
    rounds: smoke ? 1 : 3,
    connections: 50,
    rate: 0,
    openFraction: 0.5,
    openRate: 0,
    openDuration: 0,
    scenarios: [...SCENARIO_IDS],
    pipelineRate: 200,
    pipelineDuration: smoke ? 2 : 10,
    mode: 'auto',
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    natsUrl: env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
    rebuild: false,
    smoke,
    logLevel: env.BENCH_LOG_LEVEL ?? 'warn',
    outputDirectory: new URL('../results/', import.meta.url).pathname,
  };
  // Its default follows --duration, wherever that flag stands.
  let openDuration: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const take = () => {
      i++;
      return value;
    };
    switch (flag) {
      case '--smoke':
        break;
      case '--rebuild':
        options.rebuild = true;
        break;
      case '--sizes':
        options.sizes = list(take() ?? '').map((s) => positiveNumber('--sizes', s));
        break;
      case '--rounds':
        options.rounds = Math.trunc(positiveNumber(flag, take()));
        break;
      case '--duration':
        options.duration = positiveNumber(flag, take());
        break;
      case '--warmup':
        options.warmup = positiveNumber(flag, take(), true);
        break;
      case '--connections':
        options.connections = positiveNumber(flag, take());
        break;
      case '--rate':
        options.rate = positiveNumber(flag, take(), true);
        break;
      case '--open-fraction':
        options.openFraction = positiveNumber(flag, take(), true);
        break;
      case '--open-rate':
        options.openRate = positiveNumber(flag, take(), true);
        break;
      case '--open-duration':
        openDuration = positiveNumber(flag, take());
        break;
      case '--pipeline-rate':
        options.pipelineRate = positiveNumber(flag, take());
        break;
      case '--pipeline-duration':
        options.pipelineDuration = positiveNumber(flag, take());
        break;
      case '--scenarios': {
        const wanted = list(take() ?? '');
        const unknown = wanted.filter((s) => !(SCENARIO_IDS as readonly string[]).includes(s));
        if (unknown.length > 0)
          throw new Error(
            `unknown scenarios: ${unknown.join(', ')} (known: ${SCENARIO_IDS.join(', ')})`,
          );
        options.scenarios = wanted as ScenarioId[];
        break;
      }
      case '--mode': {
        const mode = take();
        if (mode !== 'auto' && mode !== 'compiled' && mode !== 'source')
          throw new Error(`--mode must be auto, compiled or source`);
        options.mode = mode;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  options.openDuration = openDuration ?? (smoke ? 0.5 : options.duration);
  return options;
}
