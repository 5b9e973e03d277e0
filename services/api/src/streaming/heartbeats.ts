/**
 * Heartbeats spread over their interval. Every connection gets one per interval (a ping on a
 * WebSocket, which also finds clients that stopped answering; a comment line on an event stream),
 * but not all in the same turn of the event loop: with 10,000 sockets, one burst of 10,000 writes
 * held the process for about a second at each interval, and every event arriving meanwhile waited
 * behind it. Each connection is given one of HEARTBEAT_SLICES slots when it opens, and each tick
 * (interval ÷ slices) beats one slot: the same work, in slices, and a connection's beats stay
 * exactly one interval apart (a pong has the whole interval to come back).
 *
 * A hundred and fifty slices (a tick every 100 ms with Mastodon's 15 s): with fifteen, each tick
 * wrote to 667 of 10,000 sockets and held the event loop about 40 ms under load at 100 posts/s
 * (a CPU profile, bench README, session 11), long enough to show in the events' p99; a slice of 67
 * is a few milliseconds. Each slot keeps its own connections, so a tick touches only its slice.
 */
import type { LiveConnection } from './connections.js';
import type { StreamingHub } from './hub.js';

export const HEARTBEAT_SLICES = 150;

export class HeartbeatSchedule {
  readonly #slots: Set<LiveConnection>[] = Array.from(
    { length: HEARTBEAT_SLICES },
    () => new Set(),
  );
  #nextSlot = 0;
  #tick = 0;

  constructor(private readonly hub: StreamingHub) {}

  add(connection: LiveConnection): void {
    this.#slots[this.#nextSlot]!.add(connection);
    this.#nextSlot = (this.#nextSlot + 1) % HEARTBEAT_SLICES;
  }

  /** Beats the connections of the next slot (call every interval ÷ HEARTBEAT_SLICES). */
  tick(): void {
    const slot = this.#slots[this.#tick]!;
    this.#tick = (this.#tick + 1) % HEARTBEAT_SLICES;
    // A connection that left the hub is forgotten at its slot's next turn; one a beat ends
    // leaves the hub then. Deleting from a Set while iterating it is safe.
    for (const connection of slot) {
      if (this.hub.connections.has(connection)) connection.heartbeat();
      else slot.delete(connection);
    }
  }
}
