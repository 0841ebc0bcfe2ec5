import type { DeadLetter, deadLetterAccess } from "../adapters/dead-letters";
import type { RebuildProgress } from "../adapters/rebuild-state";
import { RebuildRunningError } from "../adapters/redis-store";
import type { OrderArchive } from "../adapters/s3-archive";
import type { AnalyticsStore } from "../core/analytics-store";
import { ConflictError, ServiceUnavailableError } from "../shared/http-errors";
import { type StartRebuildDeps, startRebuild } from "../workflows/rebuild-from-archive";
import type { HandlersOf } from "./routes";

/**
 * Maintenance (the admin token is checked before any of this runs): clearing, the dead letters,
 * and rebuilding the figures from the archive.
 */

export interface AdminDeps {
  store: AnalyticsStore;
  deadLetters: ReturnType<typeof deadLetterAccess>;
  /** The archive and the rebuild; absent when the deployment has no archive. */
  rebuild?: StartRebuildDeps & { archive: Pick<OrderArchive, "markCleared" | "startAfter"> };
}

export function adminHandlers(deps: AdminDeps): HandlersOf<"admin"> {
  const unreachable = () => {
    throw new ServiceUnavailableError("the dead-letter queue cannot be reached");
  };
  const rebuildDeps = () => {
    if (!deps.rebuild)
      throw new ServiceUnavailableError("this deployment has no order archive to rebuild from");
    return deps.rebuild;
  };
  return {
    async clearData() {
      const deleted = await deps.store.clear().catch((error: unknown) => {
        if (error instanceof RebuildRunningError) throw new ConflictError(error.message);
        throw error;
      });
      // Noted after the keys are gone: a rebuild replays only what came after the latest clear.
      await deps.rebuild?.archive.markCleared().catch(() => {
        throw new ServiceUnavailableError(
          "the figures are cleared, but the archive could not note it (a rebuild would bring them back): clear again",
        );
      });
      return { message: "Redis database cleared", deleted_keys: deleted };
    },

    async getDeadLetters({ query }) {
      const [letters, total] = await Promise.all([
        deps.deadLetters.read(query.limit),
        deps.deadLetters.count(),
      ]).catch(unreachable);
      return { approximate_total: total, dead_letters: letters.map(deadLetterView) };
    },

    async redriveDeadLetters() {
      return await deps.deadLetters.redrive().catch(unreachable);
    },

    async startRebuild({ query }) {
      const result = await startRebuild(rebuildDeps(), Date.now(), { force: query.force === "true" });
      if (!result.started) {
        throw new ConflictError("a rebuild is already running", [
          `rebuild ${result.progress.id}: ${result.progress.objectsRead} objects, ${result.progress.ordersRead} orders read so far (GET /admin/rebuild)`,
        ]);
      }
      return rebuildView(result.progress);
    },

    async getRebuild() {
      return rebuildView(await rebuildDeps().state.progress());
    },
  };
}

function deadLetterView(letter: DeadLetter) {
  return {
    message_id: letter.messageId,
    source_message_id: letter.sourceMessageId,
    reason: letter.reason,
    details: letter.details,
    ...(letter.orderId === undefined ? {} : { order_id: letter.orderId }),
    receive_count: letter.receiveCount,
    sent_at: letter.sentAt,
    body: letter.body,
  };
}

function rebuildView(progress: RebuildProgress | undefined) {
  if (!progress) {
    return {
      status: "idle" as const,
      objects_read: 0,
      orders_read: 0,
      objects_skipped: 0,
      objects_unauthenticated: 0,
      lines_skipped: 0,
      orders_per_second: 0,
      judged_differently: 0,
      invocations: 0,
    };
  }
  return {
    status: progress.status,
    id: progress.id,
    generation: progress.generation,
    started_at: new Date(progress.startedAt).toISOString(),
    ...(progress.finishedAt ? { finished_at: new Date(progress.finishedAt).toISOString() } : {}),
    objects_read: progress.objectsRead,
    orders_read: progress.ordersRead,
    objects_skipped: progress.objectsSkipped,
    objects_unauthenticated: progress.objectsUnauthenticated,
    lines_skipped: progress.linesSkipped,
    orders_per_second:
      progress.workingMs > 0 ? Math.round((progress.ordersRead / progress.workingMs) * 1000) : 0,
    judged_differently: progress.judgedDifferently,
    invocations: progress.invocations,
    ...(progress.liveOrders === undefined ? {} : { live_orders: progress.liveOrders }),
    ...(progress.rebuiltOrders === undefined ? {} : { rebuilt_orders: progress.rebuiltOrders }),
    ...(progress.error ? { error: progress.error } : {}),
  };
}
