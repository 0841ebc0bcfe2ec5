import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GENERATION_CACHE_MS } from "../../lambdas/adapters/redis-generations";
import { storeKeys } from "../../lambdas/adapters/redis-keys";
import { archiveObjectMetadata } from "../../lambdas/adapters/s3-archive";
import { type ArchivedMessage, archiveKey, archiveKeyTime, archiveLines } from "../../lambdas/core/archive";
import { generationPrefix } from "../../lambdas/core/key-prefix";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import { ConfigError, parseEnv, RedisEnvSchema } from "../../lambdas/shared/config";
import { runRebuild, startRebuild } from "../../lambdas/workflows/rebuild-from-archive";
import { orderMessage, sqsRecord } from "../support/factories";
import { deleteKeys } from "../support/redis";
import { startTestApi, type TestApi } from "../support/test-api";

/**
 * What a writer with write access could do to everyone's figures, each tried through the real
 * API, consumer, Redis and archive (the findings of issue 27): none of it may stop others' orders
 * from counting, grow Redis without bound, or make a rebuild disagree with the live figures.
 */

const adminToken = "hostile-token";
const auth = { authorization: `Bearer ${adminToken}` };
/** Scaled down: the largest order worth 2,000.00, markers that last 2 s. */
const MAX_ORDER_CENTS = 200_000;
const MARKER_TTL_SECONDS = 2;
/** Archive objects above 64 KB decompressed are refused (a gzip bomb's test size). */
const MAX_ARCHIVE_BYTES = 64 * 1024;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({
    name: "hostile",
    adminToken,
    rules: { ...DEFAULT_JUDGING_RULES, maxOrderValueCents: MAX_ORDER_CENTS },
    markerTtlSeconds: MARKER_TTL_SECONDS,
    maxArchiveObjectBytes: MAX_ARCHIVE_BYTES,
  });
});
afterAll(() => api.close());
let rebuildsSeen = 0;
beforeEach(async () => {
  const rebuilds = (await api.rebuildsSettled()).length;
  await deleteKeys(api.redis, api.prefix);
  // After a rebuild every store trusts the generation it switched to for a while: wait until
  // they have seen it deleted, so that this test's orders go where it reads them.
  if (rebuilds > rebuildsSeen) await sleep(GENERATION_CACHE_MS + 100);
  rebuildsSeen = rebuilds;
  await api.archive.markCleared();
  await api.receiveAll();
});

const order = (overrides: Record<string, unknown>) => orderMessage({ ...overrides });
/** An order of `cents` in one item, dated now. */
const worth = (orderId: string, cents: number, userId = "U1003") =>
  order({
    order_id: orderId,
    user_id: userId,
    order_timestamp: new Date().toISOString(),
    order_value: cents / 100,
    items: [{ product_id: "P001", quantity: 1, price_per_unit: cents / 100 }],
  });
const get = async (path: string) => (await api.call("GET", path)).json;
const submit = (orders: object[]) => api.call("POST", "/orders", { body: { orders } });

describe("a saturation burst", () => {
  it("fails every order above the maximum value, counted once, and ordinary orders still count to the cent", async () => {
    // The burst of issue 27, scaled down: 99 orders just above the maximum, one at it.
    const burst = Array.from({ length: 99 }, (_, i) => worth(`ORD-BURST-${i}`, MAX_ORDER_CENTS + 1, "U6666"));
    expect((await submit([...burst, worth("ORD-AT-MAX", MAX_ORDER_CENTS, "U6666")])).status).toBe(202);
    await api.consumeAll();
    const afterBurst = await get("/stats/global");
    expect(afterBurst).toMatchObject({ total_orders: 1, total_revenue: 2000, failed_orders: 99 });
    expect(afterBurst.failed_by_reason).toEqual({ value_too_large: 99 });

    expect((await submit([worth("ORD-ORDINARY-1", 12_345), worth("ORD-ORDINARY-2", 1)])).status).toBe(202);
    await api.consumeAll();
    expect(await get("/stats/global")).toMatchObject({ total_orders: 3, total_revenue: 2123.46 });
    expect(await get("/users/U1003/stats")).toMatchObject({ order_count: 2, total_spend: 123.46 });
  });

  it("keeps counting past 2^53 cents, and the API shows the totals exactly (no rounding)", async () => {
    // Where the old bound froze every total: global revenue at 2^53 - 1 cents.
    const globalKey = storeKeys(api.prefix).global;
    await api.redis.hset(globalKey, "revenue_cents", String(Number.MAX_SAFE_INTEGER));

    expect((await submit([worth("ORD-PAST-2-53", 12_345)])).status).toBe(202);
    await api.consumeAll();

    const answer = await api.call("GET", "/stats/global");
    expect(answer.json.total_orders).toBe(1);
    // 9007199254740991 + 12345 cents = 90071992547533.36, written exactly in the JSON text.
    expect(answer.text).toContain('"total_revenue":90071992547533.36');
    expect(await api.redis.hget(globalKey, "revenue_cents")).toBe("9007199254753336");
  });
});

