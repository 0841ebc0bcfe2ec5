import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { RebuildProgress, RebuildState } from "../adapters/rebuild-state";
import { GENERATION_CACHE_MS } from "../adapters/redis-generations";
import {
  type OrderArchive,
  UnauthenticatedArchiveObjectError,
  UnreadableArchiveObjectError,
} from "../adapters/s3-archive";
import { analyticsEntry } from "../core/analytics-entry";
import type { AnalyticsEntry, AnalyticsStore } from "../core/analytics-store";
import { type ArchivedObject, type ArchiveLine, readArchiveLine } from "../core/archive";
import { classifyMessage } from "../core/outcome";
import type { JudgingRules } from "../core/rules";
import type { logger as sharedLogger } from "../shared/logger";

/**
 * Rebuilding the analytics from the archive, into a new generation of keys (redis-store.ts):
 *
 * 1. `startRebuild` (POST /admin/rebuild) notes the rebuild and its generation; from then on the
 *    consumer records into the new generation too, so whatever it counts after that is there.
 * 2. `runRebuild` (the rebuild function, invoked asynchronously) waits until every consumer has
 *    seen that (LIST_DELAY_MS), then replays the archive from the latest clear, in key (time)
 *    order, through the same judging and the same record script as the live path: redelivered
 *    messages archived twice count once, as they did live. When it runs short of time it saves
 *    its place and invokes itself again.
 * 3. At the end of the archive it switches readers to the new generation in one step, then deletes
 *    the old one once no process can still be reading it. Unless the new generation counts fewer
 *    orders than the live one (an archive that lost objects, or a local one that was not kept):
 *    then it is refused and deleted, and nothing changes, unless the rebuild was asked to force.
 */

/** Longer than any process trusts its cached generations, with room for clock differences. */
const LIST_DELAY_MS = 5 * GENERATION_CACHE_MS;
/** A running rebuild that saved no progress for this long is taken to have died (Lambda's limit is 15 min). */
const STALE_AFTER_MS = 16 * 60_000;
/** Archive keys listed per call. */
const LIST_PAGE = 100;
/** Attempts at one object's recording before the rebuild gives up (Redis unreachable meanwhile). */
const RECORD_ATTEMPTS = 5;

export interface StartRebuildDeps {
  state: RebuildState;
  archive: Pick<OrderArchive, "startAfter">;
  deleteGeneration: (generation: number) => Promise<number>;
  /** Invokes the rebuild function asynchronously with `{ id }`. */
  invoke: (id: string) => Promise<void>;
  /** How long the rebuild waits before it lists the archive (default LIST_DELAY_MS). */
  listDelayMs?: number;
}

export type StartResult =
  | { started: true; progress: RebuildProgress }
  | { started: false; progress: RebuildProgress };

export async function startRebuild(
  deps: StartRebuildDeps,
  now = Date.now(),
  { force = false }: { force?: boolean } = {},
): Promise<StartResult> {
  const existing = await deps.state.progress();
  if (existing?.status === "running") {
    if (now - existing.updatedAt < STALE_AFTER_MS) return { started: false, progress: existing };
    await deps.state.abandon(existing.generation);
  }
  const generations = await deps.state.generations();
  const generation = Math.max(generations.active, generations.building ?? 0, existing?.generation ?? 0) + 1;
  await deps.deleteGeneration(generation); // anything an earlier, abandoned attempt left there
  const progress: RebuildProgress = {
    id: randomUUID(),
    status: "running",
    generation,
    previousGeneration: generations.active,
    startedAt: now,
    listAfter: now + (deps.listDelayMs ?? LIST_DELAY_MS),
    cursor: await deps.archive.startAfter(),
    objectsRead: 0,
    ordersRead: 0,
    objectsSkipped: 0,
    objectsUnauthenticated: 0,
    linesSkipped: 0,
    workingMs: 0,
    invocations: 0,
    judgedDifferently: 0,
    updatedAt: now,
    force,
  };
  await deps.state.begin(progress);
  try {
    await deps.invoke(progress.id);
  } catch (error) {
    await deps.state.abandon(generation);
    await deps.state.save({
      status: "failed",
      error: "the rebuild function could not be invoked",
      finishedAt: Date.now(),
    });
    throw error;
  }
  return { started: true, progress };
}

