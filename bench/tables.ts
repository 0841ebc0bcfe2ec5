/**
 * The measured tables, from their JSON results: bench/run.ts and bench/original.ts write them into
 * bench/results/*.md, and `npm run docs` (scripts/rendered-tables.ts) into the pages of docs/ that
 * quote them, so a figure is written by one function and copied by hand nowhere. The reliability
 * suite's results (test/reliability) have their table here too.
 */

/** bench/results/latest.json, as bench/run.ts writes it. */
export interface BenchResults {
  date: string;
  machine: string;
  quick: boolean;
  consumer: {
    archive: boolean;
    batchSize: number;
    ordersPerSecond: number;
    jsonParseCeiling: number;
    ratioToCeiling: number;
    peakRssMiB: number;
  }[];
  endToEnd: {
    accepted: number;
    consumedPerSecond: number;
    sqsCeilingMessagesPerSecond: number;
    ratioToCeiling: number;
    drainSeconds: number;
    latencyMs: { p50: number; p95: number; p99: number };
    unaccounted: number;
  };
  rebuild: { objectsRead: number; ordersRead: number; ordersPerSecond: number; wallSeconds: number };
  reads: { route: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; targetP99Ms: number }[];
  footprint: {
    idleMiB: number;
    idleProcesses: { command: string; residentMiB: number }[];
    peakMiB: number;
    targetsMiB: { idle: number; peak: number };
  };
}

/** bench/results/original.json, as bench/original.ts writes it. */
export interface OriginalResults {
  date: string;
  machine: string;
  orders: number;
  rounds: number;
  loadTool: string;
  /** Environments of the environment hop (npm run bench:environment-hop), the reads' ceiling. */
  ceilingEnvironments: number;
  consumer: {
    originalOrdersPerSecond: number;
    localEndToEndOrdersPerSecond: number;
    unaccounted: number;
    ratio: number;
  };
  reads: {
    route: string;
    original: { rps: number; p99Ms: number };
    local: { rps: number; p99Ms: number };
    /** The route's function alone in bare environments (bench/environment-hop-server.ts, `function:N`). */
    functionAlone: { rps: number; p99Ms: number };
    ceiling: { rps: number; p99Ms: number };
    ratio: number;
    ratioToCeiling: number;
    ratioToFunctionAlone: number;
    functionAloneToCeiling: number;
  }[];
}

export function benchCaption(r: BenchResults): string {
  return `Benchmark ${r.quick ? "(quick) " : ""}of ${r.date.slice(0, 10)} on ${r.machine}`;
}

export function consumerTable(r: BenchResults): string {
  return lines(
    "| consumer alone: batch size | archive | orders/s | JSON.parse ceiling/s | ratio | peak RSS MiB |",
    "| ---: | --- | ---: | ---: | ---: | ---: |",
    ...r.consumer.map(
      (c) =>
        `| ${c.batchSize} | ${c.archive ? "on" : "off"} | ${c.ordersPerSecond} | ${c.jsonParseCeiling} | ${c.ratioToCeiling} | ${c.peakRssMiB} |`,
    ),
  );
}

export function endToEndTable({ endToEnd: e, rebuild }: BenchResults): string {
  return lines(
    "| end to end (local mode) | figure |",
    "| --- | ---: |",
    `| orders through API, queue and consumer | ${e.accepted} |`,
    `| consumed orders/s | ${e.consumedPerSecond} |`,
    `| embedded SQS server alone, messages/s | ${e.sqsCeilingMessagesPerSecond} |`,
    `| ratio to the SQS ceiling | ${e.ratioToCeiling} |`,
    `| time to drain | ${e.drainSeconds} s |`,
    `| POST /produce (500 orders) latency p50 / p95 / p99 | ${e.latencyMs.p50} / ${e.latencyMs.p95} / ${e.latencyMs.p99} ms |`,
    `| unaccounted orders | ${e.unaccounted} |`,
    `| rebuild from the archive: messages (objects) | ${rebuild.ordersRead} (${rebuild.objectsRead}) |`,
    `| rebuild orders/s (wall time, 5 s listing delay included) | ${rebuild.ordersPerSecond} (${rebuild.wallSeconds} s) |`,
  );
}

