import { Match, type Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { parametersFromContext } from "../../lib/parameters";
import { functionIdOf, grantsOfFunction, resourcesOf, secretIdOf, synthTemplate } from "./synth";

/** How the functions reach Redis on AWS: ElastiCache Serverless in the stack's VPC, or a Redis you bring. */

const REDIS_FUNCTIONS = ["Validates order batches", "Every stats query", "The admin routes"];
const OTHER_FUNCTIONS = ["POST /produce", "GET /api"];

const environmentOf = (template: Template, description: string) =>
  (template.toJSON().Resources[functionIdOf(template, description)].Properties.Environment?.Variables ??
    {}) as Record<string, unknown>;

/** A URL with a password in it (`scheme://user:password@host`), anywhere in the template. */
const URL_WITH_PASSWORD = /[a-z]+:\/\/[^/@\s":]*:[^/@\s"]+@/i;

describe("redisMode=elasticache", () => {
  const template = synthTemplate({ redisMode: "elasticache" });
  const json = template.toJSON();
  const groupId = (name: string) =>
    resourcesOf(template, "AWS::EC2::SecurityGroup").find(([id]) => id.includes(name))?.[0] ?? "missing";
  const functionsGroup = groupId("FunctionsSecurityGroup");
  const cacheGroup = groupId("CacheSecurityGroup");
  const endpointsGroup = groupId("EndpointsSecurityGroup");

  it("creates a VPC over two AZs with isolated subnets only: no NAT gateway, no internet gateway", () => {
    template.resourceCountIs("AWS::EC2::VPC", 1);
    template.resourceCountIs("AWS::EC2::Subnet", 2);
    template.resourceCountIs("AWS::EC2::NatGateway", 0);
    template.resourceCountIs("AWS::EC2::InternetGateway", 0);
    template.resourceCountIs("AWS::EC2::EIP", 0);
    const zones = resourcesOf(template, "AWS::EC2::Subnet").map(([, subnet]) =>
      JSON.stringify(subnet.Properties.AvailabilityZone),
    );
    expect(new Set(zones).size).toBe(2);
  });

  it("reaches SQS, Secrets Manager, S3 and Lambda through interface endpoints, on HTTPS from the functions only", () => {
    const endpoints = resourcesOf(template, "AWS::EC2::VPCEndpoint").map(([, e]) => e.Properties);
    expect(endpoints.map((e) => JSON.stringify(e.ServiceName)).sort()).toEqual([
      expect.stringContaining(".lambda"),
      expect.stringContaining(".s3"),
      expect.stringContaining("secretsmanager"),
      expect.stringContaining("sqs"),
    ]);
    // No S3 gateway endpoint: the interface endpoint answers S3's names for the VPC's own clients too.
    expect(endpoints.find((e) => JSON.stringify(e.ServiceName).includes(".s3"))?.DnsOptions).toEqual({
      PrivateDnsOnlyForInboundResolverEndpoint: "AllResolvers",
    });
    for (const endpoint of endpoints) {
      expect(endpoint).toMatchObject({ VpcEndpointType: "Interface", PrivateDnsEnabled: true });
      expect(endpoint.SecurityGroupIds).toEqual([{ "Fn::GetAtt": [endpointsGroup, "GroupId"] }]);
    }
    template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      GroupId: { "Fn::GetAtt": [endpointsGroup, "GroupId"] },
      SourceSecurityGroupId: { "Fn::GetAtt": [functionsGroup, "GroupId"] },
      FromPort: 443,
      ToPort: 443,
    });
  });

  it("creates an ElastiCache Serverless cache for Valkey in the isolated subnets, behind its own group", () => {
    template.resourceCountIs("AWS::ElastiCache::ServerlessCache", 1);
    template.hasResourceProperties("AWS::ElastiCache::ServerlessCache", {
      Engine: "valkey",
      SecurityGroupIds: [{ "Fn::GetAtt": [cacheGroup, "GroupId"] }],
      SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp("isolated") })]),
    });
    expect(Object.keys(template.findOutputs("CacheEndpoint"))).toEqual(["CacheEndpoint"]);
  });

  it("lets only the functions reach the cache, only on its port; nothing is open to the world", () => {
    const ingress = resourcesOf(template, "AWS::EC2::SecurityGroupIngress").map(
      ([, rule]) => rule.Properties,
    );
    expect(ingress.filter((rule) => JSON.stringify(rule.GroupId).includes(cacheGroup))).toEqual([
      expect.objectContaining({
        SourceSecurityGroupId: { "Fn::GetAtt": [functionsGroup, "GroupId"] },
        FromPort: 6379,
        ToPort: 6379,
        IpProtocol: "tcp",
      }),
    ]);
    expect(JSON.stringify(json)).not.toContain("0.0.0.0/0");
  });

  it("places every function that touches Redis in the VPC, and only those", () => {
    for (const description of REDIS_FUNCTIONS) {
      const fn = json.Resources[functionIdOf(template, description)].Properties;
      expect(fn.VpcConfig?.SecurityGroupIds, description).toEqual([
        { "Fn::GetAtt": [functionsGroup, "GroupId"] },
      ]);
      expect(fn.VpcConfig?.SubnetIds, description).toHaveLength(2);
      expect(environmentOf(template, description)).toMatchObject({
        REDIS_MODE: "cluster",
        REDIS_URL: { "Fn::Join": ["", ["rediss://", expect.anything(), ":", expect.anything()]] },
      });
    }
    for (const description of OTHER_FUNCTIONS) {
      expect(
        json.Resources[functionIdOf(template, description)].Properties.VpcConfig,
        description,
      ).toBeUndefined();
    }
  });

  it("holds no password or token", () => {
    expect(JSON.stringify(json)).not.toMatch(URL_WITH_PASSWORD);
    // A secret's value would be a SecretString property; the admin token is generated at deploy.
    expect(JSON.stringify(json)).not.toMatch(/"SecretString"\s*:/);
  });
});

