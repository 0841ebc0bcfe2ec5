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
import { AppFunction, SERVICE_NAME } from "./constructs/app-function";
import { HttpApi } from "./constructs/http-api";
import { Monitoring } from "./constructs/monitoring";
import { OrderArchive } from "./constructs/order-archive";
import { OrderQueue, VISIBILITY_TO_TIMEOUT_RATIO } from "./constructs/order-queue";
import { RedisAccess } from "./constructs/redis-access";
import { dashboardBuildCommands } from "./dashboard-build";
import { DEFAULT_REDIS_URL, type OrdersParameters } from "./parameters";

/** The orders pipeline: REST API -> producer -> SQS (+DLQ) -> consumer -> Redis <- stats. */

export interface OrdersStackProps extends StackProps {
  parameters: OrdersParameters;
}

const STAGE_NAME = "prod";

/** The longest per-message backoff unless retryMaxSeconds says otherwise (or the visibility timeout is shorter). */
const DEFAULT_RETRY_MAX_SECONDS = 60;

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

export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    const p = props.parameters;
    const redis = new RedisAccess(
      this,
      "Redis",
      p.redisMode === "elasticache"
        ? { mode: "elasticache", cacheName: `${this.stackName.toLowerCase().slice(0, 34)}-cache` }
        : p.redisSecretName
          ? { mode: "external", secretName: p.redisSecretName }
          : { mode: "external", url: p.redisUrl ?? DEFAULT_REDIS_URL },
    );
    const consumerTimeout = Duration.seconds(p.consumerTimeoutSeconds);

    const orders = new OrderQueue(this, "OrderQueue", {
      consumerTimeout,
      retention: Duration.seconds(p.queueRetentionSeconds),
      maxReceiveCount: p.maxReceiveCount,
    });

    const consumer = new AppFunction(this, "Consumer", {
      entry: "lambdas/sqs/consumer.ts",
      description: "Validates order batches, records analytics in Redis, reports partial failures",
      timeout: consumerTimeout,
      memorySize: 1024,
      environment: { KEY_PREFIX: p.keyPrefix, VALUE_MISMATCH: p.valueMismatch, ...judgingEnvironment(p) },
      network: redis.network,
      logLevel: p.logLevel,
    });
    orders.attachConsumer(consumer, {
      batchSize: p.batchSize,
      batchingWindowSeconds: p.batchingWindowSeconds,
      maxConcurrency: p.maxConcurrency,
      retryBaseSeconds: p.retryBaseSeconds,
      retryMaxSeconds:
        p.retryMaxSeconds ??
        Math.min(DEFAULT_RETRY_MAX_SECONDS, p.consumerTimeoutSeconds * VISIBILITY_TO_TIMEOUT_RATIO),
    });

    const functions: Record<HttpFunctionName, AppFunction> = {
      docs: new AppFunction(this, "DocsFunction", {
        entry: "lambdas/http/docs.ts",
        description: "GET /api, /openapi.json, /docs and /dashboard",
        logLevel: p.logLevel,
        commandHooks: copyStaticAssets,
        // The OpenAPI document it serves says what each route needs in this deployment.
        environment: { ADMIN_AUTH: p.adminAuth, WRITE_AUTH: p.writeAuth },
      }),
      producer: new AppFunction(this, "ProducerFunction", {
        entry: "lambdas/http/producer.ts",
        description: "POST /produce and /orders: puts orders on the queue",
        timeout: Duration.seconds(29), // API Gateway's own integration limit
        logLevel: p.logLevel,
      }),
      stats: new AppFunction(this, "StatsFunction", {
        entry: "lambdas/http/stats.ts",
        description: "Every stats query, the consumer log and health",
        environment: { KEY_PREFIX: p.keyPrefix },
        network: redis.network,
        logLevel: p.logLevel,
      }),
      admin: new AppFunction(this, "AdminFunction", {
        entry: "lambdas/http/admin.ts",
        description: "DELETE /clear_redis_db, the dead letters",
        timeout: Duration.seconds(29), // a redrive works until just before API Gateway's limit
        environment: { KEY_PREFIX: p.keyPrefix },
        network: redis.network,
        logLevel: p.logLevel,
      }),
    };
    const archive = new OrderArchive(this, "OrderArchive", {
      retentionDays: p.archiveRetentionDays,
      objectLock: p.archiveObjectLock,
      objectLockDays: p.archiveObjectLockDays,
    });
    archive.allowArchiving(consumer);
    archive.allowClearMarks(functions.admin);
    const rebuild = this.rebuildFunction(p, redis);
    archive.allowReading(rebuild);
    functions.admin.addToRolePolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [rebuild.functionArn] }),
    );
    functions.admin.addEnvironment("REBUILD_FUNCTION_NAME", rebuild.functionName);
    new CfnOutput(this, "ArchiveBucketName", {
      value: archive.bucket.bucketName,
      description: "Every settled order message, gzipped JSON Lines under archive/YYYY/MM/DD/HH/",
    });

    for (const fn of [consumer, functions.stats, functions.admin, rebuild]) redis.connect(fn);
    if (redis.cache) {
      new CfnOutput(this, "CacheEndpoint", {
        value: `${redis.cache.attrEndpointAddress}:${redis.cache.attrEndpointPort}`,
        description: "The ElastiCache Serverless (Valkey) endpoint; TLS, reachable only from the stack's VPC",
      });
    }
    orders.allowSending(functions.producer);
    orders.allowDepthReads(functions.stats);
    orders.allowDeadLetterAdmin(functions.admin);

    if (p.adminAuth === "off") {
      // Said in so many words: anyone may clear the data (a throwaway demo).
      functions.admin.addEnvironment("ADMIN_AUTH", "off");
    } else {
      const adminToken: ISecret = p.adminTokenSecretName
        ? Secret.fromSecretNameV2(this, "AdminToken", p.adminTokenSecretName)
        : generatedAdminToken(this);
      adminToken.grantRead(functions.admin);
      functions.admin.addEnvironment("ADMIN_TOKEN_SECRET_ID", adminToken.secretArn);
      new CfnOutput(this, "AdminTokenSecretArn", {
        value: adminToken.secretArn,
        description: "aws secretsmanager get-secret-value --secret-id <this> shows the admin token",
      });
    }

    const http = new HttpApi(this, "Http", {
      functions,
      stageName: STAGE_NAME,
      throttlingRateLimit: p.throttlingRateLimit,
      throttlingBurstLimit: p.throttlingBurstLimit,
      writeKeys:
        p.writeAuth === "apiKey"
          ? { quotaPerDay: p.apiKeyQuotaPerDay, rateLimit: p.apiKeyRateLimit, burstLimit: p.apiKeyBurstLimit }
          : undefined,
      adminAuth: p.adminAuth,
      accessLogs: p.accessLogs === "on",
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
      oldestMessageAlarmSeconds: p.oldestMessageAlarmSeconds,
      alarmEmail: p.alarmEmail,
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: monitoring.topic.topicArn,
      description: "SNS topic of the alarms: subscribe to it (or deploy with -c alarmEmail=...)",
    });
    new CfnOutput(this, "DashboardName", { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, "QueueUrl", { value: orders.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: orders.deadLetterQueue.queueUrl });
  }

  /**
   * The function that rebuilds the analytics from the archive. Named, so that it may invoke itself
   * to go on (a grant on its own ARN by reference would be a circular dependency).
   */
  private rebuildFunction(p: OrdersParameters, redis: RedisAccess): AppFunction {
    const functionName = `${this.stackName}-rebuild`.slice(0, 64);
    const rebuild = new AppFunction(this, "RebuildFunction", {
      entry: "lambdas/jobs/rebuild.ts",
      description: "Rebuilds the analytics from the order archive (POST /admin/rebuild)",
      functionName,
      timeout: Duration.seconds(p.rebuildTimeoutSeconds),
      memorySize: 1024,
      environment: {
        KEY_PREFIX: p.keyPrefix,
        MARKER_TTL_SECONDS: String(p.queueRetentionSeconds),
        ...judgingEnvironment(p),
      },
      network: redis.network,
      logLevel: p.logLevel,
    });
    rebuild.addToRolePolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: [
          this.formatArn({
            service: "lambda",
            resource: "function",
            resourceName: functionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    return rebuild;
  }
}

/** A random admin token, generated by Secrets Manager at deploy (never in the template). */
function generatedAdminToken(scope: Construct): Secret {
  const secret = new Secret(scope, "AdminToken", {
    description: "Bearer token for DELETE /clear_redis_db",
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

/** How orders are judged beyond the seed's rules: the consumer and the rebuild must judge alike. */
function judgingEnvironment(p: OrdersParameters): Record<string, string> {
  return {
    MAX_ORDER_VALUE_CENTS: String(Math.round(p.maxOrderValue * 100)),
    FIRST_ORDER_YEAR: String(p.firstOrderYear),
    FUTURE_TOLERANCE_SECONDS: String(p.futureToleranceSeconds),
  };
}
