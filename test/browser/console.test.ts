/// <reference lib="dom" />
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { localSqsClient } from "../../local/embedded-aws";
import type { LocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { launchChromium, pageProblems } from "../support/browser";
import { orderMessage } from "../support/factories";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * The local console (local/console/) in headless Chromium against local mode: an order found by
 * its id and its journey's spans from the gateway to the Redis write; the functions' figures; the
 * queues with a peek and the dead letters; the logs filtered and followed. Each test makes its own
 * data. `CONSOLE_SCREENSHOT=1` also writes docs/console.png.
 */

const SCREENSHOTS = join(PROJECT_ROOT, "test-results");
const prefix = uniquePrefix("console");
let mode: LocalMode;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  mode = await startSuiteLocalMode("console", prefix);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = pageProblems(page);
});

afterEach(async () => {
  await page?.close();
});

/** Submits one valid order through the API; its id and the answer's trace and request ids. */
async function submitOrder(traceHeader?: string) {
  const orderId = `ORDCONSOLE${randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}`;
  const answer = await fetch(`${mode.apiUrl}/orders`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(traceHeader ? { "x-amzn-trace-id": traceHeader } : {}),
    },
    body: JSON.stringify({ orders: [orderMessage({ order_id: orderId })] }),
  });
  expect(answer.status).toBe(202);
  return {
    orderId,
    traceHeader: answer.headers.get("x-amzn-trace-id") ?? "",
    requestId: answer.headers.get("x-amzn-requestid") ?? "",
  };
}

interface ShownSpan {
  kind: string;
  name: string;
  traceId: string;
  id: string;
  parentId: string;
  start: number;
  end: number;
}

const shownSpans = () =>
  page.$$eval("#spans .span-row", (rows) =>
    rows.map((row) => {
      const data = (row as HTMLElement).dataset;
      return {
        kind: data.kind ?? "",
        name: data.name ?? "",
        traceId: data.traceId ?? "",
        id: data.spanId ?? "",
        parentId: data.parentId ?? "",
        start: Number(data.start),
        end: Number(data.end),
      };
    }),
  );

describe("traces", () => {
  it("find an order by its id and show its journey, gateway to Redis write, with times that add up", async () => {
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    const order = await submitOrder(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`);
    expect(order.traceHeader).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`));

    await page.goto(`${mode.consoleUrl}#traces`);
    await page.fill("#order-id", order.orderId);
    const spans = await vi.waitFor(
      async () => {
        await page.click("#order-search button[type=submit]");
        const shown = await shownSpans();
        expect(shown.map((span) => span.name)).toContain("Redis record");
        return shown;
      },
      { timeout: 60_000, interval: 500 },
    );
    const one = (kind: string, name?: string | RegExp) => {
      const found = spans.filter(
        (span) => span.kind === kind && (name === undefined || new RegExp(name).test(span.name)),
      );
      expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
      return found[0] as ShownSpan;
    };
    const gateway = one("gateway", "POST /orders");
    const producer = one("invocation", "ProducerFunction");
    const send = one("function", /^send /);
    const wait = one("queue");
    const batch = one("batch");
    const consumer = one("invocation", "Consumer");
    const archive = one("function", "archive PutObject");
    const redis = one("function", "Redis record");

    // The producer's side continues the caller's trace; the consumer's batch is a trace of its own.
    for (const span of [gateway, producer, send, wait]) expect(span.traceId).toBe(root);
    for (const span of [batch, consumer, archive, redis]) expect(span.traceId).not.toBe(root);
    expect([producer.parentId, send.parentId, consumer.parentId, redis.parentId]).toEqual([
      gateway.id,
      producer.id,
      batch.id,
      consumer.id,
    ]);
    // Each inside its parent; the message waits from its sending (during the send) to the batch's start.
    const within = (inner: ShownSpan, outer: ShownSpan, slackMs = 0) => {
      expect(inner.start, `${inner.name} starts in ${outer.name}`).toBeGreaterThanOrEqual(
        outer.start - slackMs,
      );
      expect(inner.end, `${inner.name} ends in ${outer.name}`).toBeLessThanOrEqual(outer.end + slackMs);
    };
    within(producer, gateway);
    within(send, producer);
    within(consumer, batch);
    within(archive, consumer);
    within(redis, consumer);
    // SQS stamps the sending time in whole milliseconds.
    expect(wait.start).toBeGreaterThanOrEqual(Math.floor(send.start) - 1);
    expect(wait.start).toBeLessThanOrEqual(send.end);
    expect(wait.end).toBe(batch.start);
    expect(redis.start).toBeGreaterThanOrEqual(archive.end); // the archive first, then Redis
    const title = await page.locator("#waterfall-title").textContent();
    expect(title).toContain(order.orderId);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "console-trace.png"), fullPage: true });
    if (process.env.CONSOLE_SCREENSHOT)
      copyFileSync(join(SCREENSHOTS, "console-trace.png"), join(PROJECT_ROOT, "docs", "console.png"));
    expect(problems).toEqual([]);
  });

  it("list the recent requests, and open one as a waterfall", async () => {
    const order = await submitOrder();
    const root = /Root=([^;]+)/.exec(order.traceHeader)?.[1] ?? "";
    await page.goto(`${mode.consoleUrl}#traces`);
    await page.click(`#traces tr[data-trace-id="${root}"]`);
    await page.waitForSelector(`#spans .span-row[data-kind="gateway"][data-trace-id="${root}"]`);
    expect(problems).toEqual([]);
  });
});

