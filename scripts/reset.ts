/**
 * `npm run reset`: starts local mode over. Deletes its state folder (`.local/`, or
 * `--state-dir DIR`): its Redis's data (every figure), the order archive, the queued messages and the secrets (a new
 * admin token at the next start). Refused while a local mode runs on the folder.
 */
import { readdirSync, rmSync } from "node:fs";
import { parseCommandLine } from "../local/command-line.ts";
import { openLocalState, StateInUseError } from "../local/state.ts";

const { values } = parseCommandLine(
  "npm run reset -- [options]",
  {
    "state-dir": { type: "string", value: "DIR", help: "the state folder to delete (default .local/)" },
  },
  process.argv.slice(2),
);

try {
  const state = openLocalState({ directory: values["state-dir"] });
  // Besides the lock this run just took.
  const had = readdirSync(state.directory).some((name) => name !== "local-mode.json");
  rmSync(state.directory, { recursive: true, force: true });
  console.log(
    had
      ? `deleted ${state.shown}: local mode's figures, order archive, queued messages and secrets; the next npm start begins empty`
      : `${state.shown} held nothing yet; the next npm start begins empty`,
  );
} catch (error) {
  console.error(
    error instanceof StateInUseError
      ? `npm run reset: local mode (pid ${error.pid}) is running on ${error.directory}: stop it (Ctrl-C) first; nothing was deleted`
      : `npm run reset: ${(error as Error).stack}`,
  );
  process.exit(1);
}
