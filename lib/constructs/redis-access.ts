import { Fn, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import {
  FlowLogDestination,
  FlowLogTrafficType,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
  VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint,
} from "aws-cdk-lib/aws-ec2";
import { CfnServerlessCache } from "aws-cdk-lib/aws-elasticache";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { EnvironmentOf } from "../../lambdas/shared/functions";

/**
 * How the functions reach Redis, in one place:
 * - `external`: a Redis the stack does not own, by URL (no password) or by a Secrets Manager
 *   secret holding the URL with its password (read at cold start, never in the template);
 * - `elasticache`: an ElastiCache Serverless cache for Valkey (TLS, always a cluster) in a VPC of
 *   the stack's own: isolated subnets in two AZs, no NAT gateway, interface endpoints for the AWS
 *   services the functions call, and security groups that let only the functions reach the cache.
 * `network` is what a function that touches Redis is built with (its VPC placement), `environment`
 * what it is told, and `connect` what it is granted.
 */

export type RedisAccessProps =
  | { mode: "external"; url: string; secretName?: undefined }
  | { mode: "external"; url?: undefined; secretName: string }
  | { mode: "elasticache"; cacheName: string };

/** Where Redis is, as the functions' schema names it (the URL, or the secret holding it). */
export type RedisEnvironment = Pick<EnvironmentOf<"stats">, "REDIS_MODE"> &
  (
    | (Pick<EnvironmentOf<"stats">, "REDIS_URL"> & { REDIS_SECRET_ID?: undefined })
    | (Pick<EnvironmentOf<"stats">, "REDIS_SECRET_ID"> & { REDIS_URL?: undefined })
  );

export interface FunctionNetwork {
  vpc: IVpc;
  vpcSubnets: SubnetSelection;
  securityGroups: SecurityGroup[];
}

/** Valkey on ElastiCache Serverless listens here (TLS). */
const CACHE_PORT = 6379;

export class RedisAccess extends Construct {
  /** Set in `elasticache` mode: the VPC placement of every function that touches Redis. */
  readonly network?: FunctionNetwork;
  /** Set in `elasticache` mode. */
  readonly cache?: CfnServerlessCache;
  readonly vpc?: Vpc;
  /** Where Redis is: its URL, or the secret holding it; and whether it is a cluster. */
  readonly environment: RedisEnvironment;
  private readonly urlSecret?: ISecret;

  constructor(scope: Construct, id: string, props: RedisAccessProps) {
    super(scope, id);
    if (props.mode === "external") {
      if (props.secretName !== undefined) {
        this.urlSecret = Secret.fromSecretNameV2(this, "UrlSecret", props.secretName);
        this.environment = { REDIS_SECRET_ID: props.secretName, REDIS_MODE: "single" };
      } else {
        this.environment = { REDIS_URL: props.url, REDIS_MODE: "single" };
      }
      return;
    }

    this.vpc = isolatedVpc(this);
    const { functions, cacheGroup, endpoints } = securityGroups(this, this.vpc);
    addServiceEndpoints(this.vpc, endpoints);
    this.cache = new CfnServerlessCache(this, "Cache", {
      serverlessCacheName: props.cacheName,
      engine: "valkey",
      description: `Analytics of ${Stack.of(this).stackName}`,
      securityGroupIds: [cacheGroup.securityGroupId],
      subnetIds: this.vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
    });
    this.network = {
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [functions],
    };
    this.environment = {
      REDIS_URL: Fn.join("", ["rediss://", this.cache.attrEndpointAddress, ":", this.cache.attrEndpointPort]),
      REDIS_MODE: "cluster",
    };
  }

  /** Lets `fn` read the URL's secret, if there is one; `fn` was built with `network`. */
  connect(fn: LambdaFunction): void {
    this.urlSecret?.grantRead(fn);
  }
}

/** Two AZs of isolated subnets, no NAT gateway, and a log of the traffic its groups rejected. */
function isolatedVpc(scope: Construct): Vpc {
  const vpc = new Vpc(scope, "Vpc", {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: "isolated", subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  // Rejected traffic only: what a security group refused is what someone investigating needs.
  vpc.addFlowLog("RejectedTraffic", {
    trafficType: FlowLogTrafficType.REJECT,
    destination: FlowLogDestination.toCloudWatchLogs(
      new LogGroup(scope, "FlowLogs", {
        retention: RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    ),
  });
  return vpc;
}

/** The functions', the cache's and the endpoints' groups: the functions reach the other two, nothing else. */
function securityGroups(scope: Construct, vpc: Vpc) {
  const functions = new SecurityGroup(scope, "FunctionsSecurityGroup", {
    vpc,
    description: "Functions that reach the cache",
    allowAllOutbound: false,
  });
  const cacheGroup = new SecurityGroup(scope, "CacheSecurityGroup", {
    vpc,
    description: "The cache: only the functions may connect",
    allowAllOutbound: false,
  });
  const endpoints = new SecurityGroup(scope, "EndpointsSecurityGroup", {
    vpc,
    description: "Interface endpoints of the AWS services the functions call",
    allowAllOutbound: false,
  });
  Validations.of(endpoints).acknowledge({
    id: "AwsSolutions-EC23",
    reason:
      "Its only ingress is HTTPS from the functions' security group (a reference the rule cannot evaluate); the CDK tests assert it and that nothing opens 0.0.0.0/0.",
  });
  functions.connections.allowTo(cacheGroup, Port.tcp(CACHE_PORT), "Functions to the cache (TLS)");
  functions.connections.allowTo(endpoints, Port.tcp(443), "Functions to AWS service endpoints (HTTPS)");
  return { functions, cacheGroup, endpoints };
}

/**
 * The functions call SQS (dead letters, queue depths), Secrets Manager (admin token), S3 (the
 * archive) and Lambda (starting a rebuild): with no NAT gateway, through these endpoints. S3's
 * answers the S3 names for the whole VPC, with no gateway endpoint (whose prefix list would need an
 * egress rule the stack cannot name offline).
 */
function addServiceEndpoints(vpc: Vpc, endpoints: SecurityGroup): void {
  for (const [name, service] of [
    ["Sqs", InterfaceVpcEndpointAwsService.SQS],
    ["SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ["S3", InterfaceVpcEndpointAwsService.S3],
    ["Lambda", InterfaceVpcEndpointAwsService.LAMBDA],
  ] as const) {
    vpc.addInterfaceEndpoint(name, {
      service,
      privateDnsEnabled: true,
      securityGroups: [endpoints],
      ...(service === InterfaceVpcEndpointAwsService.S3
        ? {
            privateDnsOnlyForInboundResolverEndpoint:
              VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS,
          }
        : {}),
    });
  }
}
