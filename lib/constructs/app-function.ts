import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type ICommandHooks, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import {
  type EnvironmentOf,
  FUNCTION_TABLE,
  type FunctionName,
  platformEnvironment,
} from "../../lambdas/shared/functions";
import { updateWithFiles } from "../file-hash";
import type { FunctionNetwork } from "./redis-access";

/**
 * The project's Lambda function: NodejsFunction with the defaults every function shares. Bundled
 * by the local esbuild (a devDependency: no Docker), ESM for Node.js 24 with source maps, the AWS
 * SDK bundled (the same code runs in local mode, on LocalStack and on AWS), an explicit log
 * group (not `logRetention`, which deploys a custom-resource Lambda), and a role of its own that
 * may write only to that log group (AWS's managed AWSLambdaBasicExecutionRole would let it write
 * to every log group of the account). Built from its row of the function table
 * (lambdas/shared/functions.ts): the entry file, and the environment `setEnvironment` takes.
 */

export interface AppFunctionProps<N extends FunctionName> {
  /** Its row in the function table. */
  table: N;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  logLevel: string;
  /** X-Ray active tracing (the stack's `tracing` parameter). */
  tracing: boolean;
  commandHooks?: ICommandHooks;
  /** A fixed physical name (only where the function must know its own ARN before deploy). */
  functionName?: string;
  /** VPC placement (functions that reach a cache in the stack's VPC). */
  network?: FunctionNetwork | undefined;
}

/** POWERTOOLS_SERVICE_NAME: the `service` of every log line and the dimension of every metric. */
export const SERVICE_NAME = "orders-pipeline";

/** ESM bundles need `require` for the CommonJS packages inside them (ioredis, ...). */
const REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export class AppFunction<N extends FunctionName = FunctionName> extends NodejsFunction {
  /** Its row in the function table. */
  readonly table: N;

  constructor(scope: Construct, id: string, props: AppFunctionProps<N>) {
    const entry = FUNCTION_TABLE[props.table].entry;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${id}: writes its own log group, and what the stack grants it`,
    });
    // Lambda creates the log stream and writes to it; the group exists already (the stack's).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    if (props.network) allowNetworkInterfaces(role);
    super(scope, id, {
      role,
      entry,
      handler: "handler",
      description: props.description,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...props.network,
      environment: platformEnvironment(SERVICE_NAME, props.logLevel),
      bundling: {
        // Known before bundling, so a synth into a cloud assembly that already holds this bundle
        // skips esbuild (faster `cdk synth`, local mode and its reloads).
        assetHash: sourceHash(entry, props.commandHooks),
        format: OutputFormat.ESM,
        target: "node24",
        minify: true,
        // Maps for stack traces only: without the sources' text each map is a third of the size,
        // which every environment reads and holds at init (NODE_OPTIONS below).
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        mainFields: ["module", "main"],
        banner: REQUIRE_SHIM,
        commandHooks: props.commandHooks,
      },
    });
    // The function is created only once its role may write its logs (and, in a VPC, attach to it).
    this.node.addDependency(role);
    this.table = props.table;
    if (props.tracing) acknowledgeTracingGrant(role);
  }

  /**
   * Sets what the function's schema reads, in one typed call: a variable the schema cannot do
   * without and the stack forgets, or one it misspells, fails to compile. In name order, so the
   * template does not depend on the order the stack assembled them in.
   */
  setEnvironment(environment: EnvironmentOf<N>): void {
    const variables: Record<string, string | undefined> = environment;
    for (const name of Object.keys(variables).sort()) {
      const value = variables[name];
      if (value !== undefined) this.addEnvironment(name, value);
    }
  }
}

/**
 * What Lambda needs to attach a function to its VPC (the actions of AWSLambdaVPCAccessExecutionRole
 * without its logs:* on *). Lambda manages the interfaces itself, with ids it makes up: the EC2
 * actions cannot name a resource, so they name `*`.
 */
function allowNetworkInterfaces(role: Role): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      resources: ["*"],
    }),
  );
  Validations.of(role).acknowledge({
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "Only the EC2 network-interface actions Lambda needs to place the function in its VPC (those of AWSLambdaVPCAccessExecutionRole, without its logs permissions): the interfaces' ids are made by Lambda at run time, so they cannot be named.",
  });
}

/** Active tracing grants the role X-Ray's two write actions, which name no resource. */
function acknowledgeTracingGrant(role: Role): void {
  Validations.of(role).acknowledge({
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "xray:PutTraceSegments and xray:PutTelemetryRecords, which Lambda's active tracing needs, support no resource-level permissions: AWS documents them on `*` only.",
  });
}

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A hash of everything a bundle is built from: the function code (all of lambdas/), the locked
 * dependencies, the compiler settings, this file (the bundling options) and the entry and hooks.
 */
function sourceHash(entry: string, commandHooks: ICommandHooks | undefined): string {
  const hash = createHash("sha256").update(entry);
  if (commandHooks) hash.update(commandHooks.afterBundling("in", "out").join("\n"));
  return updateWithFiles(hash, PROJECT_ROOT, [
    join(PROJECT_ROOT, "lambdas"),
    join(PROJECT_ROOT, "package-lock.json"),
    join(PROJECT_ROOT, "tsconfig.json"),
    fileURLToPath(import.meta.url),
  ]).digest("hex");
}
