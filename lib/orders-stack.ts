import { dirname } from "node:path";
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { ICommandHooks } from "aws-cdk-lib/aws-lambda-nodejs";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { HttpFunctionName } from "../lambdas/http/routes";
import { MODULE_ASSETS } from "../lambdas/http/static-assets";
import {
  type EnvironmentOf,
  FUNCTION_TABLE,
  type FunctionName,
  type FunctionNeed,
} from "../lambdas/shared/functions";
import { AppFunction, SERVICE_NAME } from "./constructs/app-function";
import { HttpApi } from "./constructs/http-api";
import { Monitoring } from "./constructs/monitoring";
import { OrderArchive } from "./constructs/order-archive";
import { type ConsumerSettings, OrderQueue } from "./constructs/order-queue";
import { RedisAccess, type RedisAccessProps, type RedisEnvironment } from "./constructs/redis-access";
import { dashboardBuildCommands } from "./dashboard-build";
import { consumerSettingsOf, judgingEnvironment } from "./environments";
import { DEFAULT_REDIS_URL, type OrdersParameters } from "./parameters";

/** The orders pipeline: REST API -> producer -> SQS (+DLQ) -> consumer -> Redis <- stats. */

export interface OrdersStackProps extends StackProps {
  parameters: OrdersParameters;
}

const STAGE_NAME = "prod";

/**
 * The docs function serves its static assets itself (no CDN): the dependencies' files travel next
 * to its bundle, and the dashboard is built into `dashboard/` beside it.
 */
const copyStaticAssets: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => [
    ...MODULE_ASSETS.flatMap((module) => {
      const packageName = module.split("/")[0] as string;
      const target = `${outputDir}/node_modules/${dirname(module)}`;
      return [
        `mkdir -p "${target}"`,
        `cp "${inputDir}/node_modules/${module}" "${target}/"`,
        `cp "${inputDir}/node_modules/${packageName}/package.json" "${outputDir}/node_modules/${packageName}/"`,
      ];
    }),
    ...dashboardBuildCommands(inputDir, `${outputDir}/dashboard`),
  ],
};

type StatsEnvironment = EnvironmentOf<"stats">;

/** What the functions are granted and told about. */
interface StackResources {
  redis: RedisAccess;
  orders: OrderQueue;
  archive: OrderArchive;
  adminToken: ISecret | undefined;
  consumerSettings: ConsumerSettings;
}

/** The functions of the stack, by their name in the function table. */
type StackFunctions = { [N in FunctionName]: AppFunction<N> };

