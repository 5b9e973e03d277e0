/** Loads (or reuses) benchmark datasets without running any scenario: `pnpm dataset --sizes 10000`. */
import { parseArguments } from './options.js';
import { ensureDataset } from './dataset.js';

const options = parseArguments(process.argv.slice(2), process.env);
for (const statuses of options.sizes) {
  const started = performance.now();
  const { url, info, reused } = await ensureDataset({
    baseUrl: options.databaseUrl,
    statuses,
    rebuild: options.rebuild,
    log: (message) => console.log(`[dataset ${statuses}] ${message}`),
  });
  console.log(
    `${reused ? 'reused' : 'loaded'} ${new URL(url).pathname.slice(1)}: ${info.statuses} statuses, ${info.accounts} accounts ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
