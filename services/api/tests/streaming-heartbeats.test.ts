/**
 * Heartbeats go out in slices over their interval (a burst of one write per socket held the API
 * for about a second with 10,000 sockets, and the events arriving meanwhile waited), yet every
 * connection still gets exactly one per interval, one interval apart, whatever opens or closes.
 */
import { expect, it } from 'vitest';
import type { LiveConnection } from '../src/streaming/connections.js';
import { HEARTBEAT_SLICES, HeartbeatSchedule } from '../src/streaming/heartbeats.js';
import { StreamingHub } from '../src/streaming/hub.js';

function connection(id: number, beats: number[][]): LiveConnection {
  return {
    identity: { tokenId: String(id), viewerId: null, scopes: [], ip: '127.0.0.1' },
    subscriptions: new Map(),
    send() {},
    close() {},
    heartbeat() {
      beats[id]!.push(tick);
    },
  };
}

let tick = 0;

it('beats each connection once per interval, a slice of them per tick, one interval apart', () => {
  const hub = new StreamingHub({ perToken: 1_000, perIp: 1_000 });
  const schedule = new HeartbeatSchedule(hub);
  const count = HEARTBEAT_SLICES * 20;
  const beats: number[][] = Array.from({ length: count + 1 }, () => []);
  const connections = Array.from({ length: count }, (_, i) => connection(i, beats));
  for (const each of connections) {
    hub.add(each);
    schedule.add(each);
  }
  const perTick: number[] = [];
  for (tick = 0; tick < HEARTBEAT_SLICES * 3; tick++) {
    const before = beats.flat().length;
    schedule.tick();
    perTick.push(beats.flat().length - before);
    // One closes mid-way.
    if (tick === HEARTBEAT_SLICES) hub.remove(connections[0]!);
  }
  // Never all at once: a slice per tick.
  expect(Math.max(...perTick)).toBeLessThanOrEqual(Math.ceil(count / HEARTBEAT_SLICES));
  for (let i = 1; i < count; i++) {
    expect(beats[i]).toHaveLength(3);
    expect(beats[i]![1]! - beats[i]![0]!).toBe(HEARTBEAT_SLICES);
    expect(beats[i]![2]! - beats[i]![1]!).toBe(HEARTBEAT_SLICES);
  }
  // The closed connection is not beaten again.
  expect(beats[0]!.length).toBeLessThanOrEqual(2);
});
