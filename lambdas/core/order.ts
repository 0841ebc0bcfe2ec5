import { z } from "zod";
import { isCentAmount } from "./money";

/**
 * The order message: what the producer sends to the queue and what `POST /orders` accepts. Field
 * names are the seed service's. Passing this schema means "not malformed"; the business rules in
 * rules.ts decide valid or failed.
 */

const amount = z
  .number()
  .refine(isCentAmount, { message: "must be an amount with at most two decimal places" });

/** ISO-8601 date-time; without an offset it is read as UTC (the seed sent naive UTC times). */
const isoTimestamp = z.iso.datetime({ offset: true, local: true });

export const OrderItemSchema = z.object({
  product_id: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(1_000_000),
  price_per_unit: amount.refine((value) => value >= 0, { message: "must not be negative" }),
});

export const OrderMessageSchema = z.object({
  order_id: z.string().max(64),
  user_id: z.string().max(64),
  order_timestamp: isoTimestamp,
  order_value: amount,
  items: z.array(OrderItemSchema).max(1000),
  shipping_address: z.string().max(500),
  payment_method: z.string().max(64),
});

export type OrderItem = z.infer<typeof OrderItemSchema>;
export type OrderMessage = z.infer<typeof OrderMessageSchema>;

const OFFSET_SUFFIX = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/** The UTC month (`YYYY-MM`) of a timestamp that passed the schema. */
export function utcMonthOf(timestamp: string): string {
  // Z and naive timestamps are already UTC: the month is the prefix, no Date needed.
  if (timestamp.endsWith("Z") || !OFFSET_SUFFIX.test(timestamp)) return timestamp.slice(0, 7);
  return new Date(timestamp).toISOString().slice(0, 7);
}
