import { describe, expect, it } from "vitest";
import { fromCents, MAX_AMOUNT_CENTS, toCents } from "../../lambdas/core/money";
import { itemsTotalCents } from "../../lambdas/core/rules";

describe("toCents", () => {
  it.each([
    [0, 0],
    [1, 100],
    [0.1, 10],
    [0.29, 29],
    [1234.5, 123450],
    [411.5, 41150],
    [-12.34, -1234],
    [99999999.99, 9999999999],
  ])("converts %d to %d cents exactly", (amount, cents) => {
    expect(toCents(amount)).toBe(cents);
  });

  it.each([
    ["three decimals", 1.005],
    ["float noise", 0.1 + 0.2],
    ["a third", 1 / 3],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["over the maximum", (MAX_AMOUNT_CENTS + 1) / 100],
  ])("rejects %s", (_label, amount) => {
    expect(toCents(amount)).toBeUndefined();
  });

  it("never returns negative zero", () => {
    expect(Object.is(toCents(-0), 0)).toBe(true);
  });

  it("round-trips every cent value of a wide range", () => {
    for (let cents = -100_000; cents <= 100_000; cents += 7) {
      expect(toCents(fromCents(cents))).toBe(cents);
    }
  });
});

describe("sums in cents", () => {
  it("stay exact where float sums drift", () => {
    // Ten times 0.1 added as doubles is 0.9999999999999999.
    const prices = Array.from({ length: 10 }, () => 0.1);
    const items = prices.map((price) => ({ product_id: "P001", quantity: 1, price_per_unit: price }));
    expect(itemsTotalCents(items)).toBe(100);
  });

  it("multiply quantity by unit price in integers", () => {
    // 3 x 0.10 is 0.30, but 3 * 0.1 in doubles is 0.30000000000000004.
    expect(itemsTotalCents([{ product_id: "P002", quantity: 3, price_per_unit: 0.1 }])).toBe(30);
  });
});