describe("redisMode=external", () => {
  it("by default uses redisUrl, outside any VPC", () => {
    const template = synthTemplate({ redisUrl: "rediss://cache.example.com:6379" });
    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourceCountIs("AWS::ElastiCache::ServerlessCache", 0);
    for (const description of REDIS_FUNCTIONS) {
      expect(environmentOf(template, description)).toMatchObject({
        REDIS_URL: "rediss://cache.example.com:6379",
        REDIS_MODE: "single",
      });
    }
  });

  it("refuses a redisUrl that carries a password, naming redisSecretName", () => {
    expect(() =>
      parametersFromContext((key) => (key === "redisUrl" ? "rediss://:hunter2@cache:6379" : undefined)),
    ).toThrow(/redisUrl: carries a password.*-c redisSecretName=/);
    expect(() =>
      parametersFromContext((key) => (key === "redisUrl" ? "rediss://app:hunter2@cache:6379" : undefined)),
    ).toThrow(/redisSecretName/);
    // ioredis takes a password from the query too.
    expect(() =>
      parametersFromContext((key) =>
        key === "redisUrl" ? "redis://cache:6379?password=hunter2" : undefined,
      ),
    ).toThrow(/redisUrl: carries a password.*-c redisSecretName=/);
    expect(() =>
      parametersFromContext((key) => (key === "redisUrl" ? "redis://cache:6379?db=2" : undefined)),
    ).not.toThrow();
  });

  it("with redisSecretName, gives the functions the secret's name and read access, never its value", () => {
    const template = synthTemplate({ redisSecretName: "orders/redis-url" });
    const json = template.toJSON();
    for (const description of REDIS_FUNCTIONS) {
      const environment = environmentOf(template, description);
      expect(environment).toMatchObject({ REDIS_SECRET_ID: "orders/redis-url", REDIS_MODE: "single" });
      expect(environment).not.toHaveProperty("REDIS_URL");
      expect(grantsOfFunction(template, functionIdOf(template, description))).toContainEqual({
        actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        resources: [expect.objectContaining({ "Fn::Join": expect.anything() })],
      });
    }
    expect(JSON.stringify(json)).not.toMatch(URL_WITH_PASSWORD);
  });

  it("refuses contradictory Redis settings", () => {
    const context = (values: Record<string, string>) => (key: string) => values[key];
    expect(() =>
      parametersFromContext(context({ redisUrl: "redis://a:6379", redisSecretName: "s" })),
    ).toThrow(/not both/);
    expect(() =>
      parametersFromContext(context({ redisMode: "elasticache", redisUrl: "redis://a:6379" })),
    ).toThrow(/leave out redisUrl/);
  });
});

describe("admin auth", () => {
  it("keeps the admin routes behind a token from Secrets Manager by default", () => {
    const template = synthTemplate();
    expect(environmentOf(template, "The admin routes")).toMatchObject({
      ADMIN_TOKEN_SECRET_ID: { Ref: expect.stringMatching(/^AdminToken/) },
    });
  });

  it("opens them only when adminAuth=off says so, with no secret at all", () => {
    const template = synthTemplate({ adminAuth: "off" });
    // The one secret left is the archive's authentication key.
    expect(resourcesOf(template, "AWS::SecretsManager::Secret").map(([id]) => id)).toEqual([
      secretIdOf(template, "OrderArchiveAuthenticationKey"),
    ]);
    expect(environmentOf(template, "The admin routes")).toMatchObject({ ADMIN_AUTH: "off" });
    expect(environmentOf(template, "The admin routes")).not.toHaveProperty("ADMIN_TOKEN_SECRET_ID");
  });
});
