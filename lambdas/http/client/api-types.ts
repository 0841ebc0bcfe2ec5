// Generated from docs/openapi.json by `npm run openapi` (openapi-typescript): do not edit.

export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The same as GET /api: what the bare invoke URL answers
         * @description The same as GET /api: what the bare invoke URL answers. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getRoot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Service information and the list of endpoints
         * @description Service information and the list of endpoints. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getApiInfo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This API's OpenAPI 3.1 document
         * @description This API's OpenAPI 3.1 document. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Interactive API documentation (Swagger UI, served by the stack itself)
         * @description Interactive API documentation (Swagger UI, served by the stack itself). Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/static/{asset}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Scripts and stylesheets of the docs and the dashboard (from the project's own dependencies)
         * @description Scripts and stylesheets of the docs and the dashboard (from the project's own dependencies). Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getStaticAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The pipeline at a glance: figures, rankings, months, failures, queues and logs, refreshed live
         * @description The pipeline at a glance: figures, rankings, months, failures, queues and logs, refreshed live. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getDashboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/produce": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate random orders (about 20% invalid) and send them to the queue
         * @description Generate random orders (about 20% invalid) and send them to the queue. Needs the write key (`x-api-key`). API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        post: operations["produceOrders"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Queue 1-100 orders; the consumer applies the business rules
         * @description Queue 1-100 orders; the consumer applies the business rules. Needs the write key (`x-api-key`). API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        post: operations["submitOrders"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/consumer_logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The consumer's latest log entries, oldest first (as the original)
         * @description The consumer's latest log entries, oldest first (as the original). Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getConsumerLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clear_redis_db": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete this deployment's analytics (its key prefix only)
         * @description Delete this deployment's analytics (its key prefix only). Needs the admin token (`Authorization: Bearer <token>`); every attempt is written to the audit trail. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        delete: operations["clearData"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dlq": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The dead letters with their reason (read, not removed: each read raises their receive count)
         * @description The dead letters with their reason (read, not removed: each read raises their receive count). Needs the admin token (`Authorization: Bearer <token>`); every attempt is written to the audit trail. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dlq/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move the dead letters back to the order queue
         * @description Move the dead letters back to the order queue. Needs the admin token (`Authorization: Bearer <token>`); every attempt is written to the audit trail. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        post: operations["redriveDeadLetters"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/rebuild": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The latest rebuild from the archive: progress, speed and outcome
         * @description The latest rebuild from the archive: progress, speed and outcome. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getRebuild"];
        put?: never;
        /**
         * Rebuild every figure from the order archive (after Redis lost its data); answers at once, GET shows progress. A rebuild that would count fewer orders than the figures hold is refused unless forced
         * @description Rebuild every figure from the order archive (after Redis lost its data); answers at once, GET shows progress. A rebuild that would count fewer orders than the figures hold is refused unless forced. Needs the admin token (`Authorization: Bearer <token>`); every attempt is written to the audit trail. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        post: operations["startRebuild"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users ranked by total spend and by order count
         * @description Users ranked by total spend and by order count. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getRankings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One user's order count, spend and failed orders
         * @description One user's order count, spend and failed orders. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getUserStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/global": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Totals over all orders, with failures by reason and duplicates
         * @description Totals over all orders, with failures by reason and duplicates. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getGlobalStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/monthly/{month}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A month's totals and its users by spend
         * @description A month's totals and its users by spend. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getMonthlyStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/monthly": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The totals of the latest months with data, in one call (what the dashboard's chart shows)
         * @description The totals of the latest months with data, in one call (what the dashboard's chart shows). Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getMonthTotals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/months": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Months that have data
         * @description Months that have data. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getMonths"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Messages waiting and in flight in the order queue and the dead-letter queue
         * @description Messages waiting and in flight in the order queue and the dead-letter queue. Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getQueueStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether Redis and the queue are reachable (503 when not)
         * @description Whether Redis and the queue are reachable (503 when not). Open to anyone. API Gateway answers 429 when the stage (or the write key's usage plan) throttles.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ApiInfo: {
            /** @constant */
            status: 200;
            /** @example SQS Order Management API */
            message: string;
            /**
             * @description The original service's object: name -> `METHOD /path - summary`, with this service's new routes
             * @example {
             *       "produce": "POST /produce - Generate random orders (about 20% invalid) and send them to the queue"
             *     }
             */
            endpoints: {
                [key: string]: string;
            };
            service: string;
            version: string;
            description: string;
            /** @description Relative to this document's URL */
            docs: string;
            /** @description Relative to this document's URL */
            openapi: string;
            /** @description Every route, as structured data */
            routes: {
                method: string;
                path: string;
                summary: string;
            }[];
        };
        ClearResponse: {
            message: string;
            deleted_keys: number;
        };
        ConsumerLogEntry: {
            /**
             * @description The id of the message this entry is about
             * @default
             */
            message_id: string;
            /** @description The order's id, as the message carried it */
            order_id?: unknown;
            /** @description The order's user id, as the message carried it */
            user_id?: unknown;
            /** @description The order's timestamp, as the message carried it */
            order_timestamp?: unknown;
            /** @description The order's value, as the message carried it */
            order_value?: unknown;
            /** @description The order's items, as the message carried it */
            items?: unknown;
            /** @description The order's shipping address, as the message carried it */
            shipping_address?: unknown;
            /** @description The order's payment method, as the message carried it */
            payment_method?: unknown;
            /** @description Why a failed or malformed message was not counted as valid */
            reason?: string;
            /** @description A malformed message's problems (the first 10, each cut to 200 characters) */
            details?: string[];
            /** @description A valid order counted at its items' total instead of its stated value */
            corrected?: boolean;
            /** @description The items' total, where it differs from order_value */
            computed_value?: number;
            /** @description When the consumer recorded it, `YYYY-MM-DD HH:MM:SS` UTC (the original's format) */
            timestamp: string;
            /**
             * @description The original's log line for this outcome
             * @example [USER: U1000] [ORDER: ORD01J9ZX] Processed successfully
             */
            message: string;
            /** @description When the consumer recorded it, ISO-8601 to the millisecond */
            recorded_at: string;
            /** @enum {string} */
            status: "valid" | "failed" | "duplicate" | "malformed";
        } & {
            [key: string]: unknown;
        };
        ConsumerLogs: {
            total_logs: number;
            logs: components["schemas"]["ConsumerLogEntry"][];
        };
        DeadLetters: {
            /** @description Dead letters in the queue (SQS's approximate count) */
            approximate_total: number;
            dead_letters: {
                message_id: string;
                /** @description Its message id in the order queue */
                source_message_id: string;
                /** @description `malformed` (see details), or `max_receive_count`: delivered too often without being recorded */
                reason: string;
                details: string;
                order_id?: string;
                /** @description Receives so far, this read included */
                receive_count: number;
                /** @description When it reached the dead-letter queue (ISO-8601) */
                sent_at: string;
                /** @description The message body, cut at 2,000 characters */
                body: string;
            }[];
        };
        Error: {
            /**
             * @description What went wrong
             * @example invalid request
             */
            error: string;
            /**
             * @description Each problem, naming its field
             * @example [
             *       "query.limit: Too big"
             *     ]
             */
            details: string[];
            /** @description POST /produce and /orders, 503: the order ids that did not reach the queue (the others did); sending them again is safe */
            not_queued?: string[];
        };
        /** @description API Gateway's own answer, before any function runs */
        GatewayError: {
            /** @example Too Many Requests */
            message: string;
        };
        GlobalStats: {
            /** @description Valid orders counted */
            total_orders: number;
            /**
             * @description Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.
             * @example 1234.5
             */
            total_revenue: number;
            /** @description Failed and malformed messages */
            failed_orders: number;
            /** @description Messages repeating an already counted order_id */
            duplicates: number;
            /** @description Valid orders counted at their line total after a value mismatch (stack parameter valueMismatch=correct) */
            corrected_orders: number;
            /**
             * @description Failed orders by reason; only reasons that occurred
             * @example {
             *       "value_mismatch": 3
             *     }
             */
            failed_by_reason: {
                [key: string]: number;
            };
        };
        Health: {
            /** @enum {string} */
            status: "ok" | "degraded";
            checks: {
                redis: {
                    ok: boolean;
                    latency_ms: number;
                };
                queue: {
                    ok: boolean;
                    latency_ms: number;
                    approximate_messages?: number;
                };
            };
        };
        MonthlyStats: {
            month: string;
            /** @description Valid orders counted */
            total_orders: number;
            /**
             * @description Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.
             * @example 1234.5
             */
            total_revenue: number;
            /** @description Failed and malformed messages */
            failed_orders: number;
            /** @description Messages repeating an already counted order_id */
            duplicates: number;
            /** @description Valid orders counted at their line total after a value mismatch (stack parameter valueMismatch=correct) */
            corrected_orders: number;
            /**
             * @description Failed orders by reason; only reasons that occurred
             * @example {
             *       "value_mismatch": 3
             *     }
             */
            failed_by_reason: {
                [key: string]: number;
            };
            /** @description Users with orders in the month */
            user_count: number;
            /** @description Highest spend first, at most `limit` */
            user_stats: components["schemas"]["UserStats"][];
        };
        Months: {
            months: string[];
        };
        MonthTotals: {
            /** @description The latest months with data, oldest first */
            months: {
                month: string;
                /** @description Valid orders counted */
                total_orders: number;
                /**
                 * @description Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.
                 * @example 1234.5
                 */
                total_revenue: number;
                /** @description Failed and malformed messages */
                failed_orders: number;
                /** @description Messages repeating an already counted order_id */
                duplicates: number;
                /** @description Valid orders counted at their line total after a value mismatch (stack parameter valueMismatch=correct) */
                corrected_orders: number;
                /**
                 * @description Failed orders by reason; only reasons that occurred
                 * @example {
                 *       "value_mismatch": 3
                 *     }
                 */
                failed_by_reason: {
                    [key: string]: number;
                };
            }[];
        };
        ProducedOrder: {
            order_id: string;
            user_id: string;
            /**
             * @description The order's stated value (an amount with at most two decimals)
             * @example 1234.5
             */
            order_value: number;
            /** @description The SQS message id the order was sent as */
            message_id: string;
            order_timestamp?: string;
            items?: {
                product_id: string;
                quantity: number;
                price_per_unit: number;
            }[];
            shipping_address?: string;
            payment_method?: string;
        };
        ProduceRequest: {
            /**
             * @description How many orders to generate (1-1000)
             * @default 10
             */
            count?: number;
            /**
             * @description Stamp the orders at random times in this many past days (0-365); 0, the default, stamps them now, as the original did
             * @default 0
             */
            spread_days?: number;
            /**
             * @description Answer every generated order in full (items, timestamp, address, payment) besides its four summary fields
             * @default false
             */
            full_orders?: boolean;
        };
        ProduceResponse: {
            /** @example Successfully sent 10 orders to queue */
            message: string;
            orders: components["schemas"]["ProducedOrder"][];
        };
        QueueStats: {
            queue: {
                /** @description Waiting to be received (approximate) */
                messages: number;
                /** @description Received, not yet deleted (approximate) */
                in_flight: number;
            };
            dead_letter_queue: {
                /** @description Waiting to be received (approximate) */
                messages: number;
                /** @description Received, not yet deleted (approximate) */
                in_flight: number;
            };
        };
        Rankings: {
            total_spend_ranking: {
                position: number;
                user_id: string;
                /**
                 * @description Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.
                 * @example 1234.5
                 */
                total_spend: number;
            }[];
            total_order_count_ranking: {
                position: number;
                user_id: string;
                total_order_count: number;
            }[];
        };
        Rebuild: {
            /**
             * @description `idle`: no rebuild since the data was last lost or cleared; `refused`: the archive made fewer orders than the figures hold, so nothing was changed (`error` says how many; `?force=true` replaces them anyway)
             * @enum {string}
             */
            status: "idle" | "running" | "done" | "failed" | "refused";
            id?: string;
            /** @description The key generation being (or last) built */
            generation?: number;
            started_at?: string;
            finished_at?: string;
            /** @description Archive objects replayed so far */
            objects_read: number;
            /** @description Archived messages replayed so far (redeliveries included) */
            orders_read: number;
            /** @description Archive objects skipped: unreadable (not gzip, corrupt, or too large) or not authenticated; the rebuild function logs their keys */
            objects_skipped: number;
            /** @description Of the objects skipped, those whose authenticator was missing or did not hold: not written by this deployment's consumer (added, copied, changed), or written before the archive was authenticated */
            objects_unauthenticated: number;
            /** @description Lines of read objects skipped: not archive lines, contradicting their object (its time, its writer's policy), or refused by Redis */
            lines_skipped: number;
            /** @description Messages replayed per second of work */
            orders_per_second: number;
            /** @description Archived messages the current rules judge otherwise than the consumer did (0 unless the rules changed) */
            judged_differently: number;
            /** @description Invocations of the rebuild function so far */
            invocations: number;
            /** @description At the end: orders (valid and failed) the figures held */
            live_orders?: number;
            /** @description At the end: orders (valid and failed) the rebuild counted */
            rebuilt_orders?: number;
            /** @description Why a failed or refused rebuild stopped, in general terms */
            error?: string;
        };
        Redrive: {
            /** @description Dead letters moved back to the order queue */
            moved: number;
            /**
             * @description `move-task`: SQS's StartMessageMoveTask; `copy`: receive, send, then delete
             * @enum {string}
             */
            method: "move-task" | "copy";
            /** @description False when time ran out first: call again to move the rest */
            finished: boolean;
        };
        SubmitOrdersRequest: {
            orders: {
                order_id: string;
                user_id: string;
                order_timestamp: string;
                order_value: number;
                items: {
                    product_id: string;
                    quantity: number;
                    price_per_unit: number;
                }[];
                shipping_address: string;
                payment_method: string;
            }[];
        };
        SubmitOrdersResponse: {
            accepted: number;
            orders: {
                order_id: string;
                message_id: string;
            }[];
        };
        UserStats: {
            user_id: string;
            order_count: number;
            /**
             * @description Amount with at most two decimals. Every total is exact, up to 90,000,000,000,000,000.00 (9 x 10^18 cents, a 64-bit counter); past 2^53 cents it is written as exact JSON number text, which readers that parse JSON numbers as doubles round. An order that would take a total past the bound is not counted but dead-lettered with reason out_of_range.
             * @example 1234.5
             */
            total_spend: number;
            failed_order_count: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getRoot: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": 200,
                     *       "message": "SQS Order Management API",
                     *       "endpoints": {
                     *         "produce": "POST /produce - Generate random orders (about 20% invalid) and send them to the queue",
                     *         "consumer_logs": "GET /consumer_logs - The consumer's latest log entries, oldest first (as the original)",
                     *         "delete_redis_db": "DELETE /clear_redis_db - Delete this deployment's analytics (its key prefix only)",
                     *         "users": "GET /users - Users ranked by total spend and by order count",
                     *         "users/{user_id}/stats": "GET /users/{user_id}/stats - One user's order count, spend and failed orders",
                     *         "stats/global": "GET /stats/global - Totals over all orders, with failures by reason and duplicates",
                     *         "stats/monthly/{month}": "GET /stats/monthly/{month} - A month's totals and its users by spend"
                     *       },
                     *       "service": "orders-pipeline",
                     *       "version": "1.0.0",
                     *       "description": "Produce and submit orders to an SQS queue drained by a consumer Lambda, and query the analytics it keeps in Redis. Money is in currency units with at most two decimals.",
                     *       "docs": "docs",
                     *       "openapi": "openapi.json",
                     *       "routes": [
                     *         {
                     *           "method": "GET",
                     *           "path": "/api",
                     *           "summary": "Service information and the list of endpoints"
                     *         },
                     *         {
                     *           "method": "POST",
                     *           "path": "/produce",
                     *           "summary": "Generate random orders (about 20% invalid) and send them to the queue"
                     *         },
                     *         {
                     *           "method": "GET",
                     *           "path": "/stats/global",
                     *           "summary": "Totals over all orders, with failures by reason and duplicates"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ApiInfo"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": 200,
                     *       "message": "SQS Order Management API",
                     *       "endpoints": {
                     *         "produce": "POST /produce - Generate random orders (about 20% invalid) and send them to the queue",
                     *         "consumer_logs": "GET /consumer_logs - The consumer's latest log entries, oldest first (as the original)",
                     *         "delete_redis_db": "DELETE /clear_redis_db - Delete this deployment's analytics (its key prefix only)",
                     *         "users": "GET /users - Users ranked by total spend and by order count",
                     *         "users/{user_id}/stats": "GET /users/{user_id}/stats - One user's order count, spend and failed orders",
                     *         "stats/global": "GET /stats/global - Totals over all orders, with failures by reason and duplicates",
                     *         "stats/monthly/{month}": "GET /stats/monthly/{month} - A month's totals and its users by spend"
                     *       },
                     *       "service": "orders-pipeline",
                     *       "version": "1.0.0",
                     *       "description": "Produce and submit orders to an SQS queue drained by a consumer Lambda, and query the analytics it keeps in Redis. Money is in currency units with at most two decimals.",
                     *       "docs": "docs",
                     *       "openapi": "openapi.json",
                     *       "routes": [
                     *         {
                     *           "method": "GET",
                     *           "path": "/api",
                     *           "summary": "Service information and the list of endpoints"
                     *         },
                     *         {
                     *           "method": "POST",
                     *           "path": "/produce",
                     *           "summary": "Generate random orders (about 20% invalid) and send them to the queue"
                     *         },
                     *         {
                     *           "method": "GET",
                     *           "path": "/stats/global",
                     *           "summary": "Totals over all orders, with failures by reason and duplicates"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ApiInfo"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "openapi": "3.1.0",
                     *       "info": {
                     *         "title": "Orders pipeline API",
                     *         "version": "1.0.0"
                     *       },
                     *       "servers": [
                     *         {
                     *           "url": ".",
                     *           "description": "The API that serves this document"
                     *         }
                     *       ],
                     *       "paths": {
                     *         "/stats/global": {
                     *           "get": {
                     *             "operationId": "getGlobalStats",
                     *             "summary": "Totals over all orders, with failures by reason and duplicates"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example <!doctype html>
                     *     <html lang="en">
                     *     <head>
                     *       <meta charset="utf-8">
                     *       <meta name="viewport" content="width=device-width, initial-scale=1">
                     *       <title>Orders pipeline API</title>
                     */
                    "text/html": string;
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStaticAsset: {
        parameters: {
            query?: {
                /** @description The asset's content hash, as the pages link it: with the current one the answer may be cached for a year */
                v?: string;
            };
            header?: never;
            path: {
                asset: "swagger-ui.css" | "swagger-ui-bundle.js" | "uPlot.min.css" | "uPlot.iife.min.js" | "dashboard.css" | "dashboard.js";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example /* The dashboard's styles (served as static/dashboard.css). *\/
                     *     :root {
                     *       --ink: #1f2933;
                     *       --muted: #616e7c;
                     */
                    "text/plain": string;
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDashboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example <!doctype html>
                     *     <html lang="en">
                     *     <head>
                     *     <meta charset="utf-8">
                     *     <meta name="viewport" content="width=device-width, initial-scale=1">
                     *     <title>Orders pipeline dashboard</title>
                     */
                    "text/html": string;
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    produceOrders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ProduceRequest"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "Successfully sent 2 orders to queue",
                     *       "orders": [
                     *         {
                     *           "order_id": "ORD9858",
                     *           "user_id": "U1000",
                     *           "order_value": 1396059.27,
                     *           "message_id": "00000000-0000-4000-8000-000000000001"
                     *         },
                     *         {
                     *           "order_id": "ORD3168",
                     *           "user_id": "U1002",
                     *           "order_value": 752673.17,
                     *           "message_id": "00000000-0000-4000-8000-000000000002"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ProduceResponse"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway refused the request: the write key (x-api-key) is missing or not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Content type is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitOrders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitOrdersRequest"];
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accepted": 2,
                     *       "orders": [
                     *         {
                     *           "order_id": "ORD-EXAMPLE-1",
                     *           "message_id": "b1ad7f09-8d78-4117-8b9c-b4df658044b1"
                     *         },
                     *         {
                     *           "order_id": "ORD-EXAMPLE-2",
                     *           "message_id": "804187db-8b2d-4ce1-9b4e-d199f1b0c8ee"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["SubmitOrdersResponse"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway refused the request: the write key (x-api-key) is missing or not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Content type is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getConsumerLogs: {
        parameters: {
            query?: {
                /** @description How many of the latest entries to answer */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "total_logs": 3,
                     *       "logs": [
                     *         {
                     *           "timestamp": "2026-11-25 08:22:09",
                     *           "message": "[ERROR] Order value mismatch: 864213.51 != 1024604.41, fixing with correct value",
                     *           "recorded_at": "2026-11-25T08:22:09.000Z",
                     *           "status": "valid",
                     *           "message_id": "00000000-0000-4000-8000-000000000003",
                     *           "order_id": "ORD4352",
                     *           "user_id": "U1000",
                     *           "order_value": 1024604.41,
                     *           "corrected": true,
                     *           "computed_value": 864213.51
                     *         },
                     *         {
                     *           "timestamp": "2026-11-25 08:22:09",
                     *           "message": "[USER: U1001] [ORDER: ORD8015] Processed successfully",
                     *           "recorded_at": "2026-11-25T08:22:09.000Z",
                     *           "status": "valid",
                     *           "message_id": "00000000-0000-4000-8000-000000000004",
                     *           "order_id": "ORD8015",
                     *           "user_id": "U1001"
                     *         },
                     *         {
                     *           "timestamp": "2026-11-25 08:22:09",
                     *           "message": "[USER: U1005] [ORDER: ORD9930] Processed successfully",
                     *           "recorded_at": "2026-11-25T08:22:09.000Z",
                     *           "status": "valid",
                     *           "message_id": "00000000-0000-4000-8000-000000000005",
                     *           "order_id": "ORD9930",
                     *           "user_id": "U1005"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ConsumerLogs"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    clearData: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "Redis database cleared",
                     *       "deleted_keys": 106
                     *     }
                     */
                    "application/json": components["schemas"]["ClearResponse"];
                };
            };
            /** @description Admin token missing */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Admin token not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDeadLetters: {
        parameters: {
            query?: {
                /** @description How many dead letters to read */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "approximate_total": 1,
                     *       "dead_letters": [
                     *         {
                     *           "message_id": "ec264783-5fb5-4bd3-ba74-b1ab3c9022c9",
                     *           "source_message_id": "e019ebff-066b-4543-bbfc-a341450e9d63",
                     *           "reason": "malformed",
                     *           "details": "order_timestamp: Invalid input: expected string, received undefined; order_value: Invalid input: expected number, received string; items: Invalid input: expected array, received undefined; shipping_address: Invalid input: expected string, received undefined; payment_method: Invalid input: expected string, received undefined",
                     *           "order_id": "ORD-EXAMPLE-3",
                     *           "receive_count": 1,
                     *           "sent_at": "2026-12-06T10:27:41.114Z",
                     *           "body": "{\"order_id\": \"ORD-EXAMPLE-3\", \"user_id\": \"U1002\", \"order_value\": \"a lot\"}"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["DeadLetters"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Admin token missing */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Admin token not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    redriveDeadLetters: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "moved": 1,
                     *       "method": "copy",
                     *       "finished": true
                     *     }
                     */
                    "application/json": components["schemas"]["Redrive"];
                };
            };
            /** @description Admin token missing */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Admin token not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRebuild: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "done",
                     *       "id": "421496a5-8384-4472-ab49-5f49f3152352",
                     *       "generation": 1,
                     *       "started_at": "2026-12-06T10:27:58.027Z",
                     *       "finished_at": "2026-12-06T10:28:03.314Z",
                     *       "objects_read": 7,
                     *       "orders_read": 66,
                     *       "objects_skipped": 0,
                     *       "objects_unauthenticated": 0,
                     *       "lines_skipped": 0,
                     *       "orders_per_second": 673,
                     *       "judged_differently": 0,
                     *       "invocations": 1
                     *     }
                     */
                    "application/json": components["schemas"]["Rebuild"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startRebuild: {
        parameters: {
            query?: {
                /** @description `true`: switch to the rebuilt figures even when they count fewer orders than the current ones (an archive that lost objects) */
                force?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "running",
                     *       "id": "421496a5-8384-4472-ab49-5f49f3152352",
                     *       "generation": 1,
                     *       "started_at": "2026-12-06T10:27:58.027Z",
                     *       "objects_read": 0,
                     *       "orders_read": 0,
                     *       "objects_skipped": 0,
                     *       "objects_unauthenticated": 0,
                     *       "lines_skipped": 0,
                     *       "orders_per_second": 0,
                     *       "judged_differently": 0,
                     *       "invocations": 0
                     *     }
                     */
                    "application/json": components["schemas"]["Rebuild"];
                };
            };
            /** @description Admin token missing */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Admin token not accepted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with a rebuild in progress: try again when it is done */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRankings: {
        parameters: {
            query?: {
                /** @description How many users each ranking lists */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "total_spend_ranking": [
                     *         {
                     *           "position": 1,
                     *           "user_id": "U1005",
                     *           "total_spend": 10968810.92
                     *         },
                     *         {
                     *           "position": 2,
                     *           "user_id": "U1004",
                     *           "total_spend": 10263360.81
                     *         },
                     *         {
                     *           "position": 3,
                     *           "user_id": "U1001",
                     *           "total_spend": 7800532.84
                     *         }
                     *       ],
                     *       "total_order_count_ranking": [
                     *         {
                     *           "position": 1,
                     *           "user_id": "U1005",
                     *           "total_order_count": 13
                     *         },
                     *         {
                     *           "position": 2,
                     *           "user_id": "U1004",
                     *           "total_order_count": 12
                     *         },
                     *         {
                     *           "position": 3,
                     *           "user_id": "U1001",
                     *           "total_order_count": 9
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Rankings"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUserStats: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description User id, e.g. U1001
                 * @example U1001
                 */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user_id": "U1005",
                     *       "order_count": 13,
                     *       "total_spend": 10968810.92,
                     *       "failed_order_count": 0
                     *     }
                     */
                    "application/json": components["schemas"]["UserStats"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getGlobalStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "total_orders": 54,
                     *       "total_revenue": 46831932.78,
                     *       "failed_orders": 6,
                     *       "duplicates": 0,
                     *       "corrected_orders": 1,
                     *       "failed_by_reason": {
                     *         "invalid_order_id": 2,
                     *         "invalid_user_id": 2,
                     *         "non_positive_value": 2
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["GlobalStats"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMonthlyStats: {
        parameters: {
            query?: {
                /** @description How many of the month's users to list */
                limit?: number;
            };
            header?: never;
            path: {
                /**
                 * @description Month as YYYY-MM (UTC)
                 * @example 2026-11
                 */
                month: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "month": "2026-11",
                     *       "total_orders": 54,
                     *       "total_revenue": 46831932.78,
                     *       "failed_orders": 6,
                     *       "duplicates": 0,
                     *       "corrected_orders": 1,
                     *       "failed_by_reason": {
                     *         "invalid_order_id": 2,
                     *         "invalid_user_id": 2,
                     *         "non_positive_value": 2
                     *       },
                     *       "user_count": 6,
                     *       "user_stats": [
                     *         {
                     *           "user_id": "U1005",
                     *           "order_count": 13,
                     *           "total_spend": 10968810.92,
                     *           "failed_order_count": 0
                     *         },
                     *         {
                     *           "user_id": "U1004",
                     *           "order_count": 12,
                     *           "total_spend": 10263360.81,
                     *           "failed_order_count": 0
                     *         },
                     *         {
                     *           "user_id": "U1001",
                     *           "order_count": 9,
                     *           "total_spend": 7800532.84,
                     *           "failed_order_count": 1
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MonthlyStats"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMonthTotals: {
        parameters: {
            query?: {
                /** @description How many of the latest months with data to answer */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "months": [
                     *         {
                     *           "month": "2026-10",
                     *           "total_orders": 17,
                     *           "total_revenue": 12322512.8,
                     *           "failed_orders": 6,
                     *           "duplicates": 0,
                     *           "corrected_orders": 0,
                     *           "failed_by_reason": {
                     *             "non_positive_value": 3,
                     *             "value_mismatch": 2,
                     *             "invalid_user_id": 1
                     *           }
                     *         },
                     *         {
                     *           "month": "2026-11",
                     *           "total_orders": 14,
                     *           "total_revenue": 12511229.94,
                     *           "failed_orders": 7,
                     *           "duplicates": 1,
                     *           "corrected_orders": 0,
                     *           "failed_by_reason": {
                     *             "invalid_user_id": 2,
                     *             "value_mismatch": 2,
                     *             "invalid_order_id": 2,
                     *             "non_positive_value": 1
                     *           }
                     *         },
                     *         {
                     *           "month": "2026-12",
                     *           "total_orders": 4,
                     *           "total_revenue": 3133156.59,
                     *           "failed_orders": 1,
                     *           "duplicates": 0,
                     *           "corrected_orders": 0,
                     *           "failed_by_reason": {
                     *             "value_mismatch": 1
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MonthTotals"];
                };
            };
            /** @description Invalid request: `details` names each problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMonths: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "months": [
                     *         "2026-09",
                     *         "2026-10",
                     *         "2026-11",
                     *         "2026-12"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["Months"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getQueueStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "queue": {
                     *         "messages": 0,
                     *         "in_flight": 0
                     *       },
                     *       "dead_letter_queue": {
                     *         "messages": 1,
                     *         "in_flight": 0
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["QueueStats"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "checks": {
                     *         "redis": {
                     *           "ok": true,
                     *           "latency_ms": 11
                     *         },
                     *         "queue": {
                     *           "ok": true,
                     *           "latency_ms": 11,
                     *           "approximate_messages": 0
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description API Gateway throttled the request (the stage's rate limit, or the write key's usage plan) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GatewayError"];
                };
            };
            /** @description Internal error (no details are given) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A dependency (queue or Redis) is unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