describe("fields without a bound", () => {
  const huge = "9".repeat(200_000);

  it.each([
    ["order_timestamp", { order_timestamp: `2026-11-24T10:15:00.${huge}Z` }],
    ["order_id", { order_id: `ORD${"X".repeat(64)}` }],
    ["user_id", { user_id: `U${"1".repeat(64)}` }],
    ["shipping_address", { shipping_address: "a".repeat(501) }],
    ["payment_method", { payment_method: "p".repeat(65) }],
  ])("refuses a huge %s at POST /orders with a 400 naming it", async (field, overrides) => {
    const answer = await submit([order(overrides)]);
    expect(answer.status).toBe(400);
    expect(answer.json.details.join(" ")).toContain(`body.orders.0.${field}`);
  });

  it("makes a huge timestamp on the queue a malformed message: dead-lettered, never stored whole", async () => {
    await api.consume([
      sqsRecord(JSON.stringify(order({ order_timestamp: `2026-11-24T10:15:00.${huge}Z` }))),
    ]);
    expect((await get("/stats/global")).failed_by_reason).toEqual({ malformed: 1 });
    const logs = await api.call("GET", "/consumer_logs");
    expect(logs.text.length).toBeLessThan(5_000);
    const stream = await api.redis.xrange(storeKeys(api.prefix).logs, "-", "+");
    expect(JSON.stringify(stream).length).toBeLessThan(5_000);
  });

  it("keeps a malformed message's log entry short, whatever its problems", async () => {
    const items = Array.from({ length: 1000 }, () => ({ product_id: "", quantity: -1, price_per_unit: -1 }));
    await api.consume([sqsRecord(JSON.stringify(order({ items })))]);
    const [entry] = await api.redis.xrange(storeKeys(api.prefix).logs, "-", "+");
    expect(JSON.stringify(entry).length).toBeLessThan(2_500);
  });

  it("stores timestamps in one canonical form", async () => {
    await api.consume([
      sqsRecord(
        JSON.stringify(order({ order_id: "ORD-TZ", order_timestamp: "2026-11-24T15:45:00.5+05:30" })),
      ),
    ]);
    const logs = (await api.call("GET", "/consumer_logs")).json;
    expect(logs.logs[0].order_timestamp).toBe("2026-11-24T10:15:00.500Z");
  });
});

describe("months", () => {
  it("makes far-future and ancient orders failed orders that create no month", async () => {
    const future = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
    await api.consume([
      sqsRecord(
        JSON.stringify(order({ order_id: "ORD-FAR-FUTURE", order_timestamp: "9999-12-31T00:00:00Z" })),
      ),
      sqsRecord(JSON.stringify(order({ order_id: "ORD-NEXT-WEEK", order_timestamp: future }))),
      sqsRecord(JSON.stringify(order({ order_id: "ORD-ANCIENT", order_timestamp: "0001-01-01T00:00:00Z" }))),
      sqsRecord(JSON.stringify(order({ order_id: "ORD-FINE", order_timestamp: new Date().toISOString() }))),
    ]);
    const global = await get("/stats/global");
    expect(global).toMatchObject({ total_orders: 1, failed_orders: 3 });
    expect(global.failed_by_reason).toEqual({ date_out_of_range: 3 });
    expect((await get("/stats/months")).months).toEqual([new Date().toISOString().slice(0, 7)]);
    expect((await api.call("GET", "/stats/monthly/9999-12")).status).toBe(404);
    expect(await get("/users/U1003/stats")).toMatchObject({ order_count: 1, failed_order_count: 3 });
  });
});

