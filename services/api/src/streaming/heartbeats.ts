/**
 * Heartbeats spread over their interval. Every connection gets one per interval (a ping on a
 * WebSocket, which also finds clients that stopped answering; a comment line on an event stream),
 * but not all in the same turn of the event loop: with 10,000 sockets, one burst of 10,000 writes
 * held the process for about a second at each interval (a third of the API's socket-write time
 * in a profile under load), and every event arriving meanwhile waited behind it. Each connection
 * is given one of HEARTBEAT_SLICES slots when it opens, and each tick (interval ÷ slices) beats
 * one slot: the same work, in slices, and a connection's beats stay exactly one interval apart
 * (a pong has the whole interval to come back).
 */
import type { LiveConnection } from './connections.js';
import type { StreamingHub } from './hub.js';

export const HEARTBEAT_SLICES = 15;

export class HeartbeatSchedule {
  readonly #slotOf = new WeakMap<LiveConnection, number>();
  #nextSlot = 0;
  #tick = 0;

  constructor(private readonly hub: StreamingHub) {}

  add(connection: LiveConnection): void {
    this.#slotOf.set(connection, this.#nextSlot);
    this.#nextSlot = (this.#nextSlot + 1) % HEARTBEAT_SLICES;
  }

  /** Beats the connections of the next slot (call every interval ÷ HEARTBEAT_SLICES). */
  tick(): void {
    const slot = this.#tick;
    this.#tick = (this.#tick + 1) % HEARTBEAT_SLICES;
    // A connection a beat ends leaves the set; iterating a Set while deleting from it is safe.
    for (const connection of this.hub.connections) {
      const live = connection as LiveConnection;
      if (this.#slotOf.get(live) === slot) live.heartbeat();
    }
  }
}
