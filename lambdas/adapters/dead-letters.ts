import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { chunks, SQS_BATCH_ENTRIES } from "../core/chunks";
import { readDeadLetterAttributes } from "../core/dead-letter";
import { queueDepth } from "./sqs-queue";

/**
 * The dead-letter queue, readable and redrivable:
 * - reading receives messages and makes them visible again at once: nothing is deleted, but each
 *   read raises their receive count (the DLQ has no redrive policy, so that moves them nowhere);
 * - redriving moves them back to the order queue with SQS's own move task where the endpoint has
 *   one (AWS, LocalStack), else by receive, send, then delete, never deleting a message before
 *   its copy was sent.
 */

export interface DeadLetter {
  messageId: string;
  /** The message id it had in the order queue: set on dead letters the consumer sent. */
  sourceMessageId: string;
  /** `malformed` (with details) from the consumer; `max_receive_count` when SQS moved it after too many failed receives. */
  reason: string;
  details: string;
  orderId?: string;
  receiveCount: number;
  /** When it was sent to the dead-letter queue (SQS's SentTimestamp), ISO-8601. */
  sentAt: string;
  /** The body as received, cut at 2,000 characters. */
  body: string;
}

export interface DeadLetterQueues {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

export interface RedriveResult {
  moved: number;
  /** `move-task`: SQS's StartMessageMoveTask; `copy`: receive, send, delete. */
  method: "move-task" | "copy";
  /** False when time ran out first: call again to move the rest. */
  finished: boolean;
}

const MAX_BODY = 2_000;
/** How long a read hides messages before handing them back, so one read sees each message once. */
const READ_VISIBILITY_SECONDS = 30;

/** What the admin routes use: read, count and redrive, bound to one pair of queues. */
export function deadLetterAccess(sqs: SQSClient, queues: DeadLetterQueues, redriveBudgetMs: number) {
  return {
    read: (limit: number) => readDeadLetters(sqs, queues.deadLetterQueueUrl, limit),
    /** Waiting and in flight: a read in progress hides the ones it has received. */
    count: async () => {
      const depth = await queueDepth(sqs, queues.deadLetterQueueUrl);
      return depth.messages + depth.inFlight;
    },
    redrive: () => redriveDeadLetters(sqs, queues, redriveBudgetMs),
  };
}

/** Up to `limit` dead letters, left in the queue. */
async function readDeadLetters(sqs: SQSClient, queueUrl: string, limit: number): Promise<DeadLetter[]> {
  const seen = new Map<string, Message>();
  let emptyReceives = 0;
  // SQS hands out at most 10 at a time and samples its servers: a few empty answers mean "done".
  while (seen.size < limit && emptyReceives < 3) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - seen.size),
        VisibilityTimeout: READ_VISIBILITY_SECONDS,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    for (const message of fresh) seen.set(message.MessageId as string, message);
    emptyReceives = fresh.length === 0 ? emptyReceives + 1 : 0;
  }
  await makeVisible(sqs, queueUrl, [...seen.values()]);
  return [...seen.values()].map(toDeadLetter);
}

/** Moves the dead letters back to the order queue, for at most `timeBudgetMs`. */
async function redriveDeadLetters(
  sqs: SQSClient,
  queues: DeadLetterQueues,
  timeBudgetMs: number,
): Promise<RedriveResult> {
  const deadline = Date.now() + timeBudgetMs;
  try {
    return await moveTask(sqs, queues, deadline);
  } catch (error) {
    if ((error as Error).name !== "InvalidAction" && (error as Error).name !== "UnsupportedOperation")
      throw error;
    return await copyBack(sqs, queues, deadline);
  }
}

async function moveTask(sqs: SQSClient, queues: DeadLetterQueues, deadline: number): Promise<RedriveResult> {
  await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: queues.deadLetterQueueArn,
      DestinationArn: queues.queueArn,
    }),
  );
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: queues.deadLetterQueueArn, MaxResults: 1 }),
    );
    const task = Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    if (task?.Status === "FAILED")
      throw new Error(`the move task failed: ${task.FailureReason ?? "no reason given"}`);
    if (!task || task.Status === "COMPLETED" || task.Status === "CANCELLED")
      return { moved, method: "move-task", finished: true };
    if (Date.now() > deadline) return { moved, method: "move-task", finished: false };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function copyBack(sqs: SQSClient, queues: DeadLetterQueues, deadline: number): Promise<RedriveResult> {
  let moved = 0;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: READ_VISIBILITY_SECONDS,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return { moved, method: "copy", finished: true };
    const { Successful = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? "",
          MessageAttributes: m.MessageAttributes,
        })),
      }),
    );
    // Only what arrived in the order queue leaves the dead-letter queue; the rest stays put.
    const sent = new Set(Successful.map((s) => Number(s.Id)));
    const copied = Messages.filter((_, i) => sent.has(i));
    if (copied.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          Entries: copied.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    await makeVisible(
      sqs,
      queues.deadLetterQueueUrl,
      Messages.filter((_, i) => !sent.has(i)),
    );
    moved += copied.length;
  }
  return { moved, method: "copy", finished: false };
}

/** Hands received messages back at once (visibility 0), 10 per call. */
async function makeVisible(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (const group of chunks(messages, SQS_BATCH_ENTRIES)) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: group.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

function toDeadLetter(message: Message): DeadLetter {
  const attributes = readDeadLetterAttributes((name) => message.MessageAttributes?.[name]?.StringValue);
  const body = message.Body ?? "";
  return {
    messageId: message.MessageId ?? "",
    sourceMessageId: attributes.source_message_id ?? message.MessageId ?? "",
    reason: attributes.reason ?? "max_receive_count",
    details:
      attributes.details ??
      "delivered maxReceiveCount times without being recorded (Redis or the dead-letter queue unavailable)",
    ...orderIdOf(body),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: new Date(Number(message.Attributes?.SentTimestamp ?? 0)).toISOString(),
    body: body.slice(0, MAX_BODY),
  };
}

function orderIdOf(body: string): { orderId?: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    const orderId = (parsed as { order_id?: unknown } | null)?.order_id;
    return typeof orderId === "string" ? { orderId } : {};
  } catch {
    return {};
  }
}