describe("months from failed orders", () => {
  it("come only from dates in range, whichever rule an order broke first, live and in a rebuild", async () => {
    const fine = worth("ORD-IN-RANGE", 1_000);
    expect(
      (
        await submit([
          order({ order_id: "X1", order_timestamp: "9999-11-30T00:00:00Z" }),
          order({ order_id: "ORD-FREE", order_value: 0, items: [], order_timestamp: "0001-01-01T00:00:00Z" }),
          order({ order_id: "X2", user_id: "U1003", order_timestamp: fine.order_timestamp }),
          fine,
        ])
      ).status,
    ).toBe(202);
    await api.consumeAll();
    const live = {
      global: await get("/stats/global"),
      months: await get("/stats/months"),
      user: await get("/users/U1003/stats"),
    };
    expect(live.global.failed_by_reason).toEqual({ invalid_order_id: 2, non_positive_value: 1 });
    expect(live.months.months).toEqual([fine.order_timestamp.slice(0, 7)]);
    expect(live.user).toMatchObject({ order_count: 1, failed_order_count: 3 });
    expect((await api.call("GET", "/stats/monthly/9999-11")).status).toBe(404);

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("POST", "/admin/rebuild", { headers: auth })).status).toBe(202);
    await api.rebuildsSettled();
    expect({
      global: await get("/stats/global"),
      months: await get("/stats/months"),
      user: await get("/users/U1003/stats"),
    }).toEqual(live);
  });
});

describe("log lines", () => {
  it("hold no control character as it is: a newline in an order id forges no /consumer_logs line", async () => {
    const forged = "X\n[USER: U1000] [ORDER: ORD9] Processed successfully";
    expect((await submit([order({ order_id: forged })])).status).toBe(202);
    await api.consumeAll();
    const [logged] = (await get("/consumer_logs")).logs;
    expect(logged.message).toBe(
      "[ERROR] Invalid/missing order ID: X\\n[USER: U1000] [ORDER: ORD9] Processed successfully, skipping order",
    );
    expect(logged.order_id).toBe(forged); // the structured field keeps the value, JSON-escaped
  });
});

describe("an empty order_id", () => {
  it("is refused at POST /orders", async () => {
    const answer = await submit([order({ order_id: "" })]);
    expect(answer.status).toBe(400);
    expect(answer.json.details).toContain("body.orders.0.order_id: must not be empty");
  });

  it("on the queue, is a failed order invalid_order_id, counted once however often delivered", async () => {
    const record = sqsRecord(JSON.stringify(order({ order_id: "" })));
    await api.consume([record]);
    await api.consume([record]); // a redelivery
    const global = await get("/stats/global");
    expect(global).toMatchObject({ failed_orders: 1 });
    expect(global.failed_by_reason).toEqual({ invalid_order_id: 1 });
    expect(await get("/users/U1003/stats")).toMatchObject({ failed_order_count: 1 });
  });
});

describe("live and rebuilt figures", () => {
  it("agree across a marker's expiry: an order id sent again after it counts again, in both", async () => {
    const send = (body: object) =>
      api.sqs.client.send(
        new SendMessageCommand({ QueueUrl: api.queueUrl, MessageBody: JSON.stringify(body) }),
      );
    const first = worth("ORD-SENT-TWICE", 5_000);
    await send(first);
    await send(first); // a second message with the same order id, within the TTL: a duplicate
    await api.consumeAll();
    await new Promise((resolve) => setTimeout(resolve, (MARKER_TTL_SECONDS + 1) * 1000));
    await send(first); // after the TTL, measured between the messages' sent times: counted again
    await api.consumeAll();
    const live = await get("/stats/global");
    expect(live).toMatchObject({ total_orders: 2, total_revenue: 100, duplicates: 1 });

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("POST", "/admin/rebuild", { headers: auth })).status).toBe(202);
    await api.rebuildsSettled();
    expect((await get("/admin/rebuild")).status).toBe("done");
    expect(await get("/stats/global")).toEqual(live);
  });
});

/** Puts an object in the archive's bucket; `authenticationKey` given, with an authenticator made with it. */
const putObject = (key: string, body: Buffer, authenticationKey?: string) =>
  api.s3.send(
    new PutObjectCommand({
      Bucket: api.archiveBucket,
      Key: key,
      Body: body,
      ...(authenticationKey
        ? { Metadata: archiveObjectMetadata(authenticationKey, key, "reject", body) }
        : {}),
    }),
  );

/** An archived message of an order (a valid one, unless said otherwise), sent `sentAt`. */
const archived = (
  messageId: string,
  body: object,
  overrides: Partial<ArchivedMessage> = {},
): ArchivedMessage => ({
  messageId,
  sourceMessageId: messageId,
  sentAt: new Date().toISOString(),
  outcome: "valid",
  reason: undefined,
  valueMismatch: "reject",
  body: JSON.stringify(body),
  ...overrides,
});

