import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ROUTES, type RouteSpec } from "../../lambdas/http/routes";
import { functionIdOf, grantsOfFunction, methodPaths, resourcesOf, secretIdOf, synthTemplate } from "./synth";

const template = synthTemplate();
const functions = resourcesOf(template, "AWS::Lambda::Function");
const functionId = (entryDescription: string) => functionIdOf(template, entryDescription);
/** What a function may do beyond writing its own logs (tested on its own below) and traces (tracing.test.ts). */
const grantsOf = (logicalFunctionId: string) =>
  grantsOfFunction(template, logicalFunctionId).filter(
    (grant) => !grant.actions.every((a) => a.startsWith("logs:") || a.startsWith("xray:")),
  );
const bucketId = resourcesOf(template, "AWS::S3::Bucket")[0]?.[0];
const archiveObjects = (key: string) => ({
  "Fn::Join": ["", [{ "Fn::GetAtt": [bucketId, "Arn"] }, `/${key}`]],
});
const queueRef = (name: "Orders" | "DeadLetters") => {
  const id = resourcesOf(template, "AWS::SQS::Queue").find(([logicalId]) => logicalId.includes(name))?.[0];
  return { "Fn::GetAtt": [id, "Arn"] };
};

describe("the API", () => {
  it("is a REST API (v1), not an HTTP API", () => {
    template.resourceCountIs("AWS::ApiGateway::RestApi", 1);
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 0);
  });

  it("has exactly one method per route of the route table, on the route's function", () => {
    const expected = (Object.values(ROUTES) as RouteSpec[]).map((r) => `${r.method} ${r.path}`).sort();
    expect(methodPaths(template).sort()).toEqual(expected);
    for (const [, method] of resourcesOf(template, "AWS::ApiGateway::Method")) {
      expect(method.Properties.Integration).toMatchObject({
        Type: "AWS_PROXY",
        IntegrationHttpMethod: "POST",
      });
    }
  });

  it("logs every request to a log group kept three months (accessLogs=on, the default), and off when asked", () => {
    const stage = resourcesOf(template, "AWS::ApiGateway::Stage")[0]?.[1].Properties ?? {};
    const destination = (stage.AccessLogSetting as { DestinationArn: { "Fn::GetAtt": string[] } })
      .DestinationArn;
    const logGroup = template.toJSON().Resources[destination["Fn::GetAtt"][0] as string];
    expect(logGroup).toMatchObject({ Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 90 } });
    expect(JSON.parse((stage.AccessLogSetting as { Format: string }).Format)).toMatchObject({
      ip: "$context.identity.sourceIp",
      requestId: "$context.requestId",
      status: "$context.status",
    });
    template.resourceCountIs("AWS::ApiGateway::Account", 1); // the account's CloudWatch role, which access logs need
    const off = synthTemplate({ accessLogs: "off" });
    expect(resourcesOf(off, "AWS::ApiGateway::Stage")[0]?.[1].Properties.AccessLogSetting).toBeUndefined();
    off.resourceCountIs("AWS::ApiGateway::Account", 0);
  });

  it("passes compressed assets through as bytes (binary media types)", () => {
    template.hasResourceProperties("AWS::ApiGateway::RestApi", { BinaryMediaTypes: ["*/*"] });
  });

  it("throttles the stage", () => {
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      StageName: "prod",
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400, HttpMethod: "*" }),
      ]),
    });
  });

  it("outputs the API id, its URL and the LocalStack invoke URL", () => {
    for (const name of ["ApiId", "ApiUrl", "LocalApiUrl"])
      expect(Object.keys(template.findOutputs(name))).toEqual([name]);
    expect(JSON.stringify(template.findOutputs("LocalApiUrl"))).toContain(
      "http://localhost:4566/_aws/execute-api/",
    );
  });
});

