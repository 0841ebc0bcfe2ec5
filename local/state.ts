import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { isRunning } from "./redis-server.ts";
import { PROJECT_ROOT } from "./synth.ts";

/**
 * Everything local mode owns, in one folder, so that a restart loses nothing:
 * - its Redis's append-only file (`redis/`);
 * - the embedded server's S3 objects, the order archive among them (`s3/`), and the queues'
 *   messages, written at stop (`queues.json`): where local/embedded-aws.ts keeps them;
 * - the values of the stack's secrets and API key (`secrets/`, a file each named as the variable
 *   that chooses it, e.g. `secrets/ADMIN_TOKEN`, readable by its owner only).
 * `.local/` in the project by default (git ignores it); `--state-dir` or LOCAL_STATE_DIR chooses
 * another, and `--ephemeral` a temporary folder removed at stop (what the tests use).
 *
 * One local mode at a time owns a folder (`local-mode.json`: its pid and where its services
 * are). `npm run invoke` started beside it uses that local mode's Redis and S3 instead of
 * starting its own on the same files.
 */

/** `.local/` in the project, unless LOCAL_STATE_DIR names another folder. */
const DEFAULT_STATE_DIR = process.env.LOCAL_STATE_DIR || join(PROJECT_ROOT, ".local");

/** Where a running local mode's services are, for `npm run invoke` beside it. */
interface RunningServices {
  pid: number;
  redisUrl: string;
  redisMode: "single" | "cluster";
  awsEndpoint: string;
}

export interface LocalState {
  directory: string;
  /** Removed at release: nothing is kept. */
  ephemeral: boolean;
  /** Set when another local mode owns the folder: its services, to share. */
  running: RunningServices | undefined;
  redisDir: string;
  /** The kept value of a secret (by the variable that chooses it, e.g. ADMIN_TOKEN), if any. */
  secret(name: string): string | undefined;
  storeSecret(name: string, value: string): void;
  /** Says where this local mode's services are, for an invoke beside it. */
  announce(services: Omit<RunningServices, "pid">): void;
  release(): void;
  /** The folder as the banner shows it: relative to the project when inside it. */
  shown: string;
  /** The command that empties this folder: `npm run reset`, with `--state-dir` when it is not the default. */
  resetCommand: string;
}

export class StateInUseError extends Error {
  override name = "StateInUseError";
  readonly pid: number;
  readonly directory: string;
  constructor(pid: number, directory: string) {
    super(
      `another local mode (pid ${pid}) is using ${directory}: stop it first, or run this one with --state-dir <another folder> or --ephemeral (nothing kept)`,
    );
    this.pid = pid;
    this.directory = directory;
  }
}

/**
 * Opens the state folder. `share`: when another local mode owns it, open it anyway to use that
 * one's services (`running`), without taking the lock; otherwise that is an error.
 */
export function openLocalState(
  options: { directory?: string; ephemeral?: boolean; share?: boolean } = {},
): LocalState {
  const ephemeral = options.ephemeral ?? false;
  const directory = ephemeral
    ? mkdtempSync(join(tmpdir(), "orders-pipeline-local-"))
    : resolve(options.directory ?? DEFAULT_STATE_DIR);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const lockFile = join(directory, "local-mode.json");
  const owner = ephemeral ? undefined : runningOwner(lockFile);
  if (owner && !(options.share && owner.redisUrl)) throw new StateInUseError(owner.pid, directory);
  const running = options.share ? (owner as RunningServices | undefined) : undefined;
  // Taken at once, not when the services are up: a second start meanwhile must see it.
  if (!running && !ephemeral) writeFileSync(lockFile, JSON.stringify({ pid: process.pid }), { mode: 0o600 });
  const secretsDir = join(directory, "secrets");
  const shown = `${relative(PROJECT_ROOT, directory).startsWith("..") ? directory : relative(PROJECT_ROOT, directory)}/`;
  return {
    directory,
    ephemeral,
    running,
    redisDir: join(directory, "redis"),
    shown,
    // npm runs scripts in the project, so a path relative to it works as shown.
    resetCommand:
      directory === resolve(DEFAULT_STATE_DIR)
        ? "npm run reset"
        : `npm run reset -- --state-dir ${shellWord(shown)}`,
    secret: (name) => readText(join(secretsDir, name)),
    storeSecret(name, value) {
      if (running) return; // the owner's values stand
      mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
      const file = join(secretsDir, name);
      writeFileSync(file, `${value}\n`, { mode: 0o600 });
      chmodSync(file, 0o600); // a file that was there keeps its mode through writeFileSync
    },
    announce(services) {
      if (running) return;
      writeFileSync(lockFile, JSON.stringify({ pid: process.pid, ...services }), { mode: 0o600 });
    },
    release() {
      if (ephemeral) rmSync(directory, { recursive: true, force: true });
      else if (!running) rmSync(lockFile, { force: true });
    },
  };
}

/**
 * The local mode that owns the folder, if its process still runs (a crashed one owns nothing);
 * without `redisUrl` while it is starting.
 */
function runningOwner(lockFile: string): (Partial<RunningServices> & { pid: number }) | undefined {
  const owner = readJson<Partial<RunningServices> & { pid: number }>(lockFile);
  if (!owner || owner.pid === process.pid || !isRunning(owner.pid)) return undefined;
  return owner;
}

function readJson<T>(file: string): T | undefined {
  const text = readText(file);
  try {
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/** A file's text without its trailing newline; undefined when there is none (or it is empty). */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `text` as one word of a POSIX shell command line. */
function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
