import { z } from "zod";
import { MAX_COUNTER } from "../core/analytics-store";
import { ConsumerLogDetailsSchema } from "../core/log-entry";
import { OrderMessageSchema, SubmittedOrderSchema } from "../core/order";
import { FAILURE_REASONS, USER_ID_PATTERN } from "../core/rules";

/**
 * Request and response schemas of the HTTP API. The route table (routes.ts) points at them; the
 * handlers validate with them, the OpenAPI document is generated from them, and the tests check
 * every response against them.
 */

/** A query string's whole number, as API Gateway passes it: digits, perhaps after a minus sign. */
const WHOLE_NUMBER_TEXT = /^-?\d+$/;

/**
 * A whole number from the query string, with bounds and the default the route applies. The
 * document declares it an integer (so generated clients send numbers); API Gateway hands it over
 * as text, which is read as a number only when it is digits (not z.coerce.number(), which reads
 * an empty value as 0 and `1e2` as 100): `abc`, `1.5`, `1e2` or an empty value stay text and are
 * refused as not whole numbers, numbers out of bounds as too small or too big.
 */
export function queryInt(bounds: { min: number; max: number; default: number; description: string }) {
  return (
    z
      .preprocess(
        (value) => (typeof value === "string" && WHOLE_NUMBER_TEXT.test(value) ? Number(value) : value),
        z
          .int({ error: (issue) => (issue.code === "invalid_type" ? "must be a whole number" : undefined) })
          .min(bounds.min)
          .max(bounds.max),
      )
      // Not .default(): zod's JSON Schema leaves out the default of a schema that transforms (a
      // default is an output); a prefault is an input, parsed like a sent value, and documented.
      .prefault(bounds.default)
      .meta({ description: bounds.description })
  );
}

export const UserIdParam = z
  .string()
  .max(64)
  .regex(USER_ID_PATTERN, { message: "must be U followed by letters, digits, _ or - (e.g. U1001)" })
  .meta({ description: "User id, e.g. U1001", example: "U1001" });

export const MonthParam = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, {
    message: "must be a month as YYYY-MM, MM from 01 to 12 (e.g. 2026-11)",
  })
  .meta({ description: "Month as YYYY-MM (UTC)", example: "2026-11" });

/** A total of money: valid orders' values summed, never negative, at most MAX_COUNTER cents. */
const MoneyTotal = z
  .number()
  .min(0)
  .max(MAX_COUNTER / 100)
  .meta({
    description:
      "Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.",
    example: 1234.5,
  });

/** A number of things counted: orders, messages, keys. */
const Count = z.int().min(0);

const FailedByReason = z.partialRecord(z.enum([...FAILURE_REASONS, "malformed"]), Count).meta({
  description: "Failed orders by reason; only reasons that occurred",
  example: { value_mismatch: 3 },
});

export const ErrorResponse = z
  .object({
    error: z.string().meta({ description: "What went wrong", example: "invalid request" }),
    details: z
      .array(z.string())
      .meta({ description: "Each problem, naming its field", example: ["query.limit: Too big"] }),
    not_queued: z.array(z.string()).optional().meta({
      description:
        "POST /produce and /orders, 503: the order ids that did not reach the queue (the others did); sending them again is safe",
    }),
  })
  .meta({ id: "Error" });

export const ApiInfoResponse = z
  .object({
    status: z.literal(200),
    message: z.string().meta({ example: "SQS Order Management API" }),
    endpoints: z.record(z.string(), z.string()).meta({
      description:
        "The original service's object: name -> `METHOD /path - summary`, with this service's new routes",
      example: {
        produce: "POST /produce - Generate random orders (about 20% invalid) and send them to the queue",
      },
    }),
    service: z.string(),
    version: z.string(),
    description: z.string(),
    docs: z.string().meta({ description: "Relative to this document's URL" }),
    openapi: z.string().meta({ description: "Relative to this document's URL" }),
    routes: z
      .array(z.object({ method: z.string(), path: z.string(), summary: z.string() }))
      .meta({ description: "Every route, as structured data" }),
  })
  .meta({ id: "ApiInfo" });

/** Most days `spread_days` may reach back: a year. */
const MAX_SPREAD_DAYS = 365;

