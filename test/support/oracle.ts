import type { GeneratedOrder } from "../../lambdas/core/generator";
import type { OrderMessage } from "../../lambdas/core/order";

/**
 * The seed's rules written again, independently of lambdas/core, so tests can predict what the
 * consumer must do with orders they did not build themselves (e.g. those POST /produce returns).
 */
export function brokenRuleOf(order: OrderMessage): GeneratedOrder["brokenRule"] {
  if (!/^ORD[A-Za-z0-9_-]*$/.test(order.order_id)) return "invalid_order_id";
  if (!/^U[A-Za-z0-9_-]+$/.test(order.user_id)) return "invalid_user_id";
  const valueCents = Math.round(order.order_value * 100);
  if (valueCents <= 0) return "non_positive_value";
  const itemsCents = order.items.reduce(
    (sum, item) => sum + item.quantity * Math.round(item.price_per_unit * 100),
    0,
  );
  return itemsCents === valueCents ? undefined : "value_mismatch";
}

export function judged(orders: readonly OrderMessage[]): GeneratedOrder[] {
  return orders.map((order) => ({ order, brokenRule: brokenRuleOf(order) }));
}