export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    const params = props.parameters;
    const redis = new RedisAccess(this, "Redis", redisAccessProps(this.stackName, params));
    const orders = new OrderQueue(this, "OrderQueue", {
      consumerTimeout: Duration.seconds(params.consumerTimeoutSeconds),
      retention: Duration.seconds(params.queueRetentionSeconds),
      maxReceiveCount: params.maxReceiveCount,
    });
    const consumer = this.consumerFunction(params, redis);
    const api = this.apiFunctions(params, redis);
    const archive = new OrderArchive(this, "OrderArchive", {
      retentionDays: params.archiveRetentionDays,
      objectLock: params.archiveObjectLock,
      objectLockDays: params.archiveObjectLockDays,
    });
    const functions: StackFunctions = { consumer, ...api, rebuild: this.rebuildFunction(params, redis) };
    new CfnOutput(this, "ArchiveBucketName", {
      value: archive.bucket.bucketName,
      description: "Every settled order message, gzipped JSON Lines under archive/YYYY/MM/DD/HH/",
    });
    if (redis.cache) {
      new CfnOutput(this, "CacheEndpoint", {
        value: `${redis.cache.attrEndpointAddress}:${redis.cache.attrEndpointPort}`,
        description: "The ElastiCache Serverless (Valkey) endpoint; TLS, reachable only from the stack's VPC",
      });
    }
    const adminToken = params.adminAuth === "off" ? undefined : this.adminToken(params);
    const consumerSettings = consumerSettingsOf(params);
    const resources = { redis, orders, archive, adminToken, consumerSettings };
    this.grantNeeds(functions, resources);
    setEnvironments(functions, params, resources);
    this.apiAndMonitoring(params, api, orders, consumer);
  }

  private consumerFunction(params: OrdersParameters, redis: RedisAccess): AppFunction<"consumer"> {
    return new AppFunction(this, "Consumer", {
      table: "consumer",
      description: "Validates order batches, records analytics in Redis, reports partial failures",
      timeout: Duration.seconds(params.consumerTimeoutSeconds),
      memorySize: 1024,
      network: redis.network,
      logLevel: params.logLevel,
      tracing: params.tracing === "on",
    });
  }

  /** The functions behind the API, by the name the route table gives them. */
  private apiFunctions(params: OrdersParameters, redis: RedisAccess) {
    return {
      docs: new AppFunction(this, "DocsFunction", {
        table: "docs",
        description: "GET /api, /openapi.json, /docs and /dashboard",
        logLevel: params.logLevel,
        tracing: params.tracing === "on",
        commandHooks: copyStaticAssets,
      }),
      producer: new AppFunction(this, "ProducerFunction", {
        table: "producer",
        description: "POST /produce and /orders: puts orders on the queue",
        timeout: Duration.seconds(29), // API Gateway's own integration limit
        logLevel: params.logLevel,
        tracing: params.tracing === "on",
      }),
      stats: new AppFunction(this, "StatsFunction", {
        table: "stats",
        description: "Every stats query, the consumer log and health",
        network: redis.network,
        logLevel: params.logLevel,
        tracing: params.tracing === "on",
      }),
      admin: new AppFunction(this, "AdminFunction", {
        table: "admin",
        description: "The admin routes: clearing the figures, the dead letters, the rebuild",
        timeout: Duration.seconds(29), // a redrive works until just before API Gateway's limit
        network: redis.network,
        logLevel: params.logLevel,
        tracing: params.tracing === "on",
      }),
    } satisfies Record<HttpFunctionName, AppFunction>;
  }

  /** Grants each function what its row of the function table says it needs. */
  private grantNeeds(functions: StackFunctions, resources: StackResources): void {
    const { redis, orders, archive, adminToken, consumerSettings } = resources;
    const rebuild = functions.rebuild;
    const grants: Record<FunctionNeed, (fn: AppFunction) => void> = {
      redis: (fn) => redis.connect(fn),
      "queue:send": (fn) => orders.allowSending(fn),
      "queue:consume": (fn) => orders.attachConsumer(fn, consumerSettings),
      "queue:depths": (fn) => orders.allowDepthReads(fn),
      "dead-letters:admin": (fn) => orders.allowDeadLetterAdmin(fn),
      "archive:write": (fn) => archive.allowArchiving(fn),
      "archive:read": (fn) => archive.allowReading(fn),
      "archive:clear-marks": (fn) => archive.allowClearMarks(fn),
      "archive-key:read": (fn) => archive.allowAuthenticating(fn),
      "rebuild:invoke": (fn) =>
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [rebuild.functionArn] }),
        ),
      // By its name: a grant on its own ARN by reference (a Ref) would be a circular dependency.
      "rebuild:invoke-itself": (fn) =>
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ["lambda:InvokeFunction"],
            resources: [
              this.formatArn({
                service: "lambda",
                resource: "function",
                resourceName: this.rebuildFunctionName,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        ),
      "admin-token:read": (fn) => adminToken?.grantRead(fn),
    };
    for (const fn of Object.values(functions))
      for (const need of FUNCTION_TABLE[fn.table].needs) grants[need](fn);
  }

  /** The admin token's secret: the one named, or one generated at deploy. */
  private adminToken(params: OrdersParameters): ISecret {
    const adminToken = params.adminTokenSecretName
      ? Secret.fromSecretNameV2(this, "AdminToken", params.adminTokenSecretName)
      : generatedAdminToken(this);
    new CfnOutput(this, "AdminTokenSecretArn", {
      value: adminToken.secretArn,
      description: "aws secretsmanager get-secret-value --secret-id <this> shows the admin token",
    });
    return adminToken;
  }

  private apiAndMonitoring(
    params: OrdersParameters,
    functions: Record<HttpFunctionName, AppFunction>,
    orders: OrderQueue,
    consumer: AppFunction,
  ): void {
    const http = new HttpApi(this, "Http", {
      functions,
      stageName: STAGE_NAME,
      throttlingRateLimit: params.throttlingRateLimit,
      throttlingBurstLimit: params.throttlingBurstLimit,
      writeKeys:
        params.writeAuth === "apiKey"
          ? {
              quotaPerDay: params.apiKeyQuotaPerDay,
              rateLimit: params.apiKeyRateLimit,
              burstLimit: params.apiKeyBurstLimit,
            }
          : undefined,
      adminAuth: params.adminAuth,
      accessLogs: params.accessLogs === "on",
      tracing: params.tracing === "on",
    });
    new CfnOutput(this, "ApiId", { value: http.api.restApiId, description: "REST API id" });
    new CfnOutput(this, "ApiUrl", { value: http.api.url, description: "Invoke URL on AWS" });
    new CfnOutput(this, "LocalApiUrl", {
      value: http.localStackUrl,
      description: "Invoke URL on LocalStack",
    });
    if (http.writeKey) {
      new CfnOutput(this, "WriteApiKeyId", {
        value: http.writeKey.keyId,
        description:
          "aws apigateway get-api-key --include-value --api-key <this> shows the x-api-key for POST /produce and /orders",
      });
    }
    const monitoring = new Monitoring(this, "Monitoring", {
      queue: orders.queue,
      deadLetterQueue: orders.deadLetterQueue,
      consumer,
      api: http.api,
      serviceName: SERVICE_NAME,
      oldestMessageAlarmSeconds: params.oldestMessageAlarmSeconds,
      alarmEmail: params.alarmEmail,
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: monitoring.topic.topicArn,
      description: "SNS topic of the alarms: subscribe to it (or deploy with -c alarmEmail=...)",
    });
    new CfnOutput(this, "DashboardName", { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, "QueueUrl", { value: orders.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: orders.deadLetterQueue.queueUrl });
  }

  /** The rebuild function's name, known before deploy: its grant to invoke itself names it. */
  private get rebuildFunctionName(): string {
    return `${this.stackName}-rebuild`.slice(0, 64);
  }

  /**
   * The function that rebuilds the analytics from the archive. Named, so that it may invoke itself
   * to go on.
   */
  private rebuildFunction(params: OrdersParameters, redis: RedisAccess): AppFunction<"rebuild"> {
    return new AppFunction(this, "RebuildFunction", {
      table: "rebuild",
      description: "Rebuilds the analytics from the order archive (POST /admin/rebuild)",
      functionName: this.rebuildFunctionName,
      timeout: Duration.seconds(params.rebuildTimeoutSeconds),
      memorySize: 1024,
      network: redis.network,
      logLevel: params.logLevel,
      tracing: params.tracing === "on",
    });
  }
}

