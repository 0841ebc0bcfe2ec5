import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GENERATION_CACHE_MS } from "../../lambdas/adapters/redis-generations";
import { UnreadableArchiveObjectError } from "../../lambdas/adapters/s3-archive";
import { createOrderGenerator, seededRandom } from "../../lambdas/core/generator";
import { runRebuild, startRebuild } from "../../lambdas/workflows/rebuild-from-archive";
import { orderMessage, sqsRecord } from "../support/factories";
import { deleteKeys } from "../support/redis";
import { startTestApi, type TestApi } from "../support/test-api";

/**
 * Rebuilding the analytics from the order archive, through the admin routes, on the real Redis
 * and the embedded S3: exact after the keys are lost, nothing brought back from before a clear,
 * one rebuild at a time, and a rebuild longer than one invocation goes on where it stopped.
 */

const adminToken = "rebuild-token";
const auth = { authorization: `Bearer ${adminToken}` };
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ name: "rebuild", adminToken });
});
afterAll(() => api.close());
beforeEach(async () => {
  // Each test starts from nothing: no keys, and an archive whose replay starts now.
  await api.rebuildsSettled();
  await deleteKeys(api.redis, api.prefix);
  await api.archive.markCleared();
});

/** Every figure the API shows. */
async function figures() {
  const get = async (path: string, query?: Record<string, string>) =>
    (await api.call("GET", path, { query })).json;
  const months = (await get("/stats/months")).months as string[];
  const rankings = await get("/users", { limit: "100" });
  const users = await Promise.all(
    (rankings.total_spend_ranking as { user_id: string }[]).map((u) => get(`/users/${u.user_id}/stats`)),
  );
  return {
    global: await get("/stats/global"),
    rankings,
    users,
    months: await Promise.all(months.map((month) => get(`/stats/monthly/${month}`, { limit: "1000" }))),
  };
}

async function rebuild() {
  const started = await api.call("POST", "/admin/rebuild", { headers: auth });
  expect(started.status).toBe(202);
  await api.rebuildsSettled();
  const report = (await api.call("GET", "/admin/rebuild")).json;
  expect(report.status, report.error).toBe("done");
  return report;
}

/** Produces orders, consumes them (a batch consumed twice, one malformed message), and returns the figures. */
async function produceAndConsume(count: number, seed: number) {
  const generate = createOrderGenerator({ random: seededRandom(seed), spreadDays: 90 });
  const orders = Array.from({ length: count }, () => generate().order);
  expect((await api.call("POST", "/orders", { body: { orders } })).status).toBe(202);
  const records = await api.receiveAll();
  const malformed = sqsRecord("not json at all");
  const again = records.slice(0, 5); // redelivered: the same message ids
  const duplicate = sqsRecord(JSON.stringify(orders[7])); // a new message with an order id already seen
  await api.consume([...records, malformed]);
  await api.consume([...again, duplicate]);
  return figures();
}

describe("POST /admin/rebuild", () => {
  it("brings every figure back to the cent after the keys are lost, and again changes nothing", async () => {
    const before = await produceAndConsume(60, 1);
    expect(before.global).toMatchObject({ duplicates: 1 });
    expect(before.global.failed_by_reason.malformed).toBe(1);

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("GET", "/stats/global")).json.total_orders).toBe(0);

    const report = await rebuild();
    expect(report).toMatchObject({ status: "done", orders_read: 60 + 1 + 5 + 1, judged_differently: 0 });
    expect(await figures()).toEqual(before);
    await rebuild();
    expect(await figures()).toEqual(before);
  });

  it("replays only what came after the latest clear", async () => {
    await produceAndConsume(20, 2);
    expect((await api.call("DELETE", "/clear_redis_db", { headers: auth })).status).toBe(200);
    const after = await produceAndConsume(10, 3);
    await deleteKeys(api.redis, api.prefix);
    const report = await rebuild();
    expect(report.orders_read).toBe(10 + 1 + 5 + 1);
    expect(await figures()).toEqual(after);
  });

  it("counts what the consumer records while it runs, and refuses a second rebuild or a clear meanwhile", async () => {
    await produceAndConsume(10, 4);
    const started = await api.call("POST", "/admin/rebuild", { headers: auth });
    expect(started.status).toBe(202);
    const second = await api.call("POST", "/admin/rebuild", { headers: auth });
    expect(second.status).toBe(409);
    expect(second.json.error).toBe("a rebuild is already running");
    const clear = await api.call("DELETE", "/clear_redis_db", { headers: auth });
    expect(clear.status).toBe(409);

    // Recorded during the rebuild (the store sees the new generation within its cache time).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await api.consume([sqsRecord(JSON.stringify(orderMessage({ order_id: "ORD-DURING-REBUILD" })))]);
    await api.rebuildsSettled();
    expect((await api.call("GET", "/admin/rebuild")).json.status).toBe("done");
    const logs = (await api.call("GET", "/consumer_logs", { query: { limit: "1000" } })).json;
    expect(JSON.stringify(logs)).toContain("ORD-DURING-REBUILD");
  });

  it("needs the admin token; GET shows progress to anyone", async () => {
    expect((await api.call("POST", "/admin/rebuild")).status).toBe(401);
    expect((await api.call("GET", "/admin/rebuild")).status).toBe(200);
  });
});

