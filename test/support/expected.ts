import type { GeneratedOrder } from "../../lambdas/core/generator";

/**
 * The figures a set of generated orders must produce, computed independently of the consumer:
 * from what the generator says it built, with its own cents arithmetic.
 */

export interface ExpectedUser {
  orderCount: number;
  spendCents: number;
  failedOrderCount: number;
}

export interface ExpectedFigures {
  totalOrders: number;
  revenueCents: number;
  failedOrders: number;
  failedByReason: Record<string, number>;
  users: Map<string, ExpectedUser>;
  months: Map<string, { totalOrders: number; revenueCents: number; failedOrders: number }>;
}

export function expectedFigures(orders: readonly GeneratedOrder[], malformedCount = 0): ExpectedFigures {
  const figures: ExpectedFigures = {
    totalOrders: 0,
    revenueCents: 0,
    failedOrders: malformedCount,
    failedByReason: malformedCount > 0 ? { malformed: malformedCount } : {},
    users: new Map(),
    months: new Map(),
  };
  const userOf = (id: string) =>
    getOrCreate(figures.users, id, () => ({ orderCount: 0, spendCents: 0, failedOrderCount: 0 }));
  for (const { order, brokenRule } of orders) {
    const month = order.order_timestamp.slice(0, 7);
    const monthFigures = getOrCreate(figures.months, month, () => ({
      totalOrders: 0,
      revenueCents: 0,
      failedOrders: 0,
    }));
    if (brokenRule === undefined) {
      const cents = Math.round(order.order_value * 100);
      figures.totalOrders++;
      figures.revenueCents += cents;
      monthFigures.totalOrders++;
      monthFigures.revenueCents += cents;
      const user = userOf(order.user_id);
      user.orderCount++;
      user.spendCents += cents;
    } else {
      figures.failedOrders++;
      figures.failedByReason[brokenRule] = (figures.failedByReason[brokenRule] ?? 0) + 1;
      monthFigures.failedOrders++;
      if (brokenRule !== "invalid_user_id") userOf(order.user_id).failedOrderCount++;
    }
  }
  return figures;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** `GET /stats/global` as it must answer for these figures (no duplicates, no corrections). */
export function expectedGlobalStats(figures: ExpectedFigures) {
  return {
    total_orders: figures.totalOrders,
    total_revenue: figures.revenueCents / 100,
    failed_orders: figures.failedOrders,
    duplicates: 0,
    corrected_orders: 0,
    failed_by_reason: figures.failedByReason,
  };
}

/** `GET /users/{user_id}/stats` as it must answer for this user's figures. */
export function expectedUserStats(userId: string, user: ExpectedUser) {
  return {
    user_id: userId,
    order_count: user.orderCount,
    total_spend: user.spendCents / 100,
    failed_order_count: user.failedOrderCount,
  };
}
