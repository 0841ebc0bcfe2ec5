/**
 * Whether fauxqs's SQLite persistence of queues (startFauxqs's `dataDir`) could keep local mode's
 * queues across a restart, and what it costs: the SendMessageBatch + ReceiveMessage +
 * DeleteMessageBatch throughput (bench/sqs-ceiling.ts) of fauxqs's server, as it ships, in a
 * thread as local mode runs its own, with its queues in memory and in SQLite (a folder beside the
 * project's files, on the disk `.local/` is on); runs alternating, as medians: the machine is noisy.
 * It halves the throughput, so local mode keeps its queues in memory while it runs and writes
 * their messages to its state folder once, at stop (local/aws-server.ts's keptMessages; tested in
 * test/integration/embedded-server.test.ts).
 *
 *   npx tsx bench/queue-persistence.ts [--runs 7] [--messages 4000] (--help lists the options)
 */
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { parseCommandLine } from "../local/command-line";
import { localSqsClient } from "../local/embedded-aws";
import { PROJECT_ROOT } from "../local/synth";
import { measureSqsCeiling } from "./sqs-ceiling";
import { median } from "./statistics";

const { values } = parseCommandLine(
  "npx tsx bench/queue-persistence.ts [options]",
  {
    runs: { type: "string", value: "N", default: "7", range: [1, 100], help: "runs of each, alternating" },
    messages: { type: "string", value: "N", default: "4000", range: [1, 1_000_000], help: "messages a run" },
  },
  process.argv.slice(2),
  { about: "fauxqs's SQS throughput with its queues in memory against in SQLite (its dataDir)." },
);
const QUEUE = "queue-persistence";

/** fauxqs's own server in a thread: startFauxqs, with `dataDir` its SQLite, and a queue created as local mode creates it. */
async function startFauxqsThread(dataDir: string | undefined) {
  const code = `
    import { parentPort, workerData } from "node:worker_threads";
    const { startFauxqs } = await import(workerData.fauxqs);
    const server = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false, dataDir: workerData.dataDir });
    const { queueUrl } = server.createQueue(${JSON.stringify(QUEUE)});
    parentPort.postMessage({ port: server.port, queueUrl });
    parentPort.once("message", async () => { await server.stop(); parentPort.postMessage("stopped"); });
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
    workerData: { fauxqs: import.meta.resolve("fauxqs"), dataDir },
  });
  const [{ port, queueUrl }] = (await once(worker, "message")) as [{ port: number; queueUrl: string }];
  const sqs = localSqsClient(`http://127.0.0.1:${port}`);
  return {
    sqs,
    queueUrl,
    async stop() {
      sqs.destroy();
      worker.postMessage("stop");
      await once(worker, "message");
      await worker.terminate();
    },
  };
}

/** Messages a second through a fresh server's queue, in memory or in SQLite. */
async function throughput(inSqlite: boolean, bodies: readonly string[]): Promise<number> {
  const dataDir = inSqlite ? await mkdtemp(join(PROJECT_ROOT, ".bench-queues-")) : undefined;
  const server = await startFauxqsThread(dataDir);
  try {
    return (await measureSqsCeiling({ sqs: server.sqs, queueUrl: server.queueUrl, bodies }))
      .messagesPerSecond;
  } finally {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** Messages sent before a restart that a receiver finds after it, the queue created again as at every start. */
async function keptAcrossRestart(): Promise<string> {
  const dataDir = await mkdtemp(join(PROJECT_ROOT, ".bench-queues-"));
  try {
    const first = await startFauxqsThread(dataDir);
    for (const body of ["one", "two", "three"])
      await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: body }));
    await first.stop();
    const second = await startFauxqsThread(dataDir);
    const { Messages = [] } = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: second.queueUrl, MaxNumberOfMessages: 10 }),
    );
    await second.stop();
    return `${Messages.length} of 3`;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const bodies = Array.from({ length: Number(values.messages) }, (_, order) =>
  JSON.stringify({ order, items: "x".repeat(300) }),
);
const results = { memory: [] as number[], sqlite: [] as number[] };
for (let run = 0; run < Number(values.runs); run++) {
  // Alternating which goes first, so that neither always has the warmer machine.
  for (const inSqlite of run % 2 === 0 ? [false, true] : [true, false]) {
    results[inSqlite ? "sqlite" : "memory"].push(await throughput(inSqlite, bodies));
  }
}
const memory = median(results.memory);
const sqlite = median(results.sqlite);
console.log(`queues in memory: median ${memory} messages/s  (runs: ${results.memory.join(", ")})`);
console.log(`queues in SQLite: median ${sqlite} messages/s  (runs: ${results.sqlite.join(", ")})`);
console.log(`SQLite / memory: ${(sqlite / memory).toFixed(2)}`);
console.log(`messages kept across a restart, the queue created again: ${await keptAcrossRestart()}`);