describe("a rebuild from a tampered archive", () => {
  it("skips and counts a garbage object, a broken gzip, a gzip bomb and a bad line, even authenticated, and restores every other figure", async () => {
    expect((await submit([worth("ORD-KEPT-1", 1_000), worth("ORD-KEPT-2", 2_000)])).status).toBe(202);
    await api.consumeAll();
    const live = await get("/stats/global");

    // Authenticated, as if the consumer had written them: what a rebuild does with bad bytes.
    const put = (key: string, body: Buffer) => putObject(key, body, api.archiveKey);
    const now = new Date();
    await put(archiveKey(now, "garbage"), Buffer.from("this is not an archive object at all"));
    await put(
      archiveKey(now, "not-gzip-inside"),
      Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from("junk")]),
    );
    await put(archiveKey(now, "bomb"), gzipSync(Buffer.alloc(MAX_ARCHIVE_BYTES * 16)));
    const goodLine = archiveLines(
      [
        {
          messageId: "m-extra",
          sourceMessageId: "m-extra",
          sentAt: now.toISOString(),
          outcome: "valid",
          reason: undefined,
          valueMismatch: "reject",
          body: JSON.stringify(worth("ORD-FROM-ARCHIVE", 500)),
        },
      ],
      now.toISOString(),
    );
    await put(
      archiveKey(now, "one-bad-line"),
      gzipSync(Buffer.concat([Buffer.from("{not json\n"), goodLine])),
    );

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("POST", "/admin/rebuild", { headers: auth })).status).toBe(202);
    await api.rebuildsSettled();
    const report = await get("/admin/rebuild");
    // Skipped whole: the broken gzip and the bomb. Plain text is read as lines (a client may hand
    // an object back decoded already), so the garbage object is one skipped line, with the bad one.
    expect(report).toMatchObject({
      status: "done",
      objects_skipped: 2,
      objects_unauthenticated: 0,
      lines_skipped: 2,
    });
    expect(await get("/stats/global")).toEqual({
      ...live,
      total_orders: live.total_orders + 1,
      total_revenue: live.total_revenue + 5,
    });
  });

  it("restores exactly what the genuine objects make, past a poisoned line, forged objects and foreign ones, and counts each", async () => {
    const genuine = worth("ORD-GENUINE", 1_000);
    expect((await submit([genuine, worth("ORD-GENUINE-2", 2_000, "U1004")])).status).toBe(202);
    await api.consumeAll();
    const figures = async () => ({
      global: await get("/stats/global"),
      months: await get("/stats/months"),
      users: await get("/users"),
    });
    const live = await figures();
    const [genuineKey = ""] = await api.archive.list(await api.archive.startAfter());
    // Its message id and order id are public (GET /consumer_logs): a forgery can name them.
    const { message_id: genuineMessageId } = (await get("/consumer_logs")).logs[0];

    // Forged, sorting first: the genuine order moved to another user, a month in 9999 (sent then),
    // a mismatch counted as corrected on this reject deployment. Without an authenticator, then
    // with one made up.
    const firstAt = new Date(Date.parse(archiveKeyTime(genuineKey) ?? "") - 1);
    const forgedLines = gzipSync(
      Buffer.concat([
        archiveLines([archived(genuineMessageId, { ...genuine, user_id: "U6666" })], firstAt.toISOString()),
        archiveLines(
          [
            archived("m-9999", worth("ORD-9999", 700), { sentAt: "9999-12-31T00:00:00.000Z" }),
            archived(
              "m-corrected",
              { ...worth("ORD-CORRECTED", 700), order_value: 999 },
              { valueMismatch: "correct" },
            ),
          ],
          firstAt.toISOString(),
        ),
      ]),
    );
    await putObject(archiveKey(firstAt, "forged"), forgedLines);
    await api.s3.send(
      new PutObjectCommand({
        Bucket: api.archiveBucket,
        Key: archiveKey(firstAt, "forged-tag"),
        Body: forgedLines,
        Metadata: { "hmac-sha256": "ab".repeat(32), "value-mismatch": "correct" },
      }),
    );
    // Foreign: another deployment's consumer (another key), and a genuine object copied under another key.
    await putObject(archiveKey(firstAt, "foreign"), forgedLines, "another-deployment-archive-key");
    const original = await api.s3.send(new GetObjectCommand({ Bucket: api.archiveBucket, Key: genuineKey }));
    await api.s3.send(
      new PutObjectCommand({
        Bucket: api.archiveBucket,
        Key: archiveKey(firstAt, "copied"),
        Body: await original.Body?.transformToByteArray(),
        Metadata: original.Metadata,
      }),
    );
    // Authenticated (the consumer's key), with a line Redis cannot take and one sent after its object.
    const withBadLines = api.archive.open("bad-lines", "reject");
    withBadLines.add([
      archived("poison-\ud800", worth("ORD-POISON", 300)),
      archived("m-sent-later", worth("ORD-LATER", 300), { sentAt: "9999-12-01T00:00:00.000Z" }),
    ]);
    await withBadLines.close();

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("POST", "/admin/rebuild", { headers: auth })).status).toBe(202);
    await api.rebuildsSettled();
    expect(await get("/admin/rebuild")).toMatchObject({
      status: "done",
      objects_read: 2,
      objects_skipped: 4,
      objects_unauthenticated: 4,
      lines_skipped: 2,
      judged_differently: 0,
    });
    expect(await figures()).toEqual(live);
    expect((await api.call("GET", "/users/U6666/stats")).status).toBe(404);
  });

  it("skips and counts a line Redis's JSON decoder would refuse (a lone surrogate in its id), and ends exact", async () => {
    expect((await submit([worth("ORD-BESIDE-POISON", 1_000)])).status).toBe(202);
    await api.consumeAll();
    const live = await get("/stats/global");
    const poisoned = api.archive.open("poisoned", "reject");
    poisoned.add([
      {
        messageId: "poison-\ud800",
        sourceMessageId: "poison-\ud800",
        sentAt: new Date().toISOString(),
        outcome: "valid",
        reason: undefined,
        valueMismatch: "reject",
        body: JSON.stringify(worth("ORD-POISONED", 500)),
      },
    ]);
    await poisoned.close();

    await deleteKeys(api.redis, api.prefix);
    expect((await api.call("POST", "/admin/rebuild", { headers: auth })).status).toBe(202);
    await api.rebuildsSettled();
    expect(await get("/admin/rebuild")).toMatchObject({
      status: "done",
      objects_skipped: 0,
      lines_skipped: 1,
    });
    expect(await get("/stats/global")).toEqual(live);
  });

  it("skips and counts the entries Redis refuses, and records the rest", async () => {
    expect((await submit([worth("ORD-OTHERS", 1_000), worth("ORD-REFUSED", 2_000, "U6666")])).status).toBe(
      202,
    );
    await api.consumeAll();
    await deleteKeys(api.redis, api.prefix);
    const started = await startRebuild({ ...api.rebuild, invoke: async () => {}, listDelayMs: 0 });
    // A key of the wrong type in the generation being built: Redis refuses every entry touching it.
    const built = generationPrefix(api.prefix, started.progress.generation);
    await api.redis.set(storeKeys(built).user("U6666"), "not a hash");

    expect(await runRebuild(started.progress.id, api.runDeps)).toBe("done");
    expect(await get("/admin/rebuild")).toMatchObject({ status: "done", orders_read: 1, lines_skipped: 1 });
    expect(await get("/stats/global")).toMatchObject({ total_orders: 1, total_revenue: 10 });
  });

  it("shows no raw error text in the public status of a failed rebuild", async () => {
    const started = await startRebuild({ ...api.rebuild, invoke: async () => {}, listDelayMs: 0 });
    const leaky = new Error("s3://internal-bucket/secret/path refused");
    const result = await runRebuild(started.progress.id, {
      ...api.runDeps,
      archive: { ...api.archive, list: () => Promise.reject(leaky) },
    });
    expect(result).toBe("failed");
    const report = await api.call("GET", "/admin/rebuild");
    expect(report.json).toMatchObject({ status: "failed", error: expect.stringContaining("log") });
    expect(report.text).not.toContain("internal-bucket");
  });
});

describe("key prefixes", () => {
  it("refuses a prefix that looks like another deployment's key generation", () => {
    expect(() => parseEnv(RedisEnvSchema, { REDIS_MODE: "single", KEY_PREFIX: "orders:gen1:" })).toThrow(
      ConfigError,
    );
    expect(() => parseEnv(RedisEnvSchema, { REDIS_MODE: "single", KEY_PREFIX: "orders:gen12:" })).toThrow(
      /gen<N>:/,
    );
    expect(parseEnv(RedisEnvSchema, { REDIS_MODE: "single", KEY_PREFIX: "orders:general:" }).KEY_PREFIX).toBe(
      "orders:general:",
    );
  });
});
