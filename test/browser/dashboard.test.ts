/// <reference lib="dom" />
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMode, startLocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { connectRedis, deleteKeys, redisUrl, uniquePrefix } from "../support/redis";

/** The dashboard in headless Chromium against local mode: produce from the page, watch it update. */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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
    context: { keyPrefix: prefix },
    outdir: join(PROJECT_ROOT, "cdk.out.test", "dashboard"),
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
  const redis = connectRedis();
  await deleteKeys(redis, prefix);
  redis.disconnect();
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
    let global = await apiGlobal();
    const deadline = Date.now() + 60_000;
    while (global.total_orders + global.failed_orders < 60 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      global = await apiGlobal();
    }
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
