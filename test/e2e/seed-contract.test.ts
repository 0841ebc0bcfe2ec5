import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { orderMessage } from "../support/factories";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * The original service's own answers (test/fixtures/seed-responses, recorded by running its code,
 * kept unchanged) replayed against local mode: for each recorded call, the same status (any 4xx for
 * the original's 422s: validation answers 400 here, a documented difference) and every key path of
 * the original's body present here with the same JSON type. A client of the original reads nothing
 * that is missing or of another type.
 *
 * Local mode runs with valueMismatch=correct, the original's behaviour, so this is also the
 * end-to-end test of that policy (the other e2e test runs the default, reject).
 */

interface Recorded {
  request: { method: string; path: string; body: unknown };
  status: number;
  body: unknown;
}

const FIXTURES = join(PROJECT_ROOT, "test", "fixtures", "seed-responses");
const recorded = new Map<string, Recorded>(
  readdirSync(FIXTURES)
    .filter((file) => file.endsWith(".json"))
    .map((file) => [file.replace(/\.json$/, ""), JSON.parse(readFileSync(join(FIXTURES, file), "utf8"))]),
);

/**
 * The order the calls are replayed in: reads on produced data, then the clear and the read after
 * it. Every fixture must be listed (a new one fails the test until it is placed).
 */
const REPLAY_ORDER = [
  "api",
  "produce",
  "produce_bad_count",
  "consumer_logs",
  "users",
  "users_bad_limit",
  "user_stats",
  "user_stats_unknown",
  "stats_global",
  "stats_monthly",
  "stats_monthly_unknown",
  "clear_redis_db",
  "stats_global_after_clear",
];

const ADMIN_TOKEN = "seed-contract-token";
const prefix = uniquePrefix("seed");
let mode: LocalMode;
const previousAdminToken = process.env.ADMIN_TOKEN;

/** The orders in the recordings were stamped in their own month; ours are stamped now. */
const thisMonth = () => new Date().toISOString().slice(0, 7);

function pathFor(recording: Recorded): string {
  return recording.request.path.replace(/^\/stats\/monthly\/2026-11$/, `/stats/monthly/${thisMonth()}`);
}

async function call(recording: Recorded) {
  const { method, body } = recording.request;
  const response = await fetch(`${mode.apiUrl}${pathFor(recording)}`, {
    method,
    headers: {
      ...(body === null ? {} : { "content-type": "application/json" }),
      // Deliberate difference: clearing needs the admin token here.
      ...(method === "DELETE" ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}),
    },
    body: body === null ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown };
}

type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";
const typeOf = (value: unknown): JsonType =>
  value === null ? "null" : Array.isArray(value) ? "array" : (typeof value as JsonType);

/** Every key path of a JSON value with the type found there; array elements are `[]`. */
function keyPaths(value: unknown, path = "$", into = new Map<string, JsonType>()): Map<string, JsonType> {
  into.set(path, typeOf(value));
  if (Array.isArray(value)) for (const element of value) keyPaths(element, `${path}[]`, into);
  else if (value !== null && typeof value === "object")
    for (const [key, child] of Object.entries(value)) keyPaths(child, `${path}.${key}`, into);
  return into;
}

/** The original's key paths that ours lacks or holds with another type, as readable lines. */
function contractBreaks(original: unknown, ours: unknown): string[] {
  const theirs = keyPaths(original);
  const mine = keyPaths(ours);
  const breaks: string[] = [];
  for (const [path, type] of theirs) {
    const found = mine.get(path);
    if (found !== type) breaks.push(`${path}: original ${type}, here ${found ?? "missing"}`);
  }
  return breaks;
}

interface Totals {
  total_orders: number;
  failed_orders: number;
  corrected_orders: number;
  total_revenue: number;
}

async function globalStats(): Promise<Totals> {
  return (await (await fetch(`${mode.apiUrl}/stats/global`)).json()) as Totals;
}

/** Orders the consumer has counted, valid or failed. */
const countOf = (stats: Totals) => stats.total_orders + stats.failed_orders;

async function countedOrders(): Promise<number> {
  return countOf(await globalStats());
}

/** Waits until the consumer has counted `expected` orders, valid or failed. */
async function waitForConsumer(expected: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const counted = await countedOrders();
      if (counted !== expected) throw new Error(`the consumer has counted ${counted} of ${expected} orders`);
    },
    { timeout: 60_000, interval: 250 },
  );
}