export const ProduceRequest = z
  .strictObject({
    count: z.int().min(1).max(1000).default(10).meta({ description: "How many orders to generate (1-1000)" }),
    spread_days: z
      .int()
      .min(0)
      .max(MAX_SPREAD_DAYS)
      .default(0)
      .meta({
        description: `Stamp the orders at random times in this many past days (0-${MAX_SPREAD_DAYS}); 0, the default, stamps them now, as the original did`,
      }),
    full_orders: z.boolean().default(false).meta({
      description:
        "Answer every generated order in full (items, timestamp, address, payment) besides its four summary fields",
    }),
  })
  .meta({ id: "ProduceRequest" });

/** The original's four fields per order; `full_orders` adds the rest of the order message. */
const ProducedOrder = z
  .object({
    order_id: z.string(),
    user_id: z.string(),
    order_value: OrderMessageSchema.shape.order_value.meta({
      description: "The order's stated value (an amount with at most two decimals)",
      example: 1234.5,
    }),
    message_id: z.string().meta({ description: "The SQS message id the order was sent as" }),
    ...OrderMessageSchema.omit({ order_id: true, user_id: true, order_value: true }).partial().shape,
  })
  .meta({ id: "ProducedOrder" });

export const ProduceResponse = z
  .object({
    message: z.string().meta({ example: "Successfully sent 10 orders to queue" }),
    orders: z.array(ProducedOrder),
  })
  .meta({ id: "ProduceResponse" });

/** Most orders one POST /orders takes. */
const MAX_SUBMITTED_ORDERS = 100;

export const SubmitOrdersRequest = z
  .strictObject({ orders: z.array(SubmittedOrderSchema).min(1).max(MAX_SUBMITTED_ORDERS) })
  .meta({ id: "SubmitOrdersRequest" });

export const SubmitOrdersResponse = z
  .object({
    accepted: z.int().min(1).max(MAX_SUBMITTED_ORDERS),
    orders: z.array(z.object({ order_id: z.string(), message_id: z.string() })),
  })
  .meta({ id: "SubmitOrdersResponse" });

export const ConsumerLogsResponse = z
  .object({
    total_logs: Count,
    logs: z.array(
      // The entry's details (core/log-entry.ts) with the original's fields before them.
      ConsumerLogDetailsSchema.extend({
        timestamp: z.string().meta({
          description: "When the consumer recorded it, `YYYY-MM-DD HH:MM:SS` UTC (the original's format)",
        }),
        message: z.string().meta({
          description: "The original's log line for this outcome",
          example: "[USER: U1000] [ORDER: ORD01J9ZX] Processed successfully",
        }),
        recorded_at: z
          .string()
          .meta({ description: "When the consumer recorded it, ISO-8601 to the millisecond" }),
        status: z.enum(["valid", "failed", "duplicate", "malformed"]),
      }).meta({ id: "ConsumerLogEntry" }),
    ),
  })
  .meta({ id: "ConsumerLogs" });

export const DeadLettersResponse = z
  .object({
    approximate_total: Count.meta({ description: "Dead letters in the queue (SQS's approximate count)" }),
    dead_letters: z.array(
      z.object({
        message_id: z.string(),
        source_message_id: z.string().meta({ description: "Its message id in the order queue" }),
        reason: z.string().meta({
          description:
            "`malformed` (see details), or `max_receive_count`: delivered too often without being recorded",
        }),
        details: z.string(),
        order_id: z.string().optional(),
        receive_count: z.int().min(1).meta({ description: "Receives so far, this read included" }),
        sent_at: z.string().meta({ description: "When it reached the dead-letter queue (ISO-8601)" }),
        body: z.string().meta({ description: "The message body, cut at 2,000 characters" }),
      }),
    ),
  })
  .meta({ id: "DeadLetters" });

export const RedriveResponse = z
  .object({
    moved: Count.meta({ description: "Dead letters moved back to the order queue" }),
    method: z.enum(["move-task", "copy"]).meta({
      description: "`move-task`: SQS's StartMessageMoveTask; `copy`: receive, send, then delete",
    }),
    finished: z.boolean().meta({ description: "False when time ran out first: call again to move the rest" }),
  })
  .meta({ id: "Redrive" });

