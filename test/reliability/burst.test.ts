import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { API_FUNCTION_CONCURRENCY, type LocalMode } from "../../local/local-mode";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * A burst: 150 concurrent `POST /produce {"count": 1000}`. The requests within the function's
 * concurrency run at once, a bounded number wait for a free environment, and the others get 429
 * before any work is done, as API Gateway answers for a throttled Lambda. No 5xx; every order of
 * every 200 is counted; a refused request queued nothing. (Before the concurrency limit, the
 * producer's environment ran out of memory: every client got 502, yet orders had been queued.)
 */

const REQUESTS = 150;
const ORDERS_PER_REQUEST = 1000;
const prefix = uniquePrefix("burst");
let mode: LocalMode;

beforeAll(async () => {
  mode = await startSuiteLocalMode("burst", prefix, {
    context: { logLevel: "ERROR" },
  });
});

afterAll(async () => {
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

describe("a burst of 150 concurrent POST /produce {count: 1000}", () => {
  it("answers 200 or 429, never 5xx, and counts exactly the orders of the 200s", async () => {
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, async () => {
        const response = await fetch(`${mode.apiUrl}/produce`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ count: ORDERS_PER_REQUEST }),
        });
        const body = (await response.json()) as { orders?: unknown[] };
        return { status: response.status, orders: body.orders?.length ?? 0 };
      }),
    );

    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].filter((status) => status !== 200 && status !== 429)).toEqual([]);
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(API_FUNCTION_CONCURRENCY);
    expect(served.length).toBeLessThan(REQUESTS);
    expect(served.every((a) => a.orders === ORDERS_PER_REQUEST)).toBe(true);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);

    const expected = served.length * ORDERS_PER_REQUEST;
    const counted = async () => {
      const stats = (await (await fetch(`${mode.apiUrl}/stats/global`)).json()) as Record<string, number>;
      return (stats.total_orders ?? 0) + (stats.failed_orders ?? 0) + (stats.duplicates ?? 0);
    };
    await vi.waitFor(async () => expect(await counted()).toBe(expected), { timeout: 180_000, interval: 500 });
    // Drained: nothing more arrives (a refused request queued nothing), nothing went to the DLQ.
    await vi.waitFor(
      async () => {
        const queues = (await (await fetch(`${mode.apiUrl}/stats/queues`)).json()) as Record<
          string,
          { messages: number; in_flight: number }
        >;
        expect(queues).toEqual({
          queue: { messages: 0, in_flight: 0 },
          dead_letter_queue: { messages: 0, in_flight: 0 },
        });
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(await counted()).toBe(expected);
  });
});
