import { z } from "zod";
import { isCentAmount } from "./money";

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
} as const;

/** ISO-8601 date-time; without an offset it is read as UTC (the seed sent naive UTC times). */
const TIMESTAMP_FORMAT = { offset: true, local: true } as const;
/** The exact pattern zod checks timestamps with, for the consumer's fast check (order-check.ts). */
export const ISO_TIMESTAMP_PATTERN: RegExp = z.core.regexes.datetime({
  ...TIMESTAMP_FORMAT,
  precision: null,
});

const amount = z
  .number()
  .refine(isCentAmount, { message: "must be an amount with at most two decimal places" });

export const OrderItemSchema = z.object({
  product_id: z.string().min(1).max(ORDER_LIMITS.idLength),
  quantity: z.number().int().min(1).max(ORDER_LIMITS.maxQuantity),
  price_per_unit: amount.refine((value) => value >= 0, { message: "must not be negative" }),
});

export const OrderMessageSchema = z.object({
  order_id: z.string().max(ORDER_LIMITS.idLength),
  user_id: z.string().max(ORDER_LIMITS.idLength),
  order_timestamp: z.iso.datetime(TIMESTAMP_FORMAT),
  order_value: amount,
  items: z.array(OrderItemSchema).max(ORDER_LIMITS.maxItems),
  shipping_address: z.string().max(ORDER_LIMITS.addressLength),
  payment_method: z.string().max(ORDER_LIMITS.paymentMethodLength),
});

export type OrderItem = z.infer<typeof OrderItemSchema>;
export type OrderMessage = z.infer<typeof OrderMessageSchema>;

/** The UTC month (`YYYY-MM`) of a timestamp that passed the schema. */
export function utcMonthOf(timestamp: string): string {
  // Z and naive timestamps are already UTC: the month is the prefix, no Date needed.
  if (!/[+-]\d\d:\d\d$/.test(timestamp)) return timestamp.slice(0, 7);
  return new Date(timestamp).toISOString().slice(0, 7);
}
