import type { SQSRecord } from "aws-lambda";
import { syntheticSqsRecord as sqsRecord } from "../../local/event-source";

/** Fixture factories: SQS records as Lambda's event source mapping delivers them. */

/** One SQS record with this body; pass a messageId to model a redelivery of the same message. */
export { syntheticSqsRecord as sqsRecord } from "../../local/event-source";

/** Records for these bodies (objects are JSON-encoded, strings sent as they are). */
export function sqsRecords(...bodies: (string | object)[]): SQSRecord[] {
  return bodies.map((body) => sqsRecord(typeof body === "string" ? body : JSON.stringify(body)));
}

/**
 * An order message that keeps every rule (3 x 411.50 = 1234.50, user U1003, November 2026);
 * overrides break it in the way a test needs. Loosely typed so tests can put wrong types in.
 */
export function orderMessage(overrides: Record<string, unknown> = {}) {
  return {
    order_id: "ORD01J9ZX",
    user_id: "U1003",
    order_timestamp: "2026-11-24T10:15:00.000Z",
    order_value: 1234.5,
    items: [{ product_id: "P001", quantity: 3, price_per_unit: 411.5 }],
    shipping_address: "12 MG Road",
    payment_method: "UPI",
    ...overrides,
  };
}