describe("functions", () => {
  it("show each function's invocations, cold starts, durations and memory from its REPORTs", async () => {
    await submitOrder();
    await page.goto(`${mode.consoleUrl}#functions`);
    const row = page.locator('#functions tr[data-function="ProducerFunction"]');
    await vi.waitFor(
      async () => expect(Number(await row.locator("td").nth(1).textContent())).toBeGreaterThan(0),
      {
        timeout: 10_000,
      },
    );
    const cells = await row.locator("td").allTextContents();
    expect(Number(cells[3])).toBeGreaterThanOrEqual(1); // cold starts
    expect(cells[4]).toMatch(/ ms$/); // its last init
    expect(cells[5]).toMatch(/^[\d.]+ ms$/); // p50
    expect(cells[6]).toMatch(/^[\d.]+ ms$/); // p99
    expect(cells[7]).toMatch(/^\d+ \/ \d+ MB$/);
    // Every function of the template has its row, invoked or not.
    expect(await page.locator("#functions tr").count()).toBe(mode.functions.size);
    expect(problems).toEqual([]);
  });
});

describe("queues", () => {
  it("show depth, in flight, delayed, the oldest message's age, a peek, and the dead letters", async () => {
    const orders = [...mode.queues.values()].find((queue) => queue.model.redrive);
    const deadLetters = [...mode.queues.values()].find((queue) => !queue.model.redrive);
    if (!orders || !deadLetters) throw new Error("no order queue with its dead-letter queue");
    const marker = randomUUID();
    const sqs = localSqsClient(mode.sqsEndpoint);
    // In the dead-letter queue, which nothing consumes; in the order queue, delayed past the test.
    await sqs.send(new SendMessageCommand({ QueueUrl: deadLetters.url, MessageBody: `dead ${marker}` }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: orders.url, MessageBody: `later ${marker}`, DelaySeconds: 900 }),
    );
    sqs.destroy();

    await page.goto(`${mode.consoleUrl}#queues`);
    const dlq = page.locator(`.queue[data-queue="${deadLetters.name}"]`);
    await dlq.locator("tr", { hasText: `dead ${marker}` }).waitFor();
    expect(await dlq.locator("h3 .tag").textContent()).toBe(`dead letters of ${orders.name}`);
    expect(Number(await dlq.locator('[data-figure="waiting"]').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await dlq.locator('[data-figure="oldest"]').textContent())).toBeGreaterThanOrEqual(0);
    const queue = page.locator(`.queue[data-queue="${orders.name}"]`);
    expect(Number(await queue.locator('[data-figure="delayed"]').textContent())).toBeGreaterThanOrEqual(1);
    expect(
      await queue
        .locator("tr", { hasText: `later ${marker}` })
        .locator("td")
        .nth(1)
        .textContent(),
    ).toBe("delayed");
    expect(problems).toEqual([]);
  });
});

describe("logs", () => {
  it("follow the functions' lines live, filtered by function, level and request id", async () => {
    await page.goto(`${mode.consoleUrl}#logs`);
    await page.waitForSelector("#logs tr");
    const order = await submitOrder(); // after the page opened: it must arrive by following
    const line = page.locator(`#logs tr[data-source="ProducerFunction"]`, { hasText: order.requestId });
    await line.first().waitFor({ timeout: 15_000 });

    await page.fill("#log-request-id", order.requestId);
    await page.dispatchEvent("#log-request-id", "change");
    await vi.waitFor(async () => {
      const rows = await page.locator("#logs tr").allTextContents();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.includes(order.requestId))).toBe(true);
    });

    await page.fill("#log-request-id", "");
    await page.selectOption("#log-function", "Consumer");
    await page.selectOption("#log-level", "INFO");
    await vi.waitFor(
      async () => {
        const sources = await page.$$eval("#logs tr[data-source]", (rows) =>
          rows.map((row) => `${(row as HTMLElement).dataset.source} ${(row as HTMLElement).dataset.level}`),
        );
        expect(sources.length).toBeGreaterThan(0);
        expect(new Set(sources)).toEqual(new Set(["Consumer INFO"]));
      },
      { timeout: 15_000 },
    );
    expect(problems).toEqual([]);
  });
});
