import type { ConsumerLogEntry, MonthStats, Rankings, TotalsStats, UserStats } from "../core/analytics-store";
import { fromCents } from "../core/money";
import { seedLogMessage, seedLogTimestamp } from "./log-messages";

/**
 * The store's figures as the API shows them: the seed's field names, money as numbers with at
 * most two decimals (cents are an internal unit).
 */

export function userStatsView(userId: string, stats: UserStats) {
  return {
    user_id: userId,
    order_count: stats.orderCount,
    total_spend: fromCents(stats.spendCents),
    failed_order_count: stats.failedOrderCount,
  };
}

export function totalsView(totals: TotalsStats) {
  return {
    total_orders: totals.totalOrders,
    total_revenue: fromCents(totals.revenueCents),
    failed_orders: totals.failedOrders,
    duplicates: totals.duplicates,
    corrected_orders: totals.correctedOrders,
    failed_by_reason: totals.failedByReason,
  };
}

export function monthView(stats: MonthStats) {
  return {
    month: stats.month,
    ...totalsView(stats),
    user_count: stats.userCount,
    user_stats: stats.users.map((user) => userStatsView(user.userId, user)),
  };
}

export function rankingsView(rankings: Rankings) {
  return {
    total_spend_ranking: rankings.bySpend.map((r, index) => ({
      position: index + 1,
      user_id: r.userId,
      total_spend: fromCents(r.spendCents),
    })),
    total_order_count_ranking: rankings.byOrderCount.map((r, index) => ({
      position: index + 1,
      user_id: r.userId,
      total_order_count: r.orderCount,
    })),
  };
}

/** One consumer log entry: the original's `timestamp` and `message` line, then the structured fields. */
export function logView(entry: ConsumerLogEntry) {
  const recordedAtMs = Number(entry.id.split("-")[0]);
  return {
    timestamp: seedLogTimestamp(recordedAtMs),
    message: seedLogMessage(entry),
    recorded_at: new Date(recordedAtMs).toISOString(),
    status: entry.outcome,
    ...entry.details,
  };
}
