import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Template } from "../../local/template";
import {
  curlCommands,
  deployedApiOf,
  dnsAdvice,
  imagesToPull,
  invokeUrl,
  lambdaImageOf,
  parseStackOutputs,
  redeployPlan,
  runtimesOf,
  stackOf,
} from "../../scripts/localstack";

describe("deploy:local output handling", () => {
  const recorded = readFileSync(new URL("../fixtures/cdk-outputs.json", import.meta.url), "utf8");

  it("reads the stack's outputs from a recorded cdk-outputs.json", () => {
    expect(parseStackOutputs(recorded)).toEqual({
      stackName: "OrdersPipeline",
      apiId: "a1b2c3d4e5",
      invokeUrl: "http://localhost:4566/_aws/execute-api/a1b2c3d4e5/prod/",
      queueUrl: expect.stringContaining("/000000000000/OrdersPipeline-OrderQueueOrders"),
      deadLetterQueueUrl: expect.stringContaining("DeadLetters"),
    });
  });

  it("builds the invoke URL from the API id when LocalApiUrl is missing", () => {
    const withoutLocalUrl = JSON.stringify({ OrdersPipeline: { ApiId: "xyz123" } });
    expect(parseStackOutputs(withoutLocalUrl).invokeUrl).toBe(
      "http://localhost:4566/_aws/execute-api/xyz123/prod/",
    );
    expect(invokeUrl("abc", "dev", "http://127.0.0.1:4566")).toBe(
      "http://127.0.0.1:4566/_aws/execute-api/abc/dev/",
    );
  });

  it("refuses outputs without exactly one API", () => {
    expect(() => parseStackOutputs("{}")).toThrow(/found 0/);
    expect(() => parseStackOutputs(JSON.stringify({ A: { ApiId: "a" }, B: { ApiId: "b" } }))).toThrow(
      /found 2/,
    );
    expect(() => invokeUrl("a/../b")).toThrow(/not an API id/);
  });

  it("prints commands against the base URL, GET /api first", () => {
    const commands = curlCommands("http://localhost:4566/_aws/execute-api/a1/prod");
    expect(commands[0]).toBe("curl -s http://localhost:4566/_aws/execute-api/a1/prod/api");
    expect(commands[1]).toContain("-X POST http://localhost:4566/_aws/execute-api/a1/prod/produce");
    expect(commands[2]).toBe("curl -s http://localhost:4566/_aws/execute-api/a1/prod/stats/global");
  });

  it("finds the stack and its template in a recorded cloud assembly manifest", () => {
    const manifest = readFileSync(new URL("../fixtures/localstack/manifest.json", import.meta.url), "utf8");
    expect(stackOf(manifest)).toEqual({
      stackName: "OrdersPipeline",
      templateFile: "OrdersPipeline.template.json",
    });
    expect(() => stackOf('{"artifacts": {}}')).toThrow(/found 0/);
  });
});