/** Each function's environment, from the parameters and the resources: one typed call each. */
function setEnvironments(
  functions: StackFunctions,
  params: OrdersParameters,
  resources: StackResources,
): void {
  const { redis, orders, archive, adminToken, consumerSettings } = resources;
  // Each part typed by the table, so a misspelt name in it fails to compile too.
  const common: RedisEnvironment & Pick<StatsEnvironment, "KEY_PREFIX"> = {
    ...redis.environment,
    KEY_PREFIX: params.keyPrefix,
  };
  const queues: Pick<StatsEnvironment, "QUEUE_URL" | "DLQ_URL"> = {
    QUEUE_URL: orders.queue.queueUrl,
    DLQ_URL: orders.deadLetterQueue.queueUrl,
  };
  const judging = judgingEnvironment(params);
  const bucket: Pick<EnvironmentOf<"rebuild">, "ARCHIVE_BUCKET"> = {
    ARCHIVE_BUCKET: archive.bucket.bucketName,
  };
  const archiveKey: Pick<EnvironmentOf<"rebuild">, "ARCHIVE_KEY_SECRET_ID"> = {
    ARCHIVE_KEY_SECRET_ID: archive.authenticationKey.secretArn,
  };
  functions.consumer.setEnvironment({
    ...common,
    ...orders.consumerEnvironment(consumerSettings),
    ...judging,
    ...bucket,
    ...archiveKey,
    VALUE_MISMATCH: params.valueMismatch,
  });
  functions.rebuild.setEnvironment({
    ...common,
    ...judging,
    ...bucket,
    ...archiveKey,
    MARKER_TTL_SECONDS: String(params.queueRetentionSeconds),
  });
  functions.docs.setEnvironment({ ADMIN_AUTH: params.adminAuth, WRITE_AUTH: params.writeAuth });
  functions.producer.setEnvironment({ QUEUE_URL: orders.queue.queueUrl, PRODUCE: params.produce });
  functions.stats.setEnvironment({ ...common, ...queues });
  functions.admin.setEnvironment({
    ...common,
    ...queues,
    ...bucket,
    QUEUE_ARN: orders.queue.queueArn,
    DLQ_ARN: orders.deadLetterQueue.queueArn,
    ADMIN_AUTH: params.adminAuth,
    ...(adminToken ? { ADMIN_TOKEN_SECRET_ID: adminToken.secretArn } : {}),
    REBUILD_FUNCTION_NAME: functions.rebuild.functionName,
  });
}

/** How the functions reach Redis: the stack's own cache, a secret holding the URL, or the URL. */
function redisAccessProps(stackName: string, params: OrdersParameters): RedisAccessProps {
  if (params.redisMode === "elasticache")
    return { mode: "elasticache", cacheName: `${stackName.toLowerCase().slice(0, 34)}-cache` };
  if (params.redisSecretName) return { mode: "external", secretName: params.redisSecretName };
  return { mode: "external", url: params.redisUrl ?? DEFAULT_REDIS_URL };
}

/** A random admin token, generated by Secrets Manager at deploy (never in the template). */
function generatedAdminToken(scope: Construct): Secret {
  const secret = new Secret(scope, "AdminToken", {
    description: "Bearer token for the admin routes",
    generateSecretString: { passwordLength: 40, excludePunctuation: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "A static bearer token for the admin routes, with no service to rotate it against. Rotate it by putting a new value in the secret: every execution environment reads it again within 5 minutes (SECRET_REFRESH_SECONDS), no redeploy needed.",
  });
  return secret;
}
