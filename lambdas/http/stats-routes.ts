import type { QueueDepth } from "../adapters/sqs-queue";
import type { AnalyticsStore, TotalsStats } from "../core/analytics-store";
import { NotFoundError, ServiceUnavailableError } from "../shared/http-errors";
import { HttpReply } from "../shared/routing";
import type { HandlersOf } from "./routes";
import { logView, monthView, rankingsView, totalsView, userStatsView } from "./views";

/** The read side of the API: every stats query, the consumer log and health. */

export interface StatsDeps {
  store: AnalyticsStore;
  /** Depth of the order queue and of its dead-letter queue; throws when they are unreachable. */
  queueDepths: () => Promise<{ queue: QueueDepth; deadLetterQueue: QueueDepth }>;
}

/** How long a health check waits for each dependency. */
const HEALTH_TIMEOUT_MS = 2_000;

export function statsHandlers(deps: StatsDeps): HandlersOf<"stats"> {
  const { store } = deps;
  return {
    async getConsumerLogs({ query }) {
      // The store reads newest first; the original answered the latest lines oldest first.
      const logs = (await store.latestLogs(query.limit)).reverse();
      return { total_logs: logs.length, logs: logs.map(logView) };
    },

    async getRankings({ query }) {
      return rankingsView(await store.rankings(query.limit));
    },

    async getUserStats({ params }) {
      const stats = await store.userStats(params.user_id);
      if (!stats) throw new NotFoundError(`user ${params.user_id} has no orders`);
      return userStatsView(params.user_id, stats);
    },

    async getGlobalStats() {
      return totalsView(await store.globalStats());
    },

    async getMonthlyStats({ params, query }) {
      const stats = await store.monthStats(params.month, query.limit);
      if (!stats) throw new NotFoundError(`no data for month ${params.month}`);
      return monthView(stats);
    },

    async getMonths() {
      return { months: await store.months() };
    },

    async getMonthTotals({ query }) {
      const months = (await store.months()).slice(-query.limit);
      const totals = await store.monthTotals(months);
      return { months: months.map((month, i) => ({ month, ...totalsView(totals[i] as TotalsStats) })) };
    },

    getQueueStats: () => queueStats(deps),
    getHealth: () => health(deps),
  };
}

async function queueStats(deps: StatsDeps) {
  const depths = await deps.queueDepths().catch(() => {
    throw new ServiceUnavailableError("the queues cannot be reached");
  });
  const view = (depth: QueueDepth) => ({ messages: depth.messages, in_flight: depth.inFlight });
  return { queue: view(depths.queue), dead_letter_queue: view(depths.deadLetterQueue) };
}

/** Redis and the queue, each within HEALTH_TIMEOUT_MS: 200 when both answer, else 503 saying which did not. */
async function health(deps: StatsDeps) {
  const [redis, queue] = await Promise.all([
    timed(() => deps.store.ping()),
    timed(async () => (await deps.queueDepths()).queue.messages),
  ]);
  const body = {
    status: redis.ok && queue.ok ? ("ok" as const) : ("degraded" as const),
    checks: {
      redis: { ok: redis.ok, latency_ms: redis.latencyMs },
      queue: {
        ok: queue.ok,
        latency_ms: queue.latencyMs,
        ...(queue.ok ? { approximate_messages: queue.value } : {}),
      },
    },
  };
  return body.status === "ok" ? body : new HttpReply(503, body);
}

/** Runs a check with a time limit; never throws. */
async function timed<T>(check: () => Promise<T>): Promise<{ ok: boolean; value?: T; latencyMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), HEALTH_TIMEOUT_MS);
  });
  try {
    const value = await Promise.race([check(), timeout]);
    return { ok: value !== false, value, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