export interface RunRebuildDeps {
  state: RebuildState;
  archive: Pick<OrderArchive, "list" | "read">;
  /** The store of one generation (not the generation-switching one). */
  storeOf: (generation: number) => Pick<AnalyticsStore, "record" | "globalStats">;
  deleteGeneration: (generation: number) => Promise<number>;
  /** Invokes the rebuild function again, asynchronously, to go on where this one stopped. */
  continueLater: (id: string) => Promise<void>;
  remainingMs: () => number;
  logger: Pick<typeof sharedLogger, "info" | "warn" | "error">;
  /** The stack's judging rules; each message's value-mismatch policy comes from its archived line. */
  rules: Omit<JudgingRules, "valueMismatch">;
}

export type RunResult = "done" | "continued" | "failed" | "refused" | "not-running" | "busy";

export async function runRebuild(id: string, deps: RunRebuildDeps): Promise<RunResult> {
  const saved = await deps.state.progress();
  if (!saved || saved.id !== id || saved.status !== "running") return "not-running";
  const budgetMs = deps.remainingMs();
  // Stop with time to spare: saving and invoking the next one must finish inside this invocation.
  const reserveMs = Math.min(60_000, budgetMs / 4);
  const holder = randomUUID();
  if (!(await deps.state.takeLease(id, holder, budgetMs + 10_000))) return "busy";
  /** Where this invocation is: saved after each archive object. */
  const progress = { ...saved, invocations: saved.invocations + 1 };
  const timeLeft = () => deps.remainingMs() > reserveMs;
  try {
    await deps.state.save({ invocations: progress.invocations });
    const wait = progress.listAfter - Date.now();
    if (wait > 0) await sleep(Math.min(wait, Math.max(0, deps.remainingMs() - reserveMs)));
    if (Date.now() < progress.listAfter) return await continueLater(id, deps, holder);
    if ((await replayArchive(progress, deps, timeLeft)) === "out of time")
      return await continueLater(id, deps, holder);
    return await finish(progress, deps);
  } catch (error) {
    return await fail(progress, deps, error);
  } finally {
    await deps.state.releaseLease(id, holder);
  }
}

/** Replays the archive from `progress.cursor` into the generation being built, saving its progress after each object. */
async function replayArchive(
  progress: RebuildProgress,
  deps: RunRebuildDeps,
  timeLeft: () => boolean,
): Promise<"replayed" | "out of time"> {
  const store = deps.storeOf(progress.generation);
  let keys = await deps.archive.list(progress.cursor, LIST_PAGE);
  while (keys.length > 0) {
    // The next object downloads while this one is recorded.
    let next = readSettled(deps.archive, keys[0] as string);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const started = performance.now();
      const read = await next;
      if (i + 1 < keys.length) next = readSettled(deps.archive, keys[i + 1] as string);
      if ("object" in read) await replayObject(key, read.object, progress, store, deps);
      else skipUnreadable(read.error, progress, deps.logger);
      progress.cursor = key;
      progress.workingMs += Math.round(performance.now() - started);
      await deps.state.save(progressFields(progress));
      // A read ahead for nothing is harmless: it has settled, and the next invocation reads it again.
      if (!timeLeft()) return "out of time";
    }
    keys = await deps.archive.list(progress.cursor, LIST_PAGE);
  }
  return "replayed";
}

