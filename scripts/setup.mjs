#!/usr/bin/env node
// First step of `npm start` and `npm test`: check Node and install the workspace's dependencies with
// the pinned pnpm when they are missing or out of date. Plain JavaScript, no dependencies: it runs
// before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).packageManager.split('@')[1];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node.js 20.19 or newer is needed; this is ${process.versions.node}.`);
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
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