export const RebuildResponse = z
  .object({
    status: z.enum(["idle", "running", "done", "failed", "refused"]).meta({
      description:
        "`idle`: no rebuild since the data was last lost or cleared; `refused`: the archive made fewer orders than the figures hold, so nothing was changed (`error` says how many; `?force=true` replaces them anyway)",
    }),
    id: z.string().optional(),
    generation: Count.optional().meta({ description: "The key generation being (or last) built" }),
    started_at: z.string().optional(),
    finished_at: z.string().optional(),
    objects_read: Count.meta({ description: "Archive objects replayed so far" }),
    orders_read: Count.meta({ description: "Archived messages replayed so far (redeliveries included)" }),
    objects_skipped: Count.meta({
      description:
        "Archive objects skipped: unreadable (not gzip, corrupt, or too large) or not authenticated; the rebuild function logs their keys",
    }),
    objects_unauthenticated: Count.meta({
      description:
        "Of the objects skipped, those whose authenticator was missing or did not hold: not written by this deployment's consumer (added, copied, changed), or written before the archive was authenticated",
    }),
    lines_skipped: Count.meta({
      description:
        "Lines of read objects skipped: not archive lines, contradicting their object (its time, its writer's policy), or refused by Redis",
    }),
    orders_per_second: z.number().min(0).meta({ description: "Messages replayed per second of work" }),
    judged_differently: Count.meta({
      description:
        "Archived messages the current rules judge otherwise than the consumer did (0 unless the rules changed)",
    }),
    invocations: Count.meta({ description: "Invocations of the rebuild function so far" }),
    live_orders: Count.optional().meta({
      description: "At the end: orders (valid and failed) the figures held",
    }),
    rebuilt_orders: Count.optional().meta({
      description: "At the end: orders (valid and failed) the rebuild counted",
    }),
    error: z
      .string()
      .optional()
      .meta({ description: "Why a failed or refused rebuild stopped, in general terms" }),
  })
  .meta({ id: "Rebuild" });

export const RebuildQuery = z.object({
  force: z.enum(["true", "false"]).default("false").meta({
    description:
      "`true`: switch to the rebuilt figures even when they count fewer orders than the current ones (an archive that lost objects)",
  }),
});

export const ClearResponse = z
  .object({ message: z.string(), deleted_keys: Count })
  .meta({ id: "ClearResponse" });

export const UserStatsResponse = z
  .object({
    user_id: z.string(),
    order_count: Count,
    total_spend: MoneyTotal,
    failed_order_count: Count,
  })
  .meta({ id: "UserStats" });

export const RankingsResponse = z
  .object({
    total_spend_ranking: z.array(
      z.object({ position: z.int().min(1), user_id: z.string(), total_spend: MoneyTotal }),
    ),
    total_order_count_ranking: z.array(
      z.object({ position: z.int().min(1), user_id: z.string(), total_order_count: Count }),
    ),
  })
  .meta({ id: "Rankings" });

const totals = {
  total_orders: Count.meta({ description: "Valid orders counted" }),
  total_revenue: MoneyTotal,
  failed_orders: Count.meta({ description: "Failed and malformed messages" }),
  duplicates: Count.meta({ description: "Messages repeating an already counted order_id" }),
  corrected_orders: Count.meta({
    description:
      "Valid orders counted at their line total after a value mismatch (stack parameter valueMismatch=correct)",
  }),
  failed_by_reason: FailedByReason,
};

export const GlobalStatsResponse = z.object(totals).meta({ id: "GlobalStats" });

export const MonthlyStatsResponse = z
  .object({
    month: z.string(),
    ...totals,
    user_count: Count.meta({ description: "Users with orders in the month" }),
    user_stats: z.array(UserStatsResponse).meta({ description: "Highest spend first, at most `limit`" }),
  })
  .meta({ id: "MonthlyStats" });

export const MonthsResponse = z.object({ months: z.array(z.string()) }).meta({ id: "Months" });

export const MonthTotalsResponse = z
  .object({
    months: z
      .array(z.object({ month: z.string(), ...totals }))
      .meta({ description: "The latest months with data, oldest first" }),
  })
  .meta({ id: "MonthTotals" });

export const HealthResponse = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({
      redis: z.object({ ok: z.boolean(), latency_ms: z.number().min(0) }),
      queue: z.object({
        ok: z.boolean(),
        latency_ms: z.number().min(0),
        approximate_messages: Count.optional(),
      }),
    }),
  })
  .meta({ id: "Health" });

const QueueDepth = z.object({
  messages: Count.meta({ description: "Waiting to be received (approximate)" }),
  in_flight: Count.meta({ description: "Received, not yet deleted (approximate)" }),
});

export const QueueStatsResponse = z
  .object({ queue: QueueDepth, dead_letter_queue: QueueDepth })
  .meta({ id: "QueueStats" });

/** Any JSON document (the OpenAPI document itself). */
export const JsonDocument = z.looseObject({}).meta({ description: "OpenAPI 3.1 document" });
export const HtmlPage = z.string().meta({ description: "HTML page" });
