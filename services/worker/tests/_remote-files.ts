/**
 * A worker that fetches other servers' files (remote attachments, avatars), on its own database
 * and stream, storing media in a temporary folder, and a "remote server" on loopback that answers
 * with `serve` and records the paths it was asked for. Loopback is allowed to the worker's safe
 * fetch; other private addresses stay refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database } from '@murmur/db';
import { createTestDatabase, type TestDatabase } from '@murmur/db/testing';
import { testTopology } from '@murmur/events/testing';
import { LocalStorage } from '@murmur/media';
import { startWorker, testConfig, type RunningWorker } from './_helpers.js';

/** A file the remote server answers with; no `contentType`: none sent. */
export interface RemoteFile {
  status: number;
  contentType?: string;
  body?: Buffer | string;
}

export interface RemoteFilesWorker {
  database: Database;
  storage: LocalStorage;
  /** The remote server's origin (`http://127.0.0.1:port`). */
  filesOrigin: string;
  /** Paths the remote server was asked for. */
  fetched: string[];
  close(): Promise<void>;
}

export async function startRemoteFilesWorker(
  serve: (path: string) => RemoteFile,
): Promise<RemoteFilesWorker> {
  const topology = testTopology();
  const testDb: TestDatabase = await createTestDatabase({ poolSize: 10 });
  const directory = await mkdtemp(join(tmpdir(), 'murmur-worker-remote-files-'));
  const fetched: string[] = [];
  const files: Server = createServer((request, response) => {
    fetched.push(request.url ?? '');
    const file = serve(request.url ?? '');
    const headers = file.contentType ? { 'content-type': file.contentType } : {};
    response.writeHead(file.status, headers).end(file.body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const config = testConfig({
    databaseUrl: testDb.url,
    topology,
    overrides: {
      mediaStorage: { kind: 'local', directory },
      allowedPrivateAddresses: ['127.0.0.0/8'],
    },
  });
  const running: RunningWorker = await startWorker(config, testDb.database);
  return {
    database: testDb.database,
    storage: new LocalStorage(directory),
    filesOrigin,
    fetched,
    async close() {
      await running.dispose(topology);
      await testDb.destroy();
      files.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