describe("the order archive", () => {
  it("is a private, encrypted, TLS-only bucket kept when the stack goes, ageing into Standard-IA", () => {
    template.resourceCountIs("AWS::S3::Bucket", 1);
    template.hasResource("AWS::S3::Bucket", {
      DeletionPolicy: "Retain",
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Prefix: "archive/",
              Status: "Enabled",
              Transitions: [{ StorageClass: "STANDARD_IA", TransitionInDays: 30 }],
            }),
          ]),
        },
      },
    });
    const policy = resourcesOf(template, "AWS::S3::BucketPolicy")[0]?.[1].Properties.PolicyDocument;
    expect((policy as { Statement: unknown[] }).Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: "Deny",
          Action: "s3:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      ]),
    );
  });

  it("is versioned, the consumer may only create objects (never replace a version), and old versions expire", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            ExpiredObjectDeleteMarker: true,
          }),
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(
      /s3:DeleteObject|s3:PutObjectVersion|s3:\*"[^}]*"Allow/,
    );
    const consumerRole = (
      template.toJSON().Resources[functionId("Validates order batches")].Properties.Role as {
        "Fn::GetAtt": string[];
      }
    )["Fn::GetAtt"][0];
    const consumerPut = resourcesOf(template, "AWS::IAM::Policy")
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${consumerRole}"`))
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] })
            .Statement,
      )
      .find((statement) => statement.Action === "s3:PutObject");
    expect(consumerPut?.Condition).toEqual({ Null: { "s3:if-none-match": "false" } });
    template.resourcePropertiesCountIs("AWS::S3::Bucket", { ObjectLockEnabled: true }, 0);
  });

  it("turns on Object Lock when asked: governance or compliance, for archiveObjectLockDays", () => {
    const locked = synthTemplate({ archiveObjectLock: "compliance", archiveObjectLockDays: "400" });
    locked.hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 400 } },
      },
    });
    synthTemplate({ archiveObjectLock: "governance" }).hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 365 } } },
    });
  });

  it("expires objects after archiveRetentionDays, and skips Standard-IA when they would not stay a month", () => {
    const rules = (days: number) =>
      synthTemplate({ archiveRetentionDays: String(days) }).findResources("AWS::S3::Bucket");
    const ruleOf = (days: number) =>
      (Object.values(rules(days))[0] as { Properties: { LifecycleConfiguration: { Rules: unknown[] } } })
        .Properties.LifecycleConfiguration.Rules[0];
    expect(ruleOf(400)).toMatchObject({ ExpirationInDays: 400, Transitions: [{ TransitionInDays: 30 }] });
    expect(ruleOf(45)).toMatchObject({ ExpirationInDays: 45 });
    expect(ruleOf(45)).not.toHaveProperty("Transitions");
  });

  it("gives the rebuild function reading the archive, invoking itself, and its own timeout", () => {
    const rebuild = functionId("Rebuilds the analytics");
    const grants = grantsOf(rebuild);
    expect(grants).toEqual(
      expect.arrayContaining([
        { actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [archiveObjects("archive/*")] },
        {
          actions: ["s3:ListBucket", "s3:ListBucketVersions"],
          resources: [{ "Fn::GetAtt": [bucketId, "Arn"] }],
        },
        {
          actions: ["lambda:InvokeFunction"],
          resources: [expect.objectContaining({ "Fn::Join": expect.anything() })],
        },
      ]),
    );
    expect(JSON.stringify(grants)).toContain(":function:OrdersPipeline-rebuild");
    expect(grants.flatMap((grant) => grant.actions).filter((action) => action.startsWith("s3:"))).toEqual([
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
      "s3:ListBucketVersions",
    ]);
    const props = functions.find(([id]) => id === rebuild)?.[1].Properties;
    expect(props).toMatchObject({ FunctionName: "OrdersPipeline-rebuild", Timeout: 900 });
    expect((props?.Environment as { Variables: object } | undefined)?.Variables).toMatchObject({
      ARCHIVE_BUCKET: { Ref: bucketId },
    });
    const short = synthTemplate({ rebuildTimeoutSeconds: "60" });
    expect(JSON.stringify(short.findResources("AWS::Lambda::Function"))).toContain('"Timeout":60');
  });
});

