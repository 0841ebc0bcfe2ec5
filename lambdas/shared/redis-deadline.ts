import type { Cluster, Redis } from "ioredis";

/**
 * A deadline for Redis commands, as ioredis's `commandTimeout` gives one, without its timer per
 * command: created, then cleared and deleted from the command (which leaves the command a
 * dictionary-mode object), that timer cost a read about 9 µs of the environment's CPU, more than
 * anything else but the socket (measured on the stats function's reads).
 *
 * Instead, one unref'd timer per client looks every `checkEveryMs` at the oldest command of each
 * connection: the first one awaiting Redis's reply, else the first one queued while the client
 * is not connected. When the same command is still the oldest a whole `timeoutMs` after it was
 * first seen there, every command of that connection fails with ioredis's own "Command timed out"
 * (Redis answers in order: none behind it can be answered first). So a command fails between
 * `timeoutMs` and `timeoutMs + checkEveryMs` after it became the oldest, never sooner.
 */
export function failStaleCommands(client: Redis | Cluster, timeoutMs: number, checkEveryMs = 1_000): void {
  const oldestSeen = new WeakMap<object, { command: QueuedCommand; since: number }>();
  const check = () => {
    const now = performance.now();
    for (const connection of connectionsOf(client)) {
      const queues = [connection.commandQueue, connection.offlineQueue];
      const oldest = queues[0]?.peekFront()?.command ?? queues[1]?.peekFront()?.command;
      const seen = oldestSeen.get(connection);
      if (!oldest) oldestSeen.delete(connection);
      else if (seen?.command !== oldest) oldestSeen.set(connection, { command: oldest, since: now });
      else if (now - seen.since >= timeoutMs) {
        oldestSeen.delete(connection);
        for (const queue of queues)
          for (const { command } of queue?.toArray() ?? [])
            if (!command.isSettled) command.reject(new Error("Command timed out"));
      }
    }
  };
  const timer = setInterval(check, checkEveryMs);
  timer.unref(); // never what keeps a process alive
  client.once("end", () => clearInterval(timer));
}

/** What ioredis queues: the command of each entry (`reject` settles its promise). */
interface QueuedCommand {
  isSettled: boolean;
  reject(error: Error): void;
}
interface CommandQueue {
  peekFront(): { command: QueuedCommand } | undefined;
  toArray(): { command: QueuedCommand }[];
}
/** A connection's queues, ioredis's own fields (replaced on each reconnect): sent and awaiting a reply, and waiting to be sent. */
interface Connection {
  commandQueue?: CommandQueue;
  offlineQueue?: CommandQueue;
}

/** The client's own connection, or a cluster's (its offline queue) and each node's. */
function connectionsOf(client: Redis | Cluster): Connection[] {
  const clients: unknown[] = client.isCluster ? [client, ...(client as Cluster).nodes("all")] : [client];
  return clients as Connection[];
}