describe("a rebuild that would count fewer orders than the figures hold", () => {
  it("is refused and changes nothing, says why, and replaces them only when forced", async () => {
    // An earlier test's rebuild moved the generation; the pointer was deleted since: until the
    // processes' cached pointers expire they would write where the rebuild does not look.
    await sleep(GENERATION_CACHE_MS + 100);
    const before = await produceAndConsume(30, 3);
    // The archive loses what it held (as a local one kept nowhere did at a restart): the replay
    // starts after everything counted.
    await api.archive.markCleared();

    const started = await api.call("POST", "/admin/rebuild", { headers: auth });
    expect(started.status).toBe(202);
    await api.rebuildsSettled();
    const refused = (await api.call("GET", "/admin/rebuild")).json;
    const counted = before.global.total_orders + before.global.failed_orders;
    expect(refused).toMatchObject({ status: "refused", live_orders: counted, rebuilt_orders: 0 });
    expect(refused.error).toContain(`makes 0 orders, the figures hold ${counted}`);
    expect(await figures()).toEqual(before);

    const forced = await api.call("POST", "/admin/rebuild", { headers: auth, query: { force: "true" } });
    expect(forced.status).toBe(202);
    await api.rebuildsSettled();
    expect((await api.call("GET", "/admin/rebuild")).json).toMatchObject({
      status: "done",
      rebuilt_orders: 0,
    });
    expect((await api.call("GET", "/stats/global")).json.total_orders).toBe(0);
  });

  it("refuses a force that is not true or false", async () => {
    const wrong = await api.call("POST", "/admin/rebuild", { headers: auth, query: { force: "yes" } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.json)).toContain("force");
  });
});

describe("a rebuild longer than one invocation", () => {
  it("saves its place, invokes itself again, and ends exact", async () => {
    const before = await produceAndConsume(40, 5);
    await deleteKeys(api.redis, api.prefix);
    // Started without an invocation; the runs below stand for the rebuild function with little time.
    const started = await startRebuild({ ...api.rebuild, invoke: async () => {}, listDelayMs: 0 });
    const invocations: string[] = [];
    for (let run = 0; run < 20; run++) {
      // Each invocation's clock runs out after one object (its reserve is a quarter of its budget).
      let calls = 0;
      const result = await runRebuild(started.progress.id, {
        ...api.runDeps,
        continueLater: async () => {},
        remainingMs: () => (calls++ === 0 ? 40_000 : 1_000),
      });
      invocations.push(result);
      if (result === "done") break;
    }
    expect(invocations.filter((r) => r === "continued").length).toBeGreaterThanOrEqual(2);
    expect(invocations.at(-1)).toBe("done");
    expect(await figures()).toEqual(before);
  });
});

describe("a rebuild's read ahead", () => {
  it("never leaves the next object's failed download unhandled while the current one is recorded", async () => {
    await api.consume([sqsRecord(JSON.stringify(orderMessage({ order_id: "ORD-READ-AHEAD-1" })))]);
    await api.consume([sqsRecord(JSON.stringify(orderMessage({ order_id: "ORD-READ-AHEAD-2" })))]);
    const [, unreadable] = await api.archive.list(await api.archive.startAfter());
    expect(unreadable).toBeDefined();
    await deleteKeys(api.redis, api.prefix);
    const started = await startRebuild({ ...api.rebuild, invoke: async () => {}, listDelayMs: 0 });

    // The second object fails to download at once; the first one's recording waits until that
    // failure has had every chance to be reported unhandled (two turns of the event loop).
    let readFailed: () => void = () => {};
    const failure = new Promise<void>((resolve) => {
      readFailed = resolve;
    });
    const read = (key: string) => {
      if (key !== unreadable) return api.archive.read(key);
      readFailed();
      return Promise.reject(new UnreadableArchiveObjectError(key, "decompresses to more than 65536 bytes"));
    };
    const slowStore = (generation: number) => {
      const store = api.runDeps.storeOf(generation);
      return {
        globalStats: () => store.globalStats(),
        record: async (entries: Parameters<typeof store.record>[0]) => {
          await failure;
          for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
          return store.record(entries);
        },
      };
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const result = await runRebuild(started.progress.id, {
        ...api.runDeps,
        archive: { list: api.archive.list.bind(api.archive), read },
        storeOf: slowStore,
      });
      expect(result).toBe("done");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
    const report = (await api.call("GET", "/admin/rebuild")).json;
    expect(report).toMatchObject({ status: "done", objects_read: 1, objects_skipped: 1 });
  });
});
