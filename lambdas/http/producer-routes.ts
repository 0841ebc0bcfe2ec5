import { asciiJson, type OutgoingMessage, type SendResult } from "../adapters/sqs-sender";
import type { GeneratedOrder, GenerateOptions } from "../core/generator";
import type { OrderMessage } from "../core/order";
import { NotFoundError, ServiceUnavailableError } from "../shared/http-errors";
import type { HandlersOf } from "./routes";

/** The write side of the API: generated orders (`/produce`) and submitted ones (`/orders`). */

export interface ProducerDeps {
  /** Sends messages to the order queue (batched, parallel, retried). */
  send: (messages: readonly OutgoingMessage[]) => Promise<SendResult>;
  generate: (options?: GenerateOptions) => GeneratedOrder;
  /**
   * Whether POST /produce makes orders: up to 1,000 a request, which a usage plan prices as one
   * request (stack parameter produce, off by default on AWS). Off, it answers 404.
   */
  produce: boolean;
  /** Told how many orders each request queued and could not queue (published as metrics). */
  onEnqueued?: (queued: number, notQueued: number) => void;
}

const PRODUCE_OFF = "POST /produce is off in this deployment";
const PRODUCE_OFF_DETAIL =
  "it makes up to 1,000 orders a request: deploy with -c produce=on to turn it on, or submit orders with POST /orders";

export function producerHandlers(deps: ProducerDeps): HandlersOf<"producer"> {
  /** Queues the orders; returns their message ids, or throws 503 naming the ones not queued. */
  async function enqueue(orders: readonly OrderMessage[]): Promise<string[]> {
    // The position is the id: order ids may repeat within one request (they count as duplicates).
    const result = await deps.send(
      orders.map((order, index) => ({ id: String(index), body: asciiJson(order) })),
    );
    deps.onEnqueued?.(orders.length - result.failed.length, result.failed.length);
    if (result.failed.length > 0) {
      const notQueued = result.failed.map((index) => orders[Number(index)]?.order_id ?? index);
      throw new ServiceUnavailableError(
        `${notQueued.length} of ${orders.length} orders could not be queued; the others were. Retrying all is safe: each order_id is counted once.`,
        notQueued.slice(0, 100).map((orderId) => `order ${orderId}: not queued`),
        { not_queued: notQueued },
      );
    }
    return orders.map((_, index) => result.sent.get(String(index)) ?? "");
  }

  return {
    async produceOrders({ body }) {
      if (!deps.produce) throw new NotFoundError(PRODUCE_OFF, [PRODUCE_OFF_DETAIL]);
      const orders = Array.from(
        { length: body.count },
        () => deps.generate({ spreadDays: body.spread_days }).order,
      );
      const messageIds = await enqueue(orders);
      return {
        message: `Successfully sent ${orders.length} orders to queue`,
        // The original's four fields; the whole order only when asked (a full answer is ~30x larger).
        orders: orders.map((order, index) => {
          const messageId = messageIds[index] ?? "";
          if (body.full_orders) return { ...order, message_id: messageId };
          const { order_id, user_id, order_value } = order;
          return { order_id, user_id, order_value, message_id: messageId };
        }),
      };
    },

    async submitOrders({ body }) {
      const messageIds = await enqueue(body.orders);
      return {
        accepted: body.orders.length,
        orders: body.orders.map((order, index) => ({
          order_id: order.order_id,
          message_id: messageIds[index] ?? "",
        })),
      };
    },
  };
}
