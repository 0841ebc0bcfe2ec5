import type { LocalQueue } from "../embedded-aws.ts";
import type { InvocationReport } from "../lambda-runtime.ts";
import { recordInvocation } from "../local-tracing.ts";
import type { QueueSnapshot } from "../queue-snapshot.ts";
import { type Span, type TraceStore, traceStoreFromEnv } from "../traces.ts";
import { FunctionFiguresBook, LogRing } from "./observe.ts";
import { type LocalConsole, startConsole } from "./server.ts";

/**
 * What local mode keeps for its console while it runs (function figures, log lines, traces), the
 * hooks that feed it, and the console's start: what local-mode.ts needs of all this, in one place.
 */

export interface Observation {
  traces: TraceStore | undefined;
  figures: FunctionFiguresBook;
  logs: LogRing;
}

export function startObserving(env: NodeJS.ProcessEnv): Observation {
  return { traces: traceStoreFromEnv(env), figures: new FunctionFiguresBook(), logs: new LogRing() };
}

type Log = (source: string, line: string, stream: "stdout" | "stderr") => void;
type Report = (functionName: string, report: InvocationReport) => void;

/** The log, each line kept for the console too. */
export function observedLog(observation: Observation, log: Log): Log {
  return (source, line, stream) => {
    observation.logs.add(source, line, stream);
    log(source, line, stream);
  };
}

/** The reports, each counted in its function's figures and recorded as its invocation's span too. */
export function observedReport(observation: Observation, report: Report): Report {
  const { traces, figures } = observation;
  return (functionName, invocation) => {
    figures.add(functionName, invocation);
    if (traces) recordInvocation(traces, functionName, invocation);
    report(functionName, invocation);
  };
}

/** Where the functions' own spans go; undefined when nothing is recorded (the environments keep none then). */
export function spanSink(
  observation: Observation,
): ((functionName: string, spans: Span[]) => void) | undefined {
  const { traces } = observation;
  if (!traces) return undefined;
  return (functionName, spans) => {
    for (const span of spans) traces.record({ ...span, kind: "function", service: functionName });
  };
}

export interface RunningStack {
  /** The functions' names, as the template has them now. */
  functionNames(): string[];
  queues(): Map<string, LocalQueue>;
  /** The embedded SQS server, which answers `/_local/queues/<name>` (local/queue-snapshot.ts). */
  sqsEndpoint: string;
}

export function startLocalConsole(
  observation: Observation,
  stack: RunningStack,
  at: { port: number; anyPortIfTaken?: boolean; host: string; allowedHosts: readonly string[] },
): Promise<LocalConsole> {
  return startConsole({
    ...at,
    sources: {
      functions: () => observation.figures.figures(stack.functionNames()),
      queues: (peek) => queueSnapshots(stack, peek),
      logs: observation.logs,
      traces: observation.traces,
    },
  });
}

async function queueSnapshots(stack: RunningStack, peek: number) {
  const queues = [...stack.queues().values()];
  return Promise.all(
    queues.map(async (queue) => {
      const answer = await fetch(
        `${stack.sqsEndpoint}/_local/queues/${encodeURIComponent(queue.name)}?peek=${peek}`,
      );
      if (!answer.ok) throw new Error(`queue ${queue.name}: ${answer.status}`);
      const snapshot = (await answer.json()) as QueueSnapshot;
      const source = queues.find(
        (candidate) => candidate.model.redrive?.deadLetterLogicalId === queue.model.logicalId,
      );
      return { ...snapshot, deadLetterQueueOf: source?.name };
    }),
  );
}
