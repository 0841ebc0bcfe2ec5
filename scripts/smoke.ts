/**
 * `npm run smoke`: is my deployment working? Checks a deployed stack through its API and the AWS
 * APIs, as a user would, and exits non-zero on any failure:
 * (`npm run smoke -- --help` lists the options).
 *
 * It writes a little: orders of one fresh user (USMOKE...), ten generated orders, one malformed
 * message. Run it on a quiet deployment: the global figures must move by exactly what it sent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { ulid } from "ulid";
import { classifyMessage } from "../lambdas/core/outcome";
import { DEFAULT_JUDGING_RULES, type JudgingRules } from "../lambdas/core/rules";
import { type ApiSchemas, apiClient } from "../lambdas/http/client/api-client";
import { ROUTES, type RouteSpec } from "../lambdas/http/routes";
import { parseCommandLine } from "../local/command-line";
import type { Template } from "../local/template";
import { emulatorClients } from "./emulator-clients";
import { mappingDifferences, mappingFromApi, mappingFromTemplate } from "./emulators";
import { invokeUrl, LOCALSTACK_ENDPOINT, parseStackOutputs, stackOf } from "./localstack";

type GlobalStats = ApiSchemas["GlobalStats"];

/** One check's verdict, as the report prints it. */
interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** The asset URLs an HTML page loads (`src`/`href`, not data: URLs), resolved against the page. */
export function assetUrls(html: string, pageUrl: string): string[] {
  const urls = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)]
    .map((match) => match[1] as string)
    .filter((url) => !url.startsWith("data:") && !url.startsWith("#"));
  return [...new Set(urls.map((url) => new URL(url, pageUrl).href))];
}

/** A smoke user's orders: two valid, one failed (its id breaks the ORD rule), one duplicate. */
export function smokeOrders(userId: string, now: Date) {
  const order = (orderId: string, items: { quantity: number; price_per_unit: number }[]) => ({
    order_id: orderId,
    user_id: userId,
    order_timestamp: now.toISOString(),
    order_value:
      items.reduce((sum, item) => sum + Math.round(item.quantity * item.price_per_unit * 100), 0) / 100,
    items: items.map((item) => ({ product_id: "P001", ...item })),
    shipping_address: "1 Smoke Test Lane",
    payment_method: "UPI",
  });
  const first = order(`ORD${ulid()}`, [{ quantity: 3, price_per_unit: 411.5 }]);
  return {
    orders: [
      first,
      order(`ORD${ulid()}`, [{ quantity: 1, price_per_unit: 99.99 }]),
      order(`BAD${ulid()}`, [{ quantity: 2, price_per_unit: 10 }]),
      first,
    ],
    expectedUser: { user_id: userId, order_count: 2, total_spend: 1334.49, failed_order_count: 1 },
    counted: { valid: 2, revenueCents: 133_449, failed: 1, duplicates: 1 },
  };
}

/** What generated orders add to the global figures, judged by the same rules as the consumer. */
export function judgedTotals(bodies: readonly string[], rules: JudgingRules) {
  const totals = { valid: 0, revenueCents: 0, failed: 0 };
  for (const body of bodies) {
    const outcome = classifyMessage(body, rules);
    if (outcome.kind === "valid") {
      totals.valid++;
      totals.revenueCents += outcome.valueCents;
    } else totals.failed++;
  }
  return totals;
}

/** The differences between two global figures' snapshots, field by field (empty when equal). */
export function figureDifferences(expected: GlobalStats, actual: GlobalStats): string[] {
  const fields = ["total_orders", "total_revenue", "failed_orders", "duplicates"] as const;
  return fields
    .filter((field) => expected[field] !== actual[field])
    .map((field) => `${field} ${actual[field]} instead of ${expected[field]}`);
}