/** Waits until nothing is waiting or in flight in the order queue. */
async function waitForEmptyQueue(): Promise<void> {
  await vi.waitFor(
    async () => {
      const { queue } = (await (await fetch(`${mode.apiUrl}/stats/queues`)).json()) as {
        queue: { messages: number; in_flight: number };
      };
      if (queue.messages + queue.in_flight > 0)
        throw new Error(`${queue.messages + queue.in_flight} still queued`);
    },
    { timeout: 60_000, interval: 250 },
  );
}

beforeAll(async () => {
  process.env.ADMIN_TOKEN = ADMIN_TOKEN;
  mode = await startSuiteLocalMode("seed-contract", prefix, {
    context: { valueMismatch: "correct" },
  });
  // Data for the reads: enough orders that all six seed users have some, and mismatches occur.
  const response = await fetch(`${mode.apiUrl}/produce`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ count: 300 }),
  });
  if (response.status !== 200) throw new Error(`setup: POST /produce answered ${response.status}`);
  await waitForConsumer(300);
}, 120_000);

afterAll(async () => {
  if (previousAdminToken === undefined) delete process.env.ADMIN_TOKEN;
  else process.env.ADMIN_TOKEN = previousAdminToken;
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

describe("the original service's recorded answers, replayed against local mode", () => {
  it("has a place in the replay for every recording", () => {
    expect([...recorded.keys()].sort()).toEqual([...REPLAY_ORDER].sort());
  });

  it("answers every recorded call with the same status and every field the original had, of its type", async () => {
    const problems: string[] = [];
    for (const name of REPLAY_ORDER) {
      const recording = recorded.get(name) as Recorded;
      const ours = await call(recording);
      const { method } = recording.request;
      const where = `${name} (${method} ${pathFor(recording)})`;
      if (recording.status === 422) {
        // FastAPI's validation answer; here a 400 naming the field (a documented difference).
        if (ours.status < 400 || ours.status > 499)
          problems.push(`${where}: status ${ours.status}, want 4xx`);
        continue;
      }
      if (ours.status !== recording.status)
        problems.push(`${where}: status ${ours.status}, want ${recording.status}`);
      for (const line of contractBreaks(recording.body, ours.body)) problems.push(`${where}: ${line}`);
    }
    expect(problems).toEqual([]);
  });

  it("counts a value mismatch valid at the line total under valueMismatch=correct, and says so in the log", async () => {
    // The replay produced two orders of its own, around its clear: let them settle first.
    await waitForEmptyQueue();
    const before = await globalStats();
    // Items worth 3 x 411.50 = 1234.50; two orders state other values, one states the right one.
    const orders = [1300, 1234.5, 99.99].map((value, index) =>
      orderMessage({ order_id: `ORD-SEED-MISMATCH-${index}`, user_id: "U1000", order_value: value }),
    );
    const submitted = await fetch(`${mode.apiUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orders }),
    });
    expect(submitted.status).toBe(202);
    await waitForConsumer(countOf(before) + 3);

    const after = await globalStats();
    expect(after.total_orders - before.total_orders).toBe(3);
    expect(after.corrected_orders - before.corrected_orders).toBe(2);
    expect(Math.round((after.total_revenue - before.total_revenue) * 100)).toBe(3 * 123450);
    expect(after.failed_orders).toBe(before.failed_orders);
    const logs = (await (await fetch(`${mode.apiUrl}/consumer_logs?limit=3`)).json()) as {
      logs: { order_id: string; message: string }[];
    };
    expect(logs.logs.map((entry) => entry.message).sort()).toEqual([
      "[ERROR] Order value mismatch: 1234.5 != 1300.0, fixing with correct value",
      "[ERROR] Order value mismatch: 1234.5 != 99.99, fixing with correct value",
      "[USER: U1000] [ORDER: ORD-SEED-MISMATCH-1] Processed successfully",
    ]);
  }, 90_000);
});

describe("keyPaths", () => {
  it("lists nested objects and array elements with their JSON types", () => {
    expect(Object.fromEntries(keyPaths({ a: [{ b: 1 }], c: null }))).toEqual({
      $: "object",
      "$.a": "array",
      "$.a[]": "object",
      "$.a[].b": "number",
      "$.c": "null",
    });
  });

  it("finds a missing field and a changed type", () => {
    expect(contractBreaks({ a: 1, b: [{ c: "x" }] }, { a: "1", b: [{}] })).toEqual([
      "$.a: original number, here string",
      "$.b[].c: original string, here missing",
    ]);
  });
});