export function readsTable(r: BenchResults): string {
  return lines(
    "| read API, 32 connections | req/s | p50 ms | p99 ms | p99 target ms |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...r.reads.map(
      (x) => `| ${x.route} | ${x.requestsPerSecond} | ${x.p50Ms} | ${x.p99Ms} | ${x.targetP99Ms} |`,
    ),
  );
}

export function memoryTable({ footprint: f }: BenchResults): string {
  return lines(
    "| local mode's memory, every process of `npm start` summed | MiB | target MiB |",
    "| --- | ---: | ---: |",
    `| idle, after a few requests and 10 s of rest | ${f.idleMiB} | ${f.targetsMiB.idle} |`,
    `| peak, during the end-to-end run | ${f.peakMiB} | ${f.targetsMiB.peak} |`,
    "",
    `Idle, by process: ${f.idleProcesses.map((p) => `${p.command.split(" ").slice(0, 3).join(" ")} ${p.residentMiB} MiB`).join("; ")}.`,
  );
}

export function originalCaption(r: OriginalResults): string {
  return lines(
    `Local mode beside the original service, ${r.date.slice(0, 16).replace("T", " ")} UTC, ${r.machine}`,
    `(${r.orders} orders; reads: ${r.loadTool}, 32 connections, medians of ${r.rounds} rotating rounds;`,
    `the ceiling: the environment hop with ${r.ceilingEnvironments} environments, and the function alone in as many, in the same rounds)`,
  );
}

export function originalTable({ consumer, reads }: OriginalResults): string {
  return lines(
    "| figure | original | local mode | ratio | ceiling | local mode / ceiling | the function alone (/ ceiling) | local mode / the function alone |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| orders/s: its consumer alone (SQS stubbed) / end to end (${consumer.unaccounted} unaccounted) | ${consumer.originalOrdersPerSecond} | ${consumer.localEndToEndOrdersPerSecond} | ${consumer.ratio}x | | | | |`,
    ...reads.map(
      (row) =>
        `| GET ${row.route}, req/s (p99 ms) | ${row.original.rps} (${row.original.p99Ms}) | ${row.local.rps} (${row.local.p99Ms}) | ${row.ratio}x | ${row.ceiling.rps} (${row.ceiling.p99Ms}) | ${row.ratioToCeiling.toFixed(2)} | ${row.functionAlone.rps} (${row.functionAloneToCeiling.toFixed(2)}) | ${row.ratioToFunctionAlone.toFixed(2)} |`,
    ),
  );
}

/** test-results/reliability.json as `npm run test:reliability` writes it, committed under bench/results. */
export interface ReliabilityResults {
  date: string;
  /** Added by hand when the committed copy is not one run's file as written. */
  note?: string;
  reports: {
    fault: string;
    orders: number;
    malformed: number;
    deadLetters: number;
    readerRequests: number;
    reader5xx: number;
    drainSeconds: number;
    /** Messages the rebuild read back from the archive (redeliveries archived twice included). */
    archivedMessages: number;
    rebuildOrdersPerSecond: number;
  }[];
}

/** Lost and double-counted are 0 by construction: a scenario that finds either fails, and writes no report. */
export function reliabilityTable(r: ReliabilityResults): string {
  return [
    `\`npm run test:reliability\` of ${r.date.slice(0, 10)}${r.note ? ` (${r.note})` : ""}:`,
    "",
    "| fault | orders sent | malformed sent | lost | double-counted | dead letters (at least once) | reader requests, 5xx | drained in | rebuilt from archived messages | rebuild orders/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ...r.reports.map(
      (x) =>
        `| ${x.fault} | ${x.orders} | ${x.malformed} | 0 | 0 | ${x.deadLetters} | ${x.readerRequests}, ${x.reader5xx} | ${x.drainSeconds} s | ${x.archivedMessages} | ${x.rebuildOrdersPerSecond} |`,
    ),
  ].join("\n");
}

function lines(...text: string[]): string {
  return text.join("\n");
}
