import { describe, expect, it } from "vitest";
import {
  BREAKABLE_RULES,
  createOrderGenerator,
  SEED_PRODUCTS,
  SEED_USER_IDS,
  seededRandom,
} from "../../lambdas/core/generator";
import { toCents } from "../../lambdas/core/money";
import { classifyMessage } from "../../lambdas/core/outcome";

describe("createOrderGenerator", () => {
  const COUNT = 10_000;
  const generate = createOrderGenerator({ random: seededRandom(42) });
  const generated = Array.from({ length: COUNT }, generate);

  it("breaks 20% +- 3% of the orders", () => {
    const invalid = generated.filter((g) => g.brokenRule !== undefined).length;
    expect(invalid / COUNT).toBeGreaterThanOrEqual(0.17);
    expect(invalid / COUNT).toBeLessThanOrEqual(0.23);
  });

  it("breaks each rule, and each invalid order in exactly the rule it names", () => {
    const seen = new Set<string>();
    for (const { order, brokenRule } of generated) {
      const outcome = classifyMessage(JSON.stringify(order));
      if (brokenRule === undefined) {
        expect(outcome.kind).toBe("valid");
        continue;
      }
      seen.add(brokenRule);
      expect(outcome).toMatchObject({ kind: "failed", reason: brokenRule });
      // exactly one way: repairing the named rule makes the order valid
      expect(classifyMessage(JSON.stringify(repair(order, brokenRule))).kind).toBe("valid");
    }
    expect([...seen].sort()).toEqual([...BREAKABLE_RULES].sort());
  });

  it("never repeats an order id", () => {
    const ids = new Set(generated.map((g) => g.order.order_id));
    expect(ids.size).toBe(COUNT);
  });

  it("uses the seed's users, products, price ranges and quantities", () => {
    // Collected, then asserted once: half a million expect() calls would take seconds.
    const problems: string[] = [];
    for (const { order, brokenRule } of generated) {
      if (order.items.length < 1 || order.items.length > 100) problems.push(`${order.order_id}: item count`);
      if (brokenRule !== "invalid_user_id" && !SEED_USER_IDS.some((id) => id === order.user_id)) {
        problems.push(`${order.order_id}: user ${order.user_id}`);
      }
      for (const item of order.items) {
        const product = SEED_PRODUCTS.find((p) => p.productId === item.product_id);
        const cents = toCents(item.price_per_unit) ?? -1;
        const priceOk =
          brokenRule === "non_positive_value"
            ? cents === 0
            : product !== undefined && cents >= product.minCents && cents <= product.maxCents;
        if (!priceOk) problems.push(`${order.order_id}: ${item.product_id} at ${item.price_per_unit}`);
        if (item.quantity < 1 || item.quantity > 100)
          problems.push(`${order.order_id}: quantity ${item.quantity}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("is repeatable with the same seed", () => {
    const again = createOrderGenerator({ random: seededRandom(42) });
    const first = generated[0]?.order;
    expect(again().order.user_id).toBe(first?.user_id);
    expect(again().order.items.length).toBe(generated[1]?.order.items.length);
  });
});

function repair(order: ReturnType<ReturnType<typeof createOrderGenerator>>["order"], rule: string) {
  const itemsTotal = order.items.reduce(
    (sum, item) => sum + item.quantity * (toCents(item.price_per_unit) ?? 0),
    0,
  );
  switch (rule) {
    case "invalid_order_id":
      return { ...order, order_id: `ORD${order.order_id.slice(3)}` };
    case "invalid_user_id":
      return { ...order, user_id: `U${order.user_id.slice(1)}` };
    case "non_positive_value":
      return {
        ...order,
        order_value: 1,
        items: [{ product_id: "P002", quantity: 1, price_per_unit: 1 }],
      };
    default:
      return { ...order, order_value: itemsTotal / 100 };
  }
}
