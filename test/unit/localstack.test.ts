import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { curlCommands, invokeUrl, parseStackOutputs } from "../../scripts/localstack";

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

  it("prints three commands against the base URL", () => {
    const commands = curlCommands("http://localhost:4566/_aws/execute-api/a1/prod");
    expect(commands).toHaveLength(3);
    expect(commands[0]).toContain("-X POST http://localhost:4566/_aws/execute-api/a1/prod/produce");
    expect(commands[1]).toBe("curl -s http://localhost:4566/_aws/execute-api/a1/prod/stats/global");
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
    expect(Object.keys(compose).sort()).toEqual(["name", "networks", "services"]);
    for (const service of Object.values(compose.services) as Record<string, unknown>[]) {
      for (const key of Object.keys(service)) expect(serviceKeys).toContain(key);
    }
  });
});