async function replayObject(
  key: string,
  object: ArchivedObject,
  progress: RebuildProgress,
  store: Pick<AnalyticsStore, "record">,
  deps: RunRebuildDeps,
): Promise<void> {
  const { entries, judgedDifferently, linesSkipped } = entriesOf(object, deps.rules);
  if (linesSkipped > 0) deps.logger.warn("archive lines skipped", { key, lines: linesSkipped });
  const refused = await recordAll(store, entries);
  if (refused > 0) deps.logger.warn("archive lines refused by Redis, skipped", { key, lines: refused });
  progress.objectsRead++;
  progress.ordersRead += entries.length - refused;
  progress.linesSkipped += linesSkipped + refused;
  progress.judgedDifferently += judgedDifferently;
}

/**
 * Switches readers to the rebuilt generation, then deletes the one they used; unless it counts
 * fewer orders than the one they use and the rebuild was not asked to force.
 */
async function finish(progress: RebuildProgress, deps: RunRebuildDeps): Promise<RunResult> {
  const [liveOrders, rebuiltOrders] = await Promise.all([
    countedOrders(deps.storeOf(progress.previousGeneration)),
    countedOrders(deps.storeOf(progress.generation)),
  ]);
  if (rebuiltOrders < liveOrders && !progress.force)
    return refuse(progress, deps, { liveOrders, rebuiltOrders });
  await deps.state.switchTo(progress.generation);
  await deps.state.save({
    ...progressFields(progress),
    liveOrders,
    rebuiltOrders,
    status: "done",
    finishedAt: Date.now(),
  });
  deps.logger.info("rebuild done", { ...progressFields(progress), generation: progress.generation });
  // Processes may read the old generation until their cached pointer expires.
  await sleep(2 * GENERATION_CACHE_MS);
  const deleted = await deps.deleteGeneration(progress.previousGeneration);
  deps.logger.info("previous generation deleted", { generation: progress.previousGeneration, keys: deleted });
  return "done";
}

async function countedOrders(store: Pick<AnalyticsStore, "globalStats">): Promise<number> {
  const totals = await store.globalStats();
  return totals.totalOrders + totals.failedOrders;
}

/** Nothing changes: the figures stay, the rebuilt generation goes, and the status says why. */
async function refuse(
  progress: RebuildProgress,
  deps: RunRebuildDeps,
  counts: { liveOrders: number; rebuiltOrders: number },
): Promise<RunResult> {
  await deps.state.abandon(progress.generation);
  await deps.state.save({
    ...progressFields(progress),
    ...counts,
    status: "refused",
    error: `refused: the archive since the last clear makes ${counts.rebuiltOrders} orders, the figures hold ${counts.liveOrders}; nothing was changed (POST /admin/rebuild?force=true replaces them anyway)`,
    finishedAt: Date.now(),
  });
  deps.logger.warn("rebuild refused: it would count fewer orders", {
    ...counts,
    generation: progress.generation,
  });
  await deps.deleteGeneration(progress.generation);
  return "refused";
}

async function fail(progress: RebuildProgress, deps: RunRebuildDeps, error: unknown): Promise<RunResult> {
  deps.logger.error("rebuild failed", { error: error as Error, generation: progress.generation });
  await deps.state.abandon(progress.generation);
  await deps.state.save({
    ...progressFields(progress),
    status: "failed",
    // Shown to anyone by GET /admin/rebuild: what failed, never the exception's own text.
    error: "the rebuild stopped on an error: the rebuild function's log has it",
    finishedAt: Date.now(),
  });
  await deps.deleteGeneration(progress.generation);
  return "failed";
}

async function continueLater(id: string, deps: RunRebuildDeps, holder: string): Promise<RunResult> {
  await deps.state.releaseLease(id, holder);
  await deps.continueLater(id);
  return "continued";
}

function progressFields(progress: RebuildProgress): Partial<RebuildProgress> {
  const { cursor, objectsRead, ordersRead, objectsSkipped, objectsUnauthenticated, linesSkipped } = progress;
  const { workingMs, judgedDifferently } = progress;
  return {
    cursor,
    objectsRead,
    ordersRead,
    objectsSkipped,
    objectsUnauthenticated,
    linesSkipped,
    workingMs,
    judgedDifferently,
  };
}

