import { z } from "zod";

/**
 * A consumer log entry's details: what the consumer wrote about one message it settled, stored in
 * Redis as JSON with the entry and served by `GET /consumer_logs` (merged into each log line). One
 * schema for the three sides: core/analytics-entry.ts writes it, the store reads it back
 * (adapters/generation-store.ts), and the API's document describes it (http/schemas.ts).
 *
 * An order's own fields are kept as the message carried them: a failed order's may be of any
 * type, so the schema types only what the consumer itself adds.
 */

const asSent = (field: string) =>
  z
    .unknown()
    .optional()
    .meta({ description: `The order's ${field}, as the message carried it` });

export const ConsumerLogDetailsSchema = z
  .looseObject({
    message_id: z.string().default("").meta({ description: "The id of the message this entry is about" }),
    order_id: asSent("id"),
    user_id: asSent("user id"),
    order_timestamp: asSent("timestamp"),
    order_value: asSent("value"),
    items: asSent("items"),
    shipping_address: asSent("shipping address"),
    payment_method: asSent("payment method"),
    reason: z
      .string()
      .optional()
      .meta({ description: "Why a failed or malformed message was not counted as valid" }),
    details: z
      .array(z.string())
      .optional()
      .meta({ description: "A malformed message's problems (the first 10, each cut to 200 characters)" }),
    corrected: z
      .boolean()
      .optional()
      .meta({ description: "A valid order counted at its items' total instead of its stated value" }),
    computed_value: z
      .number()
      .min(0) // quantities are at least 1, prices at least 0
      .optional()
      .meta({ description: "The items' total, where it differs from order_value" }),
  })
  .meta({ id: "ConsumerLogDetails" });

export type ConsumerLogDetails = z.infer<typeof ConsumerLogDetailsSchema>;

/** Details read back from the store; an entry that is not ours (written by hand) keeps only its message id. */
export function readLogDetails(json: string | undefined): ConsumerLogDetails {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? "{}");
  } catch {
    raw = {};
  }
  const parsed = ConsumerLogDetailsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const messageId = (raw as { message_id?: unknown } | null)?.message_id;
  return { message_id: typeof messageId === "string" ? messageId : "" };
}
