import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderMessageSchema } from "../../lambdas/core/order";
import { isOrderMessage } from "../../lambdas/core/order-check";
import { orderMessage } from "../support/factories";

/** The consumer's fast check must accept exactly what the zod schema accepts. */

const amount = fc.oneof(
  fc.integer({ min: -1_000_000, max: 10_000_000 }).map((cents) => cents / 100),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 0.1 + 0.2, 1.005, 1e13, 1e11, 9_999_999_999.99, 10_000_000_000.01, Number.MAX_VALUE),
);
const stringAround = (limit: number) =>
  fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.integer({ min: limit - 1, max: limit + 1 }).map((n) => "x".repeat(n)),
  );
const timestamp = fc.oneof(
  fc
    .date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    "2026-11-24T10:15:00Z",
    "2026-11-24T10:15:00.123456",
    "2026-11-24T10:15",
    "2026-11-24T10:15:00+05:30",
    "2026-11-24T10:15:00+0530",
    "2026-02-29T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2026-11-24",
    "2026-11-24 10:15:00Z",
    "",
  ),
  fc.string(),
);
const anything = fc.jsonValue({ maxDepth: 2 });
const item = fc.record(
  {
    product_id: fc.oneof(stringAround(64), fc.constant(""), anything),
    quantity: fc.oneof(
      fc.integer({ min: -2, max: 1_000_002 }),
      fc.double(),
      fc.constantFrom(1, 1_000_000, 1.5),
      anything,
    ),
    price_per_unit: fc.oneof(amount, anything),
  },
  { requiredKeys: [] },
);
const order = fc.record(
  {
    order_id: fc.oneof(stringAround(64), anything),
    user_id: fc.oneof(stringAround(64), anything),
    order_timestamp: fc.oneof(timestamp, anything),
    order_value: fc.oneof(amount, anything),
    items: fc.oneof(fc.array(item, { maxLength: 5 }), anything),
    shipping_address: fc.oneof(stringAround(500), anything),
    payment_method: fc.oneof(stringAround(64), anything),
    extra: anything,
  },
  { requiredKeys: [] },
);
/** Mostly-valid orders, where one bad field decides. */
const nearlyValid = fc
  .record({
    order_id: fc.string({ maxLength: 64 }),
    user_id: fc.string({ maxLength: 64 }),
    order_timestamp: timestamp,
    order_value: fc.integer({ min: -100, max: 1_000_000 }).map((c) => c / 100),
    items: fc.array(
      fc.record({
        product_id: fc.string({ minLength: 1, maxLength: 64 }),
        quantity: fc.integer({ min: 0, max: 1_000_001 }),
        price_per_unit: fc.integer({ min: -1, max: 100_000 }).map((c) => c / 100),
      }),
      { maxLength: 4 },
    ),
    shipping_address: fc.string({ maxLength: 500 }),
    payment_method: fc.string({ maxLength: 64 }),
  })
  .chain((valid) =>
    fc.constantFrom(...Object.keys(valid)).chain((key) =>
      fc.oneof(
        fc.constant(valid),
        anything.map((bad) => ({ ...valid, [key]: bad })),
      ),
    ),
  );

describe("isOrderMessage", () => {
  it("agrees with OrderMessageSchema on arbitrary values", () => {
    fc.assert(
      fc.property(fc.oneof(order, nearlyValid, anything), (value) => {
        expect(isOrderMessage(value)).toBe(OrderMessageSchema.safeParse(value).success);
      }),
      { numRuns: 20_000 },
    );
  });

  it("accepts a typical order and rejects a wrong type", () => {
    const valid = orderMessage();
    expect(isOrderMessage(valid)).toBe(true);
    expect(isOrderMessage({ ...valid, order_value: "12.5" })).toBe(false);
  });
});