describe("the functions", () => {
  it("all run Node.js 24 from an explicit log group", () => {
    expect(functions).toHaveLength(6);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe("nodejs24.x");
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
    }
    template.resourceCountIs("AWS::Logs::LogGroup", 6 + 1); // and the API's access logs
    template.resourceCountIs("Custom::LogRetention", 0);
  });

  it("may each write logs only to their own log group: no AWS managed policy, no logs:* on *", () => {
    for (const [id, fn] of functions) {
      const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGrants = grantsOfFunction(template, id).filter((grant) =>
        grant.actions.some((action) => action.startsWith("logs:")),
      );
      expect(logGrants).toEqual([
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [{ "Fn::GetAtt": [logGroup, "Arn"] }],
        },
      ]);
    }
    for (const [, role] of resourcesOf(template, "AWS::IAM::Role")) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(
        "AWSLambdaBasicExecutionRole",
      );
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"logs:\*"/);
  });

  it("grant the producer only sending to the order queue", () => {
    expect(grantsOf(functionId("POST /produce"))).toEqual([
      {
        actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
        resources: [queueRef("Orders")],
      },
    ]);
  });

  it("grant the consumer consuming the queue, sending to the DLQ and writing the archive, nothing more", () => {
    const grants = grantsOf(functionId("Validates order batches"));
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          actions: [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
          ],
          resources: [queueRef("Orders")],
        },
        {
          actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
          resources: [queueRef("DeadLetters")],
        },
        { actions: ["s3:PutObject"], resources: [archiveObjects("archive/*")] },
        // the key of the archive objects' authenticators
        {
          actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
          resources: [{ Ref: secretIdOf(template, "OrderArchiveAuthenticationKey") }],
        },
      ]),
    );
    expect(grants).toHaveLength(4);
  });

  it("keep the archive's authentication key out of the template, kept with the bucket, read by the consumer and the rebuild only", () => {
    const keyId = secretIdOf(template, "OrderArchiveAuthenticationKey");
    const key = template.toJSON().Resources[keyId];
    expect(key.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(key.Properties.SecretString).toBeUndefined();
    expect(key.DeletionPolicy).toBe("Retain");
    const readers = functions
      .filter(([id]) => JSON.stringify(grantsOf(id)).includes(`"Ref":"${keyId}"`))
      .map(([, fn]) => fn.Properties.Description);
    expect(readers).toEqual([
      expect.stringMatching(/^Validates order batches/),
      expect.stringMatching(/^Rebuilds the analytics/),
    ]);
    for (const description of ["Validates order batches", "Rebuilds the analytics"]) {
      const env = template.toJSON().Resources[functionId(description)].Properties.Environment.Variables;
      expect(env.ARCHIVE_KEY_SECRET_ID).toEqual({ Ref: keyId });
    }
  });

  it("grant stats only reading the queues' attributes, admin its token, the dead letters and starting a rebuild, docs nothing", () => {
    expect(grantsOf(functionId("Every stats query"))).toEqual([
      { actions: ["sqs:GetQueueAttributes"], resources: [queueRef("Orders")] },
      { actions: ["sqs:GetQueueAttributes"], resources: [queueRef("DeadLetters")] },
    ]);
    const secretId = secretIdOf(template, "AdminToken");
    const adminGrants = grantsOf(functionId("The admin routes"));
    expect(adminGrants).toHaveLength(6);
    expect(adminGrants).toEqual(
      expect.arrayContaining([
        // reading and moving the dead letters: consume them, start a move task, send to the order queue
        {
          actions: [
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
          ],
          resources: [queueRef("DeadLetters")],
        },
        {
          actions: ["sqs:ListMessageMoveTasks", "sqs:StartMessageMoveTask"],
          resources: [queueRef("DeadLetters")],
        },
        {
          actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
          resources: [queueRef("Orders")],
        },
        {
          actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
          resources: [{ Ref: secretId }],
        },
        // noting a clear in the archive, reading it when a rebuild starts, starting the rebuild
        { actions: ["s3:GetObject", "s3:PutObject"], resources: [archiveObjects("markers/last-clear.json")] },
        {
          actions: ["lambda:InvokeFunction"],
          resources: [{ "Fn::GetAtt": [functionId("Rebuilds the analytics"), "Arn"] }],
        },
      ]),
    );
    expect(grantsOf(functionId("GET /api"))).toEqual([]);
  });

  it("keep the admin token out of the template: generated in Secrets Manager, read by reference", () => {
    const secretId = secretIdOf(template, "AdminToken");
    const secret = template.toJSON().Resources[secretId];
    expect(secret?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 40 });
    expect(secret?.Properties.SecretString).toBeUndefined();
    const admin = functions.find(([id]) => id === functionId("The admin routes"))?.[1].Properties ?? {};
    const env = (admin.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.ADMIN_TOKEN_SECRET_ID).toEqual({ Ref: secretId });
    expect(env.ADMIN_TOKEN).toBeUndefined();
  });

  it("use an existing secret when adminTokenSecretName is given", () => {
    const withSecret = synthTemplate({ adminTokenSecretName: "orders/admin-token" });
    expect(() => secretIdOf(withSecret, "AdminToken")).toThrow();
    expect(JSON.stringify(withSecret.toJSON())).toContain("secret:orders/admin-token");
  });
});