describe("deploy:local checks before deploying", () => {
  const template = JSON.parse(
    readFileSync(new URL("../cdk/__snapshots__/orders-stack.template.json", import.meta.url), "utf8"),
  ) as Template;

  describe("DNS", () => {
    const bucketHost = "cdk-hnb659fds-assets-000000000000-us-east-1.s3.localhost.localstack.cloud";

    it("is satisfied when LocalStack's names resolve to this machine", () => {
      expect(
        dnsAdvice([
          { host: "localhost.localstack.cloud", addresses: ["127.0.0.1"] },
          { host: bucketHost, addresses: ["127.0.0.1", "::1"] },
        ]),
      ).toEqual([]);
    });

    it("names each name that does not resolve here and says how to fix it", () => {
      const advice = dnsAdvice([
        { host: "localhost.localstack.cloud", addresses: ["127.0.0.1"] },
        { host: bucketHost, error: "ENOTFOUND" },
        { host: "elsewhere.localstack.cloud", addresses: ["10.0.0.8"] },
      ]).join("\n");
      expect(advice).toContain(`${bucketHost}: ENOTFOUND`);
      expect(advice).toContain("elsewhere.localstack.cloud: resolves to 10.0.0.8");
      expect(advice).toContain(`127.0.0.1 ${bucketHost}`);
      expect(advice).not.toContain("127.0.0.1 localhost.localstack.cloud");
    });
  });

  describe("Lambda images", () => {
    it("maps runtimes to the images LocalStack runs them in", () => {
      expect(runtimesOf(template)).toEqual(["nodejs24.x"]);
      expect(lambdaImageOf("nodejs24.x")).toBe("public.ecr.aws/lambda/nodejs:24");
      expect(lambdaImageOf("python3.13")).toBe("public.ecr.aws/lambda/python:3.13");
    });

    it("pulls only what a recorded `docker images` does not list", () => {
      const missing = [
        "localstack/localstack:4.14.0",
        "redis:7-alpine",
        "public.ecr.aws/lambda/nodejs:22",
        "",
      ];
      expect(imagesToPull(template, missing.join("\n"))).toEqual(["public.ecr.aws/lambda/nodejs:24"]);
      expect(imagesToPull(template, [...missing, "public.ecr.aws/lambda/nodejs:24"].join("\n"))).toEqual([]);
    });
  });

  describe("route changes", () => {
    const deployed = deployedApiOf("OrdersPipeline", template);

    /** The template as CDK makes it after a route is removed: that Method gone, a new Deployment id. */
    function withoutRoute(path: string): Template {
      const resources = structuredClone(template.Resources);
      const [pathPart] = path.split("/").slice(-1);
      const resourceId = Object.keys(resources).find(
        (id) =>
          resources[id]?.Type === "AWS::ApiGateway::Resource" &&
          resources[id]?.Properties?.PathPart === pathPart,
      );
      for (const [id, resource] of Object.entries(resources)) {
        if (
          resource.Type === "AWS::ApiGateway::Method" &&
          resource.Properties?.ResourceId?.Ref === resourceId
        )
          delete resources[id];
        if (resource.Type === "AWS::ApiGateway::Deployment") {
          delete resources[id];
          resources[`${id.slice(0, -8)}0123abcd`] = resource;
        }
      }
      return { Resources: resources };
    }

    it("reads every route and the deployment's id from the template", () => {
      expect(deployed.routes).toContain("GET /stats/months");
      expect(deployed.routes).toContain("GET /");
      expect(deployed.deploymentId).toMatch(/^HttpApiDeployment/);
    });

    it("deploys in place when the routes are the same or nothing was deployed", () => {
      expect(redeployPlan(deployed, deployed)).toEqual({ destroyFirst: false });
      expect(redeployPlan(undefined, deployed)).toEqual({ destroyFirst: false });
    });

    it("destroys first when the routes changed, saying which", () => {
      const next = deployedApiOf("OrdersPipeline", withoutRoute("/stats/months"));
      expect(redeployPlan(deployed, next)).toEqual({
        destroyFirst: true,
        added: [],
        removed: ["GET /stats/months"],
      });
      expect(redeployPlan(next, deployed)).toEqual({
        destroyFirst: true,
        added: ["GET /stats/months"],
        removed: [],
      });
    });
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync(new URL("../../docker-compose.yml", import.meta.url), "utf8"));
  const localstack = compose.services.localstack;

  it("defaults to the last token-free LocalStack image, overridable with a token", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation syntax
    expect(localstack.image).toBe("${LOCALSTACK_IMAGE:-localstack/localstack:4.14.0}");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation syntax
    expect(localstack.environment.LOCALSTACK_AUTH_TOKEN).toBe("${LOCALSTACK_AUTH_TOKEN:-}");
  });

  it("matches LocalStack's documented shape", () => {
    expect(localstack.container_name).toBe("localstack-main");
    expect(localstack.ports).toEqual(["127.0.0.1:4566:4566", "127.0.0.1:4510-4559:4510-4559"]);
    expect(localstack.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
    expect(localstack.stop_grace_period).toBe("1m");
    expect(localstack.network_mode).toBeUndefined();
    expect(localstack.hostname).toBeUndefined();
  });

  it("puts LocalStack, its Lambda containers and Redis on one named network", () => {
    expect(compose.networks["orders-net"]).toEqual({ name: "orders-net" });
    expect(localstack.environment.LAMBDA_DOCKER_NETWORK).toBe("orders-net");
    expect(localstack.networks).toEqual(["orders-net"]);
    expect(compose.services.redis.networks).toEqual(["orders-net"]);
    expect(compose.services.redis.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(localstack.depends_on.redis.condition).toBe("service_healthy");
  });

  it("keeps Redis's data in an append-only file on a named volume", () => {
    const redis = compose.services.redis;
    expect(redis.command.join(" ")).toContain("--appendonly yes");
    expect(redis.volumes).toEqual(["redis-data:/data"]);
    expect(compose.volumes).toHaveProperty("redis-data");
  });

  it("uses only keys docker compose accepts", () => {
    const serviceKeys = new Set([
      "container_name",
      "image",
      "ports",
      "environment",
      "volumes",
      "networks",
      "depends_on",
      "stop_grace_period",
      "command",
      "healthcheck",
      "profiles",
    ]);
    expect(Object.keys(compose).sort()).toEqual(["name", "networks", "services", "volumes"]);
    for (const service of Object.values(compose.services) as Record<string, unknown>[]) {
      for (const key of Object.keys(service)) expect(serviceKeys).toContain(key);
    }
  });
});
