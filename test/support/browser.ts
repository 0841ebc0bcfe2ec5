import { execFileSync } from "node:child_process";
import { type Browser, chromium, type Page } from "playwright-core";

/** Headless Chromium for the browser tests: Debian's, from PATH (CHROMIUM_PATH to choose another). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? chromiumOnPath(),
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
}

/** What goes wrong on a page, as it happens: console errors, page errors, failed requests, 4xx and 5xx answers. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** Debian's `chromium`, or Ubuntu's `chromium-browser`, from PATH. */
function chromiumOnPath(): string {
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {}
  }
  throw new Error("no Chromium on PATH: install Debian's chromium package, or set CHROMIUM_PATH");
}