describe("the queue and the consumer", () => {
  const mapping = resourcesOf(template, "AWS::Lambda::EventSourceMapping")[0]?.[1].Properties ?? {};
  const orderQueue =
    resourcesOf(template, "AWS::SQS::Queue").find(([id]) => id.includes("Orders"))?.[1].Properties ?? {};
  const deadLetters =
    resourcesOf(template, "AWS::SQS::Queue").find(([id]) => id.includes("DeadLetters"))?.[1].Properties ?? {};
  const consumerTimeout = Number(functions.find(([id]) => id.startsWith("Consumer"))?.[1].Properties.Timeout);

  it("reports partial batch failures", () => {
    expect(mapping.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
  });

  it("batches more than 10 records only with a window of at least 1 s, under a concurrency cap", () => {
    expect(Number(mapping.BatchSize)).toBeGreaterThan(10);
    expect(Number(mapping.MaximumBatchingWindowInSeconds)).toBeGreaterThanOrEqual(1);
    expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
  });

  it("keeps messages invisible for at least 6x the consumer's timeout", () => {
    expect(Number(orderQueue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * consumerTimeout);
  });

  it("dead-letters after at least 5 receives, into a DLQ that keeps them 14 days", () => {
    const redrive = orderQueue.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown };
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(redrive.deadLetterTargetArn).toEqual(queueRef("DeadLetters"));
    expect(deadLetters.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it("gives the consumer markers that outlive the queue's retention", () => {
    const consumer = functions.find(([id]) => id.startsWith("Consumer"))?.[1].Properties ?? {};
    const env = (consumer.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Number(env.MARKER_TTL_SECONDS)).toBeGreaterThanOrEqual(Number(orderQueue.MessageRetentionPeriod));
    expect(env.DLQ_URL).toEqual({ Ref: expect.stringContaining("DeadLetters") });
  });
});

describe("synth refuses a stack that breaks AWS's limits or the consumer's needs", () => {
  it.each([
    [
      { batchSize: 100, batchingWindowSeconds: 0 },
      /batchSize 100 needs a batching window of at least 1 second/,
    ],
    [{ maxReceiveCount: 3 }, /maxReceiveCount is 3: use at least 5/],
  ])("%j", (context, message) => {
    expect(() => synthTemplate(context)).toThrow(message);
  });

  it("names every invalid parameter", () => {
    expect(() => synthTemplate({ redisUrl: "localhost", maxConcurrency: "1" })).toThrow(
      /redisUrl[\s\S]*maxConcurrency/,
    );
  });
});

describe("judging the same live and in a rebuild", () => {
  const envOf = (context: Record<string, string>, description: string) => {
    const template = synthTemplate(context);
    return (
      template.toJSON().Resources[functionIdOf(template, description)].Properties.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
  };
  const judging = (env: Record<string, string>) => ({
    MAX_ORDER_VALUE_CENTS: env.MAX_ORDER_VALUE_CENTS,
    FIRST_ORDER_YEAR: env.FIRST_ORDER_YEAR,
    FUTURE_TOLERANCE_SECONDS: env.FUTURE_TOLERANCE_SECONDS,
  });

  it("gives the consumer and the rebuild function the same bounds, the original's largest order by default", () => {
    const consumer = envOf({}, "Validates order batches");
    expect(judging(consumer)).toEqual({
      MAX_ORDER_VALUE_CENTS: "1500000000",
      FIRST_ORDER_YEAR: "2000",
      FUTURE_TOLERANCE_SECONDS: "86400",
    });
    expect(judging(envOf({}, "Rebuilds the analytics"))).toEqual(judging(consumer));
  });

  it("takes them from -c maxOrderValue, firstOrderYear and futureToleranceSeconds", () => {
    const context = { maxOrderValue: "2500.5", firstOrderYear: "2020", futureToleranceSeconds: "600" };
    expect(judging(envOf(context, "Rebuilds the analytics"))).toEqual({
      MAX_ORDER_VALUE_CENTS: "250050",
      FIRST_ORDER_YEAR: "2020",
      FUTURE_TOLERANCE_SECONDS: "600",
    });
    expect(() => synthTemplate({ maxOrderValue: "10.001" })).toThrow(
      /maxOrderValue: must have at most two decimals/,
    );
  });

  it("refuses a keyPrefix another deployment's rebuild could take for one of its key generations", () => {
    expect(() => synthTemplate({ keyPrefix: "orders:gen1:" })).toThrow(
      /keyPrefix: ends like a rebuild's key generation/,
    );
    expect(() => synthTemplate({ keyPrefix: "orders:general:" })).not.toThrow();
  });
});

describe("per-message backoff", () => {
  const consumerEnv = (context: Record<string, string>) =>
    (
      synthTemplate(context).toJSON().Resources[
        functionIdOf(synthTemplate(context), "Validates order batches")
      ].Properties.Environment as { Variables: Record<string, string> }
    ).Variables;

  it("gives the consumer its queue and the backoff's bounds, 60 s at most by default", () => {
    expect(consumerEnv({})).toMatchObject({ RETRY_BASE_SECONDS: "2", RETRY_MAX_SECONDS: "60" });
  });

  it("keeps the default within a short visibility timeout, and refuses a maximum beyond it", () => {
    expect(consumerEnv({ consumerTimeoutSeconds: "2" })).toMatchObject({ RETRY_MAX_SECONDS: "12" });
    expect(() => synthTemplate({ consumerTimeoutSeconds: "2", retryMaxSeconds: "60" })).toThrow(
      /retryMaxSeconds \(60 s\) must not exceed the queue's visibility timeout \(12 s\)/,
    );
    expect(() => synthTemplate({ retryBaseSeconds: "90", retryMaxSeconds: "60" })).toThrow(
      /retryBaseSeconds \(90\) must not exceed retryMaxSeconds \(60\)/,
    );
  });
});

describe("write routes", () => {
  const methodsNeedingKeys = (t: ReturnType<typeof synthTemplate>) =>
    resourcesOf(t, "AWS::ApiGateway::Method")
      .filter(([, method]) => method.Properties.ApiKeyRequired === true)
      .map(([, method]) => method.Properties.HttpMethod);

  it("need an API key under a usage plan by default; the key's value is never in the template", () => {
    expect(methodsNeedingKeys(template)).toEqual(["POST", "POST"]); // /produce and /orders
    template.resourceCountIs("AWS::ApiGateway::ApiKey", 1);
    template.hasResourceProperties("AWS::ApiGateway::UsagePlan", {
      Quota: { Limit: 100_000, Period: "DAY" },
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    template.resourceCountIs("AWS::ApiGateway::UsagePlanKey", 1);
    const key = resourcesOf(template, "AWS::ApiGateway::ApiKey")[0]?.[1];
    expect(key?.Properties).not.toHaveProperty("Value"); // generated by API Gateway at deploy
    expect(Object.keys(template.findOutputs("WriteApiKeyId"))).toEqual(["WriteApiKeyId"]);
  });

  it("take the usage plan from parameters, and are open with writeAuth=open", () => {
    synthTemplate({
      apiKeyQuotaPerDay: "500",
      apiKeyRateLimit: "5",
      apiKeyBurstLimit: "10",
    }).hasResourceProperties("AWS::ApiGateway::UsagePlan", {
      Quota: { Limit: 500, Period: "DAY" },
      Throttle: { RateLimit: 5, BurstLimit: 10 },
    });
    const open = synthTemplate({ writeAuth: "open" });
    expect(methodsNeedingKeys(open)).toEqual([]);
    open.resourceCountIs("AWS::ApiGateway::ApiKey", 0);
  });

  it("make POST /produce (a thousand orders a request, priced as one) off unless -c produce=on", () => {
    const producerEnv = (t: ReturnType<typeof synthTemplate>) =>
      t.toJSON().Resources[functionIdOf(t, "POST /produce and /orders")].Properties.Environment.Variables;
    expect(producerEnv(template)).toMatchObject({ PRODUCE: "off" });
    expect(producerEnv(synthTemplate({ produce: "on" }))).toMatchObject({ PRODUCE: "on" });
  });
});
