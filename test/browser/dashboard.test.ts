/// <reference lib="dom" />
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../lambdas/http/routes";
import { localSqsClient } from "../../local/embedded-aws";
import type { LocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { launchChromium, pageProblems } from "../support/browser";
import { startSuiteLocalMode } from "../support/local-mode";
import { deleteStoreKeys, uniquePrefix } from "../support/redis";

/**
 * The dashboard and the docs in headless Chromium against local mode: produce from the page, watch
 * it update; try a request from Swagger UI. The API is served under a path prefix the pages do not
 * know, shaped like LocalStack's invoke URL, so every link they make must be relative.
 */

const PATH_PREFIX = "/_aws/execute-api/b5x7k2q9/prod";
const SCREENSHOTS = join(PROJECT_ROOT, "test-results");
const prefix = uniquePrefix("dashboard");
let mode: LocalMode;
let browser: Browser;
/** The page of the test that runs, opened afresh for each test. */
let page: Page;
/** What went wrong on that page: console errors, page errors, failed requests, 4xx and 5xx answers. */
let problems: string[];

beforeAll(async () => {
  mode = await startSuiteLocalMode("dashboard", prefix, {
    pathPrefix: PATH_PREFIX,
  });
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
  // The dashboard asks for the admin token in a prompt before an admin action.
  page.on("dialog", (dialog) => void dialog.accept(adminToken()));
});

afterEach(async () => {
  await page?.close();
});

const adminToken = () => mode.secrets.find((secret) => secret.name === "AdminToken")?.value ?? "";

async function apiGlobal() {
  return (await (await fetch(`${mode.apiUrl}/stats/global`)).json()) as {
    total_orders: number;
    total_revenue: number;
    failed_orders: number;
  };
}

/** Empties the analytics, as `DELETE /clear_redis_db` does for a user. */
async function clearAnalytics(): Promise<void> {
  const answer = await fetch(`${mode.apiUrl}/clear_redis_db`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${adminToken()}` },
  });
  expect(answer.status).toBe(200);
}

/** Produces `count` orders from the page and waits until the API shows every one counted. */
async function produceFromPage(count: number) {
  const before = await apiGlobal();
  await page.fill("#count", String(count));
  await page.click("#produce-button");
  await page.waitForFunction(
    (expected) => document.querySelector("#produce-result")?.textContent?.includes(expected),
    `Successfully sent ${count}`,
  );
  return vi.waitFor(
    async () => {
      const counted = await apiGlobal();
      expect(counted.total_orders + counted.failed_orders).toBe(
        before.total_orders + before.failed_orders + count,
      );
      return counted;
    },
    { timeout: 60_000, interval: 300 },
  );
}

const figure = (name: string) => page.locator(`[data-figure="${name}"]`).textContent();
const money = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe("dashboard", () => {
  it("shows empty figures when there is no data", async () => {
    await clearAnalytics();
    await page.goto(`${mode.apiUrl}/dashboard`);
    await page.waitForFunction(() => document.querySelector('[data-figure="orders"]')?.textContent === "0");
    expect(await figure("failed")).toBe("0");
    expect(await page.locator("#by-spend").textContent()).toBe("Nothing yet.");
    expect(problems).toEqual([]);
  });

  it("produces orders from the page and shows the API's figures and charts", async () => {
    await clearAnalytics();
    await page.goto(`${mode.apiUrl}/dashboard`);
    const global = await produceFromPage(60);
    await page.waitForFunction(
      (expected) => document.querySelector('[data-figure="orders"]')?.textContent === expected,
      new Intl.NumberFormat("en").format(global.total_orders),
    );
    expect(await page.locator('[data-figure="revenue"]').getAttribute("title")).toBe(
      money.format(global.total_revenue),
    );
    expect(await figure("revenue")).toBe(
      new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 }).format(
        global.total_revenue,
      ),
    );
    expect(await figure("failed")).toBe(String(global.failed_orders));
    expect(await figure("dlq")).toBe("0");

    await page.waitForSelector("#chart canvas");
    // Rows of figures, not the "Nothing yet." row an empty table shows.
    const figureRows = (table: string) => page.locator(`${table} tr:not(:has(td.empty))`).count();
    expect(await figureRows("#by-spend")).toBeGreaterThan(0);
    expect(await figureRows("#logs")).toBeGreaterThan(0);
    if (global.failed_orders > 0) expect(await figureRows("#failures")).toBeGreaterThan(0);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard.png"), fullPage: true });
    // On a phone the chart fits the screen once the page has laid it out again.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => (document.querySelector("#chart canvas")?.clientWidth ?? 1e9) <= 390);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe("dead letters on the dashboard", () => {
  it("lists them with their reason after asking for the admin token, and redrives them", async () => {
    await page.goto(`${mode.apiUrl}/dashboard`);
    const queue = [...mode.queues.values()].find((q) => q.model.redrive);
    if (!queue) throw new Error("no order queue");
    const sqs = localSqsClient(mode.sqsEndpoint);
    for (const body of ["not an order", '{"order_id": "ORD-BROWSER-DLQ"}']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    }
    sqs.destroy();
    await page.waitForFunction(() => document.querySelector('[data-figure="dlq"]')?.textContent === "2");

    await page.click("#dlq-show");
    await page.waitForFunction(() => document.querySelectorAll("#dead-letters tr").length === 2);
    const rows = await page.locator("#dead-letters tr").allTextContents();
    expect(rows.every((row) => row.startsWith("malformed"))).toBe(true);
    expect(rows.some((row) => row.includes("ORD-BROWSER-DLQ"))).toBe(true);
    expect(await page.locator("#dlq-result").textContent()).toBe("2 in the dead-letter queue");

    await page.click("#dlq-redrive");
    await page.waitForFunction(() =>
      document.querySelector("#dlq-result")?.textContent?.startsWith("moved 2"),
    );
    // Still malformed: the consumer sends them back, and the card shows them again.
    await page.waitForFunction(
      () => document.querySelector('[data-figure="dlq"]')?.textContent === "2",
      null,
      { timeout: 60_000 },
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-dead-letters.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe("a rebuild on the dashboard", () => {
  it("shows the rebuild while it runs, then how it ended", async () => {
    await page.goto(`${mode.apiUrl}/dashboard`);
    await produceFromPage(20); // something in the archive to rebuild from
    expect(await page.locator("#rebuild").isHidden()).toBe(true);
    const started = await fetch(`${mode.apiUrl}/admin/rebuild`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    expect(started.status).toBe(202);
    // The rebuild waits a few seconds before it reads the archive: the page sees it running.
    await page.waitForFunction(() =>
      document.querySelector("#rebuild")?.textContent?.startsWith("Rebuilding the figures"),
    );
    await page.waitForFunction(
      () =>
        document.querySelector("#rebuild")?.textContent?.startsWith("Figures rebuilt from the order archive"),
      null,
      { timeout: 60_000 },
    );
    expect(await page.locator("#rebuild").textContent()).toMatch(/[1-9][\d,]* orders read/);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-rebuild.png") });
    expect(problems).toEqual([]);
  });
});

describe("docs", () => {
  it("renders every operation and runs one from Swagger UI against the API it is served by", async () => {
    await page.goto(`${mode.apiUrl}/docs`);
    await page.waitForSelector(".opblock");
    expect(await page.locator(".opblock").count()).toBe(Object.keys(ROUTES).length);

    const operation = page.locator("#operations-stats-getGlobalStats");
    await operation.locator(".opblock-summary").click();
    await operation.locator("button.try-out__btn").click();
    await operation.locator("button.execute").click();
    const status = operation.locator(".live-responses-table tbody .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    // The request went to the API under its prefix, not to the host's root.
    expect(await operation.locator(".request-url pre").textContent()).toBe(`${mode.apiUrl}/stats/global`);
    expect(problems).toEqual([]);
  });
});
