import { z } from "zod";
import { hasAtMostTwoDecimals, MAX_AMOUNT_CENTS } from "./money";

/**
 * The order message: what the producer sends to the queue and what `POST /orders` accepts. Field
 * names are the seed service's. Passing this schema means "not malformed"; the business rules in
 * rules.ts decide valid or failed. The limits bound the work and memory one message can cost.
 */

export const ORDER_LIMITS = {
  idLength: 64,
  maxItems: 1000,
  maxQuantity: 1_000_000,
  addressLength: 500,
  paymentMethodLength: 64,
  /** `2026-11-24T10:15:00.123456789+05:30` is 35: room for nanoseconds and an offset, no more. */
  timestampLength: 40,
} as const;

/** ISO-8601 date-time; without an offset it is read as UTC (the seed sent naive UTC times). */
const TIMESTAMP_FORMAT = { offset: true, local: true } as const;
/** The exact pattern zod checks timestamps with, for the consumer's fast check (order-check.ts). */
export const ISO_TIMESTAMP_PATTERN: RegExp = z.core.regexes.datetime({
  ...TIMESTAMP_FORMAT,
  precision: null,
});

/**
 * Characters no SQS queue accepts in a message (it allows tab, LF, CR, U+0020-U+D7FF,
 * U+E000-U+FFFD and U+10000-U+10FFFF): other control characters, U+FFFE, U+FFFF, and halves of a
 * surrogate pair standing alone. An order holding one could never be queued, so it is refused.
 */
const NOT_SQS_SAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every character of `text` is one SQS accepts. */
export function isSqsSafe(text: string): boolean {
  return !NOT_SQS_SAFE.test(text);
}

/** The first character of `text` SQS refuses, as U+XXXX, for the error message. */
function firstUnsafe(text: string): string {
  const found = NOT_SQS_SAFE.exec(text)?.[0] ?? "";
  return `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A text field of an order: bounded, and only characters every SQS accepts. */
const text = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    .check((ctx) => {
      if (!isSqsSafe(ctx.value)) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `contains ${firstUnsafe(ctx.value)}, a character no SQS queue accepts`,
        });
      }
    });

/**
 * True when the timestamp's UTC time falls in years 0000-9999: an offset can push a time at either
 * end outside them (`9999-12-31T23:59:59-01:00` is in year 10000), where no month key exists.
 */
export function isWithinUtcYears(timestamp: string): boolean {
  if (!/[+-]\d\d:\d\d$/.test(timestamp)) return true;
  const year = new Date(timestamp).getUTCFullYear();
  return year >= 0 && year <= 9999;
}

/** The largest amount accepted, either way, in currency units. */
const MAX_AMOUNT = MAX_AMOUNT_CENTS / 100;

const amount = z
  .number()
  // Bounds (which the API's document shows), then decimals, so each says what is wrong; together
  // they are isCentAmount (the fast path's check).
  .min(-MAX_AMOUNT, {
    message: `must be at least -${MAX_AMOUNT.toLocaleString("en")} (the smallest amount accepted)`,
    abort: true,
  })
  .max(MAX_AMOUNT, {
    message: `must be at most ${MAX_AMOUNT.toLocaleString("en")} (the largest amount accepted)`,
    abort: true,
  })
  .refine(hasAtMostTwoDecimals, { message: "must be an amount with at most two decimal places" });

const OrderItemSchema = z.object({
  product_id: text(ORDER_LIMITS.idLength).min(1),
  quantity: z.number().int().min(1).max(ORDER_LIMITS.maxQuantity),
  price_per_unit: amount.min(0, { message: "must not be negative" }),
});

export const OrderMessageSchema = z.object({
  order_id: text(ORDER_LIMITS.idLength),
  user_id: text(ORDER_LIMITS.idLength),
  order_timestamp: z
    .string()
    .max(ORDER_LIMITS.timestampLength)
    .pipe(z.iso.datetime(TIMESTAMP_FORMAT))
    .refine(isWithinUtcYears, { message: "must fall within years 0000-9999 in UTC" }),
  order_value: amount,
  items: z.array(OrderItemSchema).max(ORDER_LIMITS.maxItems),
  shipping_address: text(ORDER_LIMITS.addressLength),
  payment_method: text(ORDER_LIMITS.paymentMethodLength),
});

/**
 * An order as `POST /orders` accepts it: an empty `order_id` is refused there (400). On the queue,
 * where anyone with send rights may put one, it is an invalid id like any other (a failed order).
 */
export const SubmittedOrderSchema = OrderMessageSchema.extend({
  order_id: OrderMessageSchema.shape.order_id.min(1, { message: "must not be empty" }),
});

export type OrderItem = z.infer<typeof OrderItemSchema>;
export type OrderMessage = z.infer<typeof OrderMessageSchema>;

/** A timestamp without an offset is UTC (the seed sent naive UTC times); Date.parse would say local. */
export function timestampWithZone(timestamp: string): string {
  return /(?:Z|[+-]\d\d:\d\d)$/i.test(timestamp) ? timestamp : `${timestamp}Z`;
}

/** One canonical form of a timestamp that passed the schema: UTC, to the millisecond. */
export function canonicalTimestamp(timestamp: string): string {
  return new Date(timestampWithZone(timestamp)).toISOString();
}

/** The UTC month (`YYYY-MM`) of a timestamp that passed the schema. */
export function utcMonthOf(timestamp: string): string {
  // Z and naive timestamps are already UTC: the month is the prefix, no Date needed.
  if (!/[+-]\d\d:\d\d$/.test(timestamp)) return timestamp.slice(0, 7);
  return new Date(timestamp).toISOString().slice(0, 7);
}
