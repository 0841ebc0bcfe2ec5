/// <reference lib="dom" />
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../lambdas/http/routes";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { localSqsClient } from "../../local/sqs";
import { PROJECT_ROOT } from "../../local/synth";
import { deleteStoreKeys, redisMode, redisUrl, uniquePrefix } from "../support/redis";

/**
 * The dashboard and the docs in headless Chromium against local mode: produce from the page, watch
 * it update; try a request from Swagger UI. The API is served under a path prefix the pages do not
 * know, shaped like LocalStack's invoke URL, so every link they make must be relative.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? chromiumOnPath();
const PATH_PREFIX = "/_aws/execute-api/b5x7k2q9/prod";
const SCREENSHOTS = join(PROJECT_ROOT, "test-results");
const prefix = uniquePrefix("dashboard");
let mode: LocalMode;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  mode = await startLocalMode({
    port: 0,
    redisUrl: redisUrl(),
    redisMode: redisMode(),
    context: { keyPrefix: prefix },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "dashboard"),
    pathPrefix: PATH_PREFIX,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await mode?.stop();
  await deleteStoreKeys(prefix);
});

async function apiGlobal() {
  return (await (await fetch(`${mode.apiUrl}/stats/global`)).json()) as {
    total_orders: number;
    total_revenue: number;
    failed_orders: number;
  };
}

const figure = (name: string) => page.locator(`[data-figure="${name}"]`).textContent();
const money = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe("dashboard", () => {
  it("shows empty figures first", async () => {
    await page.goto(`${mode.apiUrl}/dashboard`);
    await page.waitForFunction(() => document.querySelector('[data-figure="orders"]')?.textContent === "0");
    expect(await figure("failed")).toBe("0");
  });

  it("produces orders from the page and shows the API's figures and charts", async () => {
    await page.fill("#count", "60");
    await page.click("#produce-button");
    await page.waitForFunction(() =>
      document.querySelector("#produce-result")?.textContent?.includes("Successfully sent 60"),
    );

    // wait until the consumer has counted all 60 and the page has caught up with the API
    const global = await vi.waitFor(
      async () => {
        const counted = await apiGlobal();
        expect(counted.total_orders + counted.failed_orders).toBe(60);
        return counted;
      },
      { timeout: 60_000, interval: 300 },
    );
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
    expect(await page.locator("#by-spend tr").count()).toBeGreaterThan(0);
    expect(await page.locator("#logs tr").count()).toBeGreaterThan(0);
    if (global.failed_orders > 0) expect(await page.locator("#failures tr").count()).toBeGreaterThan(0);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-phone.png"), fullPage: true });
  });

  it("raised no console error and no failed request", () => {
    expect(problems).toEqual([]);
  });
});

describe("dead letters on the dashboard", () => {
  it("lists them with their reason after asking for the admin token, and redrives them", async () => {
    problems.length = 0; // this part's own problems only
    const token = mode.secrets.find((secret) => secret.name === "AdminToken")?.value ?? "";
    page.on("dialog", (dialog) => void dialog.accept(token));
    await page.setViewportSize({ width: 1280, height: 900 });
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
      {
        timeout: 60_000,
      },
    );
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-dead-letters.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe("a rebuild on the dashboard", () => {
  it("shows the rebuild while it runs, then how it ended", async () => {
    problems.length = 0;
    await page.goto(`${mode.apiUrl}/dashboard`);
    expect(await page.locator("#rebuild").isHidden()).toBe(true);
    const token = mode.secrets.find((secret) => secret.name === "AdminToken")?.value ?? "";
    const started = await fetch(`${mode.apiUrl}/admin/rebuild`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
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
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-rebuild.png") });
    expect(problems).toEqual([]);
  });
});

describe("docs", () => {
  it("renders every operation and runs one from Swagger UI against the API it is served by", async () => {
    problems.length = 0; // this page's own problems only
    await page.setViewportSize({ width: 1280, height: 900 });
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

/** Debian's `chromium`, or Ubuntu's `chromium-browser`, from PATH. */
function chromiumOnPath(): string {
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {}
  }
  return "chromium";
}
