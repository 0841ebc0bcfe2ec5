import { monotonicFactory } from "ulid";
import { fromCents } from "./money";
import type { OrderItem, OrderMessage } from "./order";
import type { FailureReason } from "./rules";

/**
 * The seed's random order generator, with its users, products and price ranges. About a fifth of
 * the orders are invalid, each broken in exactly one of the four rules, so that a test can predict
 * every figure from what was generated. Order ids are unique ULIDs, unlike the seed's ORD1000-9999.
 */

export const SEED_USER_IDS = ["U1000", "U1001", "U1002", "U1003", "U1004", "U1005"] as const;

/** Product id and its unit price range, in cents (the seed's ranges: 500-1500, 10-50, ...). */
export const SEED_PRODUCTS = [
  { productId: "P001", minCents: 500_00, maxCents: 1500_00 },
  { productId: "P002", minCents: 10_00, maxCents: 50_00 },
  { productId: "P003", minCents: 30_00, maxCents: 150_00 },
  { productId: "P004", minCents: 200_00, maxCents: 800_00 },
  { productId: "P005", minCents: 50_00, maxCents: 300_00 },
  { productId: "P006", minCents: 40_00, maxCents: 200_00 },
] as const;

const PAYMENT_METHODS = ["Credit Card", "Debit Card", "UPI", "Net Banking", "Cash on Delivery"] as const;

const SHIPPING_ADDRESSES = [
  "12 MG Road, Bengaluru, KA 560001",
  "221B Baker Street, London NW1 6XE",
  "1600 Amphitheatre Pkwy, Mountain View, CA 94043",
  "5 Rue de Rivoli, 75001 Paris",
  "742 Evergreen Terrace, Springfield, OR 97403",
] as const;

export interface GeneratorOptions {
  /** Uniform source in [0, 1); pass a seeded one for repeatable output. */
  random?: () => number;
  /** Fraction of orders to break (default 0.2). */
  invalidRate?: number;
  /** Users to draw from (default U1000-U1005). */
  userIds?: readonly string[];
  /** The clock orders are stamped with (default: the current time). */
  now?: () => number;
  /** Timestamps fall at random in the `spreadDays` days before now (default 0: stamped now, like the seed's). */
  spreadDays?: number;
}

/** Per-call choices: `spreadDays` overrides the generator's own. */
export interface GenerateOptions {
  spreadDays?: number;
}

export interface GeneratedOrder {
  order: OrderMessage;
  /** The rule this order was built to break; `undefined` for a valid order. */
  brokenRule: FailureReason | undefined;
}

const DAY_MS = 86_400_000;
/** The seed's four rules: the generator breaks each, as the original's did. */
export const BREAKABLE_RULES: readonly FailureReason[] = [
  "invalid_order_id",
  "invalid_user_id",
  "non_positive_value",
  "value_mismatch",
];

/** Returns a function that makes one seed-like order per call. */
export function createOrderGenerator(
  options: GeneratorOptions = {},
): (call?: GenerateOptions) => GeneratedOrder {
  const random = options.random ?? Math.random;
  const invalidRate = options.invalidRate ?? 0.2;
  const userIds = options.userIds ?? SEED_USER_IDS;
  const now = options.now ?? Date.now;
  const nextUlid = monotonicFactory(options.random ? () => random() : undefined);

  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

  return (call = {}) => {
    const spreadMs = (call.spreadDays ?? options.spreadDays ?? 0) * DAY_MS;
    const brokenRule = random() < invalidRate ? pick(BREAKABLE_RULES) : undefined;
    const freeOfCharge = brokenRule === "non_positive_value";
    let totalCents = 0;
    const items: OrderItem[] = [];
    const itemCount = between(1, 100);
    for (let i = 0; i < itemCount; i++) {
      const product = pick(SEED_PRODUCTS);
      const priceCents = freeOfCharge ? 0 : between(product.minCents, product.maxCents);
      const quantity = between(1, 100);
      totalCents += quantity * priceCents;
      items.push({ product_id: product.productId, quantity, price_per_unit: fromCents(priceCents) });
    }
    // A mismatch is off by 1 cent to 100.00, in either direction, never reaching zero.
    const offsetCents = between(1, 10_000) * (random() < 0.5 && totalCents > 10_000 ? -1 : 1);
    const valueCents = brokenRule === "value_mismatch" ? totalCents + offsetCents : totalCents;
    const id = nextUlid();
    const order: OrderMessage = {
      order_id: brokenRule === "invalid_order_id" ? `BAD${id}` : `ORD${id}`,
      user_id: brokenRule === "invalid_user_id" ? `X${pick(userIds).slice(1)}` : pick(userIds),
      order_timestamp: seedTimestamp(now() - (spreadMs > 0 ? Math.floor(random() * spreadMs) : 0)),
      order_value: fromCents(valueCents),
      items,
      shipping_address: pick(SHIPPING_ADDRESSES),
      payment_method: pick(PAYMENT_METHODS),
    };
    return { order, brokenRule };
  };
}

/** The seed's timestamp format: UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`. */
function seedTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** A small, fast, seedable PRNG (mulberry32) for repeatable tests and benchmarks. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
