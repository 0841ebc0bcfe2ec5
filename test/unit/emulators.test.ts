import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import { DEFAULT_REDIS_URL } from "../../lib/parameters";
import { parseContextOptions } from "../../local/synth";
import type { Template } from "../../local/template";
import {
  COMPOSE_REDIS_URL,
  chooseRedisUrl,
  emulatorNotes,
  functionHostOf,
  type HealthAnswer,
  hostRedisCandidates,
  identifyEmulator,
  mappingDifferences,
  mappingFromApi,
  mappingFromTemplate,
} from "../../scripts/emulators";
import { cdklocalEnvironment } from "../../scripts/localstack";
import { assetUrls, figureDifferences, judgedTotals, smokeOrders } from "../../scripts/smoke";

/** deploy:local's and smoke's decisions, on what the emulators answer (test/fixtures/emulators). */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/emulators/${name}`, import.meta.url), "utf8"));
const ok = (body: unknown): HealthAnswer => ({ status: 200, body });
const notFound: HealthAnswer = { status: 404, body: { error: "not found" } };

describe("which emulator answers", () => {
  it("is MiniStack when its own health route answers (it answers LocalStack's too)", () => {
    const health = fixture("ministack-1.4.21-health.json");
    expect(
      identifyEmulator({
        "/_ministack/health": ok(health),
        "/_floci/health": notFound,
        "/_localstack/health": ok(health),
      }),
    ).toEqual({ kind: "ministack", version: "dev" });
  });

  it("is Floci when /_floci/health answers, or when LocalStack's route says Floci", () => {
    const health = fixture("floci-health.json");
    expect(
      identifyEmulator({
        "/_ministack/health": notFound,
        "/_floci/health": ok(health),
        "/_localstack/health": ok(health),
      }),
    ).toEqual({ kind: "floci", version: "1.7.0" });
    expect(identifyEmulator({ "/_localstack/health": ok(health) })).toEqual({
      kind: "floci",
      version: "1.7.0",
    });
  });

  it("is LocalStack when only /_localstack/health answers", () => {
    expect(
      identifyEmulator({
        "/_ministack/health": notFound,
        "/_floci/health": notFound,
        "/_localstack/health": ok(fixture("localstack-4.14.0-health.json")),
      }),
    ).toEqual({ kind: "localstack", version: "4.14.0" });
  });

  it("is none when nothing answers, or only with errors", () => {
    expect(identifyEmulator({})).toBeUndefined();
    expect(
      identifyEmulator({
        "/_ministack/health": undefined,
        "/_localstack/health": { status: 503, body: undefined },
      }),
    ).toBeUndefined();
  });

  it("says the version is unknown when the answer has none", () => {
    expect(identifyEmulator({ "/_localstack/health": ok({ services: {} }) })).toEqual({
      kind: "localstack",
      version: "unknown",
    });
  });
});

describe("which Redis the functions get", () => {
  it("runs functions in containers on LocalStack and Floci, and on MiniStack in its compose container", () => {
    expect(functionHostOf("localstack", false)).toBe("compose");
    expect(functionHostOf("floci", false)).toBe("compose");
    expect(functionHostOf("ministack", true)).toBe("compose");
    expect(functionHostOf("ministack", false)).toBe("host");
  });

  it("gives containers the compose Redis, the stack's own default", () => {
    expect(COMPOSE_REDIS_URL).toBe(DEFAULT_REDIS_URL);
    expect(
      chooseRedisUrl({ explicit: undefined, host: "compose", answeringHostUrls: [], candidates: [] }),
    ).toBe("redis://redis:6379");
  });

  it("gives host functions the compose Redis's host port first, then a local Redis, whichever answers", () => {
    const candidates = hostRedisCandidates({});
    expect(candidates).toEqual(["redis://127.0.0.1:6380", "redis://127.0.0.1:6379"]);
    expect(hostRedisCandidates({ REDIS_HOST_PORT: "7000" })[0]).toBe("redis://127.0.0.1:7000");
    const choose = (answering: string[]) =>
      chooseRedisUrl({ explicit: undefined, host: "host", answeringHostUrls: answering, candidates });
    expect(choose(["redis://127.0.0.1:6379", "redis://127.0.0.1:6380"])).toBe("redis://127.0.0.1:6380");
    expect(choose(["redis://127.0.0.1:6379"])).toBe("redis://127.0.0.1:6379");
    expect(choose([])).toBeUndefined();
  });

  it("keeps a -c redisUrl the user gave", () => {
    expect(
      chooseRedisUrl({ explicit: "redis://cache:6379", host: "host", answeringHostUrls: [], candidates: [] }),
    ).toBe("redis://cache:6379");
  });
});

describe("what deploy:local says of each emulator", () => {
  it("tells MiniStack users on the host which node runs their functions, and compose users not", () => {
    const onHost = emulatorNotes({ kind: "ministack", version: "dev" }, "host").join(" ");
    expect(onHost).toContain("Node 24 first on PATH");
    expect(onHost).toContain("ChangeSet [cdk-deploy-change-set] does not exist");
    const inCompose = emulatorNotes({ kind: "ministack", version: "1.5.33" }, "compose").join(" ");
    expect(inCompose).not.toContain("first on PATH");
    expect(inCompose).not.toContain("ChangeSet"); // 1.5.x finds stacks by ARN
    expect(emulatorNotes({ kind: "ministack", version: "1.4.21" }, "host").join(" ")).toContain("ChangeSet");
  });

  it("names the upstream bug each emulator had that this stack would meet", () => {
    expect(emulatorNotes({ kind: "floci", version: "1.7.0" }, "compose").join(" ")).toContain("PR 2964");
    expect(emulatorNotes({ kind: "localstack", version: "4.14.0" }, "compose").join(" ")).toContain(
      "ScalingConfig",
    );
  });
});

describe("the event source mapping as the emulator reports it", () => {
  const template = JSON.parse(
    readFileSync(new URL("../cdk/__snapshots__/orders-stack.template.json", import.meta.url), "utf8"),
  ) as Template;
  const declared = Object.values(template.Resources).find(
    (resource) => resource.Type === "AWS::Lambda::EventSourceMapping",
  );
  const expected = mappingFromTemplate(declared?.Properties ?? {});
  const recorded = (
    fixture("ministack-1.4.21-event-source-mappings.json") as { EventSourceMappings: object[] }
  ).EventSourceMappings[0] as Parameters<typeof mappingFromApi>[0];

  it("reads the template's settings", () => {
    expect(expected).toEqual({
      batchSize: 100,
      batchingWindowSeconds: 1,
      reportBatchItemFailures: true,
      maxConcurrency: 5,
    });
  });

  it("finds nothing dropped in what MiniStack 1.4.21 reported", () => {
    expect(mappingDifferences(expected, mappingFromApi(recorded))).toEqual([]);
  });

  it("calls a dropped ReportBatchItemFailures an error (Floci before its PR 2964), other settings warnings", () => {
    const dropped = mappingFromApi({
      ...recorded,
      FunctionResponseTypes: [],
      ScalingConfig: undefined,
      MaximumBatchingWindowInSeconds: undefined,
    });
    expect(mappingDifferences(expected, dropped)).toEqual([
      expect.objectContaining({ setting: "FunctionResponseTypes", severity: "error" }),
      expect.objectContaining({
        setting: "MaximumBatchingWindowInSeconds",
        reported: "(not set)",
        severity: "warning",
      }),
      expect.objectContaining({
        setting: "ScalingConfig.MaximumConcurrency",
        expected: "5",
        severity: "warning",
      }),
    ]);
  });
});

describe("cdklocal's environment and -c options", () => {
  it("needs nothing for this machine's port 4566, EDGE_PORT for another port, AWS_ENDPOINT_URL* for another host", () => {
    expect(cdklocalEnvironment("http://localhost:4566")).toEqual({});
    expect(cdklocalEnvironment("http://127.0.0.1:4567/")).toEqual({ EDGE_PORT: "4567" });
    expect(cdklocalEnvironment("https://localhost:4566")).toEqual({ EDGE_PORT: "4566", USE_SSL: "1" });
    expect(cdklocalEnvironment("http://emulator.lan:4566")).toEqual({
      AWS_ENDPOINT_URL: "http://emulator.lan:4566",
      AWS_ENDPOINT_URL_S3: "http://emulator.lan:4566",
    });
  });

  it("passes -c name=value through as context, the last value of a name winning", () => {
    expect(parseContextOptions(["batchSize=50", "keyPrefix=a=b:", "batchSize=60"])).toEqual({
      batchSize: "60",
      keyPrefix: "a=b:",
    });
    expect(() => parseContextOptions(["batchSize"])).toThrow(/name=value/);
  });
});

describe("docker-compose.yml profiles", () => {
  const compose = parse(readFileSync(new URL("../../docker-compose.yml", import.meta.url), "utf8"));
  const dotEnv = readFileSync(new URL("../../.env", import.meta.url), "utf8");
  const emulators = ["localstack", "ministack", "floci"] as const;

  it("has one profile per emulator, LocalStack the default, and Redis in every one", () => {
    for (const name of emulators) expect(compose.services[name].profiles).toEqual([name]);
    expect(compose.services.redis.profiles).toBeUndefined();
    expect(dotEnv).toMatch(/^COMPOSE_PROFILES=localstack$/m);
  });

  it("publishes each emulator on 4566 of the loopback only, beside Redis, with the Docker socket", () => {
    for (const name of emulators) {
      const service = compose.services[name];
      expect(service.ports).toContain("127.0.0.1:4566:4566");
      expect(service.networks).toEqual(["orders-net"]);
      expect(service.depends_on.redis.condition).toBe("service_healthy");
      expect(service.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
    }
  });

  it("runs MiniStack's functions in AWS's images on the compose network, calling back by service name", () => {
    const ministack = compose.services.ministack;
    expect(ministack.container_name).toBe("orders-ministack"); // deploy:local looks for it
    expect(ministack.environment).toMatchObject({
      LAMBDA_EXECUTOR: "docker",
      DOCKER_NETWORK: "orders-net",
      AWS_ENDPOINT_URL: "http://ministack:4566",
    });
  });

  it("puts Floci's functions on the compose network", () => {
    expect(compose.services.floci.environment).toMatchObject({
      FLOCI_SERVICES_LAMBDA_DOCKER_NETWORK: "orders-net",
      FLOCI_HOSTNAME: "floci",
    });
  });

  it("pins each emulator to a version with the fixes this stack needs, overridable", () => {
    const images = Object.fromEntries(
      emulators.map((name) => [name, compose.services[name].image as string]),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation syntax
    expect(images.ministack).toBe("${MINISTACK_IMAGE:-ministackorg/ministack:1.5.33}");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation syntax
    expect(images.floci).toBe("${FLOCI_IMAGE:-floci/floci:nightly-09102026}");
    for (const image of Object.values(images)) expect(image).not.toMatch(/:latest\}$/);
  });
});

describe("smoke's checks", () => {
  it("finds the assets a page loads, relative to the page, not data: URLs", () => {
    const html = `<link rel="icon" href="data:,"><link href="static/swagger-ui.css"><script src="static/swagger-ui-bundle.js"></script>`;
    expect(assetUrls(html, "http://localhost:4566/_aws/execute-api/a1/prod/docs")).toEqual([
      "http://localhost:4566/_aws/execute-api/a1/prod/static/swagger-ui.css",
      "http://localhost:4566/_aws/execute-api/a1/prod/static/swagger-ui-bundle.js",
    ]);
  });

  it("sends a smoke user two valid orders, one failed and one duplicate, whose figures it knows", () => {
    const { orders, expectedUser, counted } = smokeOrders("USMOKE1", new Date("2026-12-01T10:00:00Z"));
    const totals = judgedTotals(
      orders.map((order) => JSON.stringify(order)),
      DEFAULT_JUDGING_RULES,
    );
    // The duplicate is judged valid on its own body: only the store knows it was seen.
    expect(totals).toEqual({ valid: 3, revenueCents: 123_450 + 123_450 + 9_999, failed: 1 });
    expect(counted).toEqual({ valid: 2, revenueCents: 133_449, failed: 1, duplicates: 1 });
    expect(expectedUser).toEqual({
      user_id: "USMOKE1",
      order_count: 2,
      total_spend: 1334.49,
      failed_order_count: 1,
    });
    expect(orders[3]).toBe(orders[0]);
  });

  it("names each global figure that differs", () => {
    const figures = {
      total_orders: 10,
      total_revenue: 100.5,
      failed_orders: 2,
      duplicates: 0,
      corrected_orders: 0,
      failed_by_reason: {},
    };
    expect(figureDifferences(figures, figures)).toEqual([]);
    expect(figureDifferences(figures, { ...figures, total_orders: 11, duplicates: 1 })).toEqual([
      "total_orders 11 instead of 10",
      "duplicates 1 instead of 0",
    ]);
  });
});