/**
 * One object's read, settled where it starts: a read ahead runs while another object is recorded,
 * and a failure left unhandled meanwhile would be an unhandled rejection (which fails a Lambda
 * invocation) before the loop reaches it.
 */
function readSettled(
  archive: Pick<OrderArchive, "read">,
  key: string,
): Promise<{ object: ArchivedObject } | { error: unknown }> {
  return archive.read(key).then(
    (object) => ({ object }),
    (error: unknown) => ({ error }),
  );
}

/**
 * An object that is not one of this deployment's archive objects is skipped, counted (apart when
 * its authenticator does not hold) and logged by key; any other failure stops the rebuild.
 */
function skipUnreadable(error: unknown, progress: RebuildProgress, logger: RunRebuildDeps["logger"]): void {
  if (!(error instanceof UnreadableArchiveObjectError)) throw error;
  logger.warn("archive object skipped", { key: error.key, reason: error.reason });
  progress.objectsSkipped++;
  if (error instanceof UnauthenticatedArchiveObjectError) progress.objectsUnauthenticated++;
}

/**
 * How much later than its object a message may say it was sent: SQS's clock may run ahead of the
 * consumer's, and a record without a SentTimestamp is stamped when judged, after the object opened.
 */
const SENT_AFTER_OBJECT_TOLERANCE_MS = 5 * 60_000;

/**
 * An archived object's messages, judged again exactly as the consumer judged them: with the
 * value-mismatch policy they were judged under, against the time each was sent. A line that is not
 * an archive line, or that contradicts what its object vouches for (an archive time other than the
 * object's, a sending time after it, another policy than its writer's), is skipped and counted.
 */
export function entriesOf(
  object: ArchivedObject,
  rules: Omit<JudgingRules, "valueMismatch">,
): { entries: AnalyticsEntry[]; judgedDifferently: number; linesSkipped: number } {
  const entries: AnalyticsEntry[] = [];
  let judgedDifferently = 0;
  let linesSkipped = 0;
  for (const line of object.lines) {
    if (line.length === 0) continue;
    const parsed = readArchiveLine(line);
    if (!parsed || !agreesWith(object, parsed.header)) {
      linesSkipped++;
      continue;
    }
    const { header, body } = parsed;
    const sentAtMs = Date.parse(header.sent_at ?? header.archived_at);
    const outcome = classifyMessage(body, { ...rules, valueMismatch: header.value_mismatch }, sentAtMs);
    const reason = outcome.kind === "valid" ? undefined : outcome.reason;
    if (outcome.kind !== header.outcome || reason !== header.reason) judgedDifferently++;
    entries.push(analyticsEntry(header.message_id, header.source_message_id, outcome, sentAtMs));
  }
  return { entries, judgedDifferently, linesSkipped };
}

/**
 * True when a line's header says what its (authenticated) object vouches for: archived with it,
 * sent before it (give or take another clock), judged under its writer's policy.
 */
function agreesWith(object: ArchivedObject, header: ArchiveLine["header"]): boolean {
  const sentAtMs = Date.parse(header.sent_at ?? header.archived_at);
  return (
    header.archived_at === object.writtenAt &&
    header.value_mismatch === object.valueMismatch &&
    sentAtMs <= Date.parse(object.writtenAt) + SENT_AFTER_OBJECT_TOLERANCE_MS
  );
}

/**
 * Records an object's entries; returns how many Redis refused (skipped: sent again, they would be
 * refused again). Entries it could not take are sent again (they are exactly-once).
 */
async function recordAll(store: Pick<AnalyticsStore, "record">, entries: AnalyticsEntry[]): Promise<number> {
  let pending = entries;
  let refused = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const statuses = await store.record(pending);
    refused += statuses.filter((status) => status === "refused").length;
    pending = pending.filter((_, i) => statuses[i] === "unavailable");
    if (pending.length > 0 && attempt >= RECORD_ATTEMPTS)
      throw new Error(`Redis did not take ${pending.length} entries after ${attempt} attempts`);
    if (pending.length > 0) await sleep(200 * attempt);
  }
  return refused;
}