async function main(): Promise<void> {
  const { values } = parseCommandLine(
    "npm run smoke -- [options]",
    {
      endpoint: {
        type: "string",
        value: "URL",
        help: `the emulator's address (default ${LOCALSTACK_ENDPOINT}, where deploy:local deployed)`,
      },
      aws: { type: "boolean", help: "the stack on AWS (credentials as for the AWS CLI)" },
      url: { type: "string", value: "URL", help: "an API URL of your own (with --endpoint or --aws)" },
      outputs: {
        type: "string",
        value: "FILE",
        default: "cdk-outputs.json",
        help: "the stack outputs deploy:local or cdk deploy wrote",
      },
      "api-key": {
        type: "string",
        value: "KEY",
        help: "the write API key, when writes need one (default API_KEY)",
      },
      rebuild: { type: "boolean", help: "also rebuild the figures from the archive" },
      timeout: {
        type: "string",
        value: "S",
        default: "120",
        range: [1, 3600],
        help: "seconds a check waits for what it sent to be counted (or a rebuild to end)",
      },
    },
    process.argv.slice(2),
    {
      about:
        "Checks a deployed stack through its API and the AWS APIs, as a user would; exits non-zero on any failure.\n" +
        "It writes a little (one fresh user's orders, ten generated orders, one malformed message): run it on a\n" +
        "quiet deployment, as the global figures must move by exactly what it sent.",
    },
  );
  const apiKey = values["api-key"] ?? process.env.API_KEY;
  const endpoint = values.aws ? undefined : (values.endpoint ?? LOCALSTACK_ENDPOINT).replace(/\/+$/, "");
  if (!existsSync(values.outputs)) {
    throw new Error(
      `${values.outputs} not found: deploy first (npm run deploy:local), or pass --outputs FILE`,
    );
  }
  const outputsJson = readFileSync(values.outputs, "utf8");
  const outputs = parseStackOutputs(outputsJson);
  const rawOutputs = JSON.parse(outputsJson)[outputs.stackName] as Record<string, string>;
  const base = withSlash(
    values.url ?? (endpoint ? invokeUrl(outputs.apiId, "prod", endpoint) : (rawOutputs.ApiUrl as string)),
  );
  const timeoutMs = Number(values.timeout) * 1000;
  const clients = emulatorClients(endpoint);
  const template = readTemplate();
  const results: CheckResult[] = [];

  console.log(`smoke: ${outputs.stackName} at ${base}${endpoint ? ` (AWS APIs at ${endpoint})` : " (AWS)"}`);

  async function check(name: string, run: () => Promise<string>): Promise<boolean> {
    try {
      const detail = await run();
      results.push({ name, ok: true, detail });
      console.log(`  ok    ${name}${detail ? `: ${detail}` : ""}`);
      return true;
    } catch (error) {
      const detail = (error as Error).message;
      results.push({ name, ok: false, detail });
      console.log(`  FAIL  ${name}: ${detail}`);
      return false;
    }
  }

  async function request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const response = await fetch(new URL(path, base), {
      method,
      headers: init.headers ?? {},
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, text, type: response.headers.get("content-type") ?? "" };
  }

  /** The API's typed client (generated from its OpenAPI document), with the write key if given. */
  const api = apiClient(base, { headers: apiKey ? { "x-api-key": apiKey } : {} });

  /** A call's answer, or an error naming what answered how. */
  async function must<T>(what: string, call: Promise<{ data?: T; error?: unknown; response: Response }>) {
    const { data, error, response } = await call;
    if (data === undefined)
      throw new Error(`${what} answered ${response.status}: ${JSON.stringify(error ?? null).slice(0, 200)}`);
    return data;
  }

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
      await sleep(1_000);
    }
  }

  await check("GET /api", async () => {
    const info = await must("GET /api", api.GET("/api"));
    return `${Object.keys(info.endpoints).length} endpoints listed`;
  });
  await check("GET /openapi.json", async () => {
    const document = (await must("GET /openapi.json", api.GET("/openapi.json"))) as {
      openapi: string;
      paths: object;
    };
    return `OpenAPI ${document.openapi}, ${Object.keys(document.paths).length} paths`;
  });
  for (const page of ["docs", "dashboard"]) {
    await check(`GET /${page} and its assets`, async () => {
      const answer = await request("GET", page);
      if (answer.status !== 200 || !answer.type.startsWith("text/html"))
        throw new Error(`answered ${answer.status} ${answer.type}`);
      const assets = assetUrls(answer.text, new URL(page, base).href);
      if (assets.length === 0) throw new Error("the page loads no assets");
      for (const asset of assets) {
        const response = await fetch(asset, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${asset} answered ${response.status}`);
      }
      return `${assets.length} assets`;
    });
  }

  // Every read route answers what the route table says it answers (its success schema).
  const userId = `USMOKE${ulid()}`;
  const month = new Date().toISOString().slice(0, 7);
  const globalStats = () => must("GET /stats/global", api.GET("/stats/global"));
  const before = await globalStats().catch(() => undefined);

  let adminToken: string | undefined;
  await check("admin token from Secrets Manager", async () => {
    const secretId = rawOutputs.AdminTokenSecretArn;
    if (!secretId) throw new Error("the stack has no AdminTokenSecretArn output");
    const secret = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    adminToken = secret.SecretString;
    if (!adminToken) throw new Error("the secret is empty");
    const refused = await request("GET", "dlq", { headers: { authorization: "Bearer not-the-token" } });
    if (refused.status !== 403) throw new Error(`a wrong token got ${refused.status}, not 403`);
    await must("GET /dlq", api.GET("/dlq", { headers: { authorization: `Bearer ${adminToken}` } }));
    return "accepted by GET /dlq; a wrong token refused (403)";
  });

  const rules = judgingRulesOf(template);
  let sent = { valid: 0, revenueCents: 0, failed: 0, duplicates: 0 };
  await check("POST /produce", async () => {
    const answer = await api.POST("/produce", { body: { count: 10, full_orders: true } });
    // Off by default on AWS (stack parameter produce): then it must make nothing.
    if (answer.response.status === 404) return "off in this deployment (-c produce=on): 404, nothing queued";
    const produced = await must("POST /produce", Promise.resolve(answer));
    const totals = judgedTotals(
      produced.orders.map(({ message_id: _, ...order }) => JSON.stringify(order)),
      rules,
    );
    sent = { ...totals, duplicates: 0 };
    return `${produced.orders.length} orders queued (${totals.valid} valid, ${totals.failed} failed by the rules)`;
  });
  const mine = smokeOrders(userId, new Date());
  await check("POST /orders", async () => {
    const answer = await must("POST /orders", api.POST("/orders", { body: { orders: mine.orders } }));
    sent = {
      valid: sent.valid + mine.counted.valid,
      revenueCents: sent.revenueCents + mine.counted.revenueCents,
      failed: sent.failed + mine.counted.failed,
      duplicates: sent.duplicates + mine.counted.duplicates,
    };
    return `${answer.accepted} orders of ${userId} (2 valid, 1 failed, 1 duplicate)`;
  });
  const malformedBody = `smoke ${ulid()}: not JSON`;
  await check("a malformed message sent to the queue", async () => {
    if (!outputs.queueUrl) throw new Error("the stack has no QueueUrl output");
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: outputs.queueUrl, MessageBody: malformedBody }),
    );
    sent.failed++;
    return "SendMessage accepted it";
  });

  await check("the consumer counts exactly what was sent", async () => {
    if (!before) throw new Error("GET /stats/global failed before sending");
    const expected: GlobalStats = {
      ...before,
      total_orders: before.total_orders + sent.valid,
      total_revenue: Math.round(before.total_revenue * 100 + sent.revenueCents) / 100,
      failed_orders: before.failed_orders + sent.failed,
      duplicates: before.duplicates + sent.duplicates,
    };
    const counted = (stats: GlobalStats) => stats.total_orders + stats.failed_orders + stats.duplicates;
    const after = await until(
      "every message counted",
      globalStats,
      (stats) => counted(stats) >= counted(expected),
    );
    const differences = figureDifferences(expected, after);
    if (differences.length > 0)
      throw new Error(`${differences.join("; ")} (another writer at the same time would explain it)`);
    const user = await must(
      "GET /users/{user_id}/stats",
      api.GET("/users/{user_id}/stats", { params: { path: { user_id: userId } } }),
    );
    if (JSON.stringify(user) !== JSON.stringify(mine.expectedUser))
      throw new Error(`${userId}: ${JSON.stringify(user)} instead of ${JSON.stringify(mine.expectedUser)}`);
    return `+${sent.valid} valid (+${(sent.revenueCents / 100).toFixed(2)}), +${sent.failed} failed, +${sent.duplicates} duplicate; ${userId} to the cent`;
  });

  for (const [id, route] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    if (route.method !== "GET" || route.admin || route.function !== "stats") continue;
    const path = route.path.replace("{user_id}", userId).replace("{month}", month).replace(/^\//, "");
    await check(`GET ${route.path}`, async () => {
      const answer = await request("GET", path);
      if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      const body: unknown = JSON.parse(answer.text);
      const parsed = route.success.schema.safeParse(body);
      if (!parsed.success)
        throw new Error(`answer does not match its schema: ${parsed.error.message.slice(0, 300)}`);
      if (id === "getHealth" && (body as { status?: string }).status !== "ok")
        throw new Error(`status ${(body as { status?: string }).status}: Redis or the queue unreachable`);
      return "answers as its schema says";
    });
  }

  await check("the malformed message reaches the dead letters with its reason", async () => {
    if (!adminToken) throw new Error("no admin token (see above)");
    const letters = await until(
      "dead letter",
      () => must("GET /dlq", api.GET("/dlq", { headers: { authorization: `Bearer ${adminToken}` } })),
      (answer) => answer.dead_letters.some((letter) => letter.body === malformedBody),
    );
    const letter = letters.dead_letters.find((entry) => entry.body === malformedBody);
    if (letter?.reason !== "malformed") throw new Error(`reason ${letter?.reason}, not malformed`);
    return `reason malformed (${letter.details})`;
  });

  await check("event source mapping as the emulator reports it", async () => {
    const { EventSourceMappings: mappings = [] } = await clients.lambda.send(
      new ListEventSourceMappingsCommand({}),
    );
    const consumer = mappings.find(
      (mapping) =>
        mapping.FunctionArn?.includes(`${outputs.stackName}-Consumer`) &&
        mapping.EventSourceArn?.includes(`${outputs.stackName}-OrderQueue`),
    );
    if (!consumer) throw new Error(`no mapping from ${outputs.stackName}'s order queue to its consumer`);
    const declared = template
      ? Object.values(template.Resources).find(
          (resource) => resource.Type === "AWS::Lambda::EventSourceMapping",
        )
      : undefined;
    const expected = declared
      ? mappingFromTemplate(declared.Properties ?? {})
      : {
          batchSize: undefined,
          batchingWindowSeconds: undefined,
          reportBatchItemFailures: true,
          maxConcurrency: undefined,
        };
    const differences = mappingDifferences(expected, mappingFromApi(consumer));
    const errors = differences.filter((difference) => difference.severity === "error");
    if (errors.length > 0) throw new Error(errors.map((d) => `${d.setting}: ${d.reported}`).join("; "));
    const reported = mappingFromApi(consumer);
    const summary = `ReportBatchItemFailures on, batch ${reported.batchSize}, window ${reported.batchingWindowSeconds ?? 0} s, max concurrency ${reported.maxConcurrency ?? "-"}`;
    return differences.length === 0
      ? summary
      : `${summary}; differs from the template: ${differences.map((d) => `${d.setting} ${d.reported} (template ${d.expected})`).join(", ")}`;
  });

  if (values.rebuild) {
    await check("rebuild from the archive restores the same figures", async () => {
      if (!adminToken) throw new Error("no admin token (see above)");
      const auth = { authorization: `Bearer ${adminToken}` };
      const live = await globalStats();
      await must("POST /admin/rebuild", api.POST("/admin/rebuild", { headers: auth }));
      const finished = await until(
        "rebuild finished",
        () => must("GET /admin/rebuild", api.GET("/admin/rebuild")),
        (rebuild) => rebuild.status === "done" || rebuild.status === "failed",
      );
      if (finished.status !== "done") throw new Error(`rebuild ${finished.status}: ${finished.error ?? ""}`);
      const rebuilt = await globalStats();
      const differences = figureDifferences(live, rebuilt);
      if (differences.length > 0)
        throw new Error(
          `${differences.join("; ")}. If the emulator restarted since these figures were counted, its S3 (the archive) started empty while Redis kept them: clear (DELETE /clear_redis_db) and run again`,
        );
      return `${finished.objects_read} objects, ${finished.orders_read} messages replayed; figures equal`;
    });
  }

  const failed = results.filter((result) => !result.ok).length;
  console.log(`\nsmoke: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The synthesized template beside the outputs (cdk.out), for the settings the stack asked for. */
function readTemplate(): Template | undefined {
  const manifest = join("cdk.out", "manifest.json");
  if (!existsSync(manifest)) return undefined;
  const { templateFile } = stackOf(readFileSync(manifest, "utf8"));
  return JSON.parse(readFileSync(join("cdk.out", templateFile), "utf8")) as Template;
}

/** The consumer's judging rules from the template's environment (the stack's defaults when unknown). */
function judgingRulesOf(template: Template | undefined): JudgingRules {
  const consumer = Object.values(template?.Resources ?? {}).find(
    (resource) =>
      resource.Type === "AWS::Lambda::Function" &&
      resource.Properties?.Environment?.Variables?.VALUE_MISMATCH,
  );
  const env = (consumer?.Properties.Environment.Variables ?? {}) as Record<string, string | undefined>;
  const number = (value: string | undefined, fallback: number) => (value ? Number(value) : fallback);
  return {
    valueMismatch: env.VALUE_MISMATCH === "correct" ? "correct" : "reject",
    maxOrderValueCents: number(env.MAX_ORDER_VALUE_CENTS, DEFAULT_JUDGING_RULES.maxOrderValueCents),
    firstYear: number(env.FIRST_ORDER_YEAR, DEFAULT_JUDGING_RULES.firstYear),
    futureToleranceMs:
      number(env.FUTURE_TOLERANCE_SECONDS, DEFAULT_JUDGING_RULES.futureToleranceMs / 1000) * 1000,
  };
}

if (import.meta.main) {
  main().catch((error: Error) => {
    console.error(`smoke: ${error.message}`);
    process.exit(1);
  });
}
