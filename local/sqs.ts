import { SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import type { QueueModel } from "./template";

/**
 * The template's queues in an embedded SQS-compatible server (fauxqs), with their visibility
 * timeouts, retention and redrive policies. Everything talks to it through the real AWS SDK.
 */

export const LOCAL_REGION = "us-east-1";
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export interface LocalQueue {
  model: QueueModel;
  url: string;
  arn: string;
  name: string;
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  server: FauxqsServer;
  /** Creates the queues that do not exist yet (dead-letter queues first); returns all, by logical id. */
  ensureQueues(models: readonly QueueModel[], stackName: string): Map<string, LocalQueue>;
  stop(): Promise<void>;
}

export async function startLocalSqs(port = 0): Promise<LocalSqs> {
  const server = await startFauxqs({ port, host: "127.0.0.1", logger: false, defaultRegion: LOCAL_REGION });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
  });
  const created = new Map<string, LocalQueue>();

  return {
    endpoint,
    client,
    server,
    ensureQueues(models, stackName) {
      const byId = new Map(models.map((model) => [model.logicalId, model]));
      const create = (model: QueueModel): LocalQueue => {
        const existing = created.get(model.logicalId);
        if (existing) return existing;
        const attributes: Record<string, string> = {
          VisibilityTimeout: String(model.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(model.retentionSeconds),
        };
        if (model.redrive) {
          const deadLetterModel = byId.get(model.redrive.deadLetterLogicalId);
          if (!deadLetterModel)
            throw new Error(
              `${model.logicalId}: dead-letter queue ${model.redrive.deadLetterLogicalId} is not in the template`,
            );
          const deadLetters = create(deadLetterModel);
          attributes.RedrivePolicy = JSON.stringify({
            deadLetterTargetArn: deadLetters.arn,
            maxReceiveCount: String(model.redrive.maxReceiveCount),
          });
        }
        const name = `${stackName}-${model.name}`.slice(0, 80);
        const { queueUrl, queueArn } = server.createQueue(name, { attributes });
        const queue = { model, url: queueUrl, arn: queueArn, name };
        created.set(model.logicalId, queue);
        return queue;
      };
      for (const model of models) create(model);
      return new Map(models.map((model) => [model.logicalId, created.get(model.logicalId) as LocalQueue]));
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
