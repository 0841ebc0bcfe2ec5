import { join } from "node:path";
import { type LocalMode, type LocalModeOptions, startLocalMode } from "../../local/local-mode";
import { PROJECT_ROOT } from "../../local/synth";
import { redisMode, redisUrl } from "./redis";

/**
 * Local mode for one test file: on the suite's Redis (a single server, or a cluster under
 * `npm run test:cluster`) with the file's own key prefix, synthesized into `cdk.out.test/<name>`
 * so that files running at once never share a synth folder. `options` adds to that, or replaces
 * it; its context entries join the key prefix.
 */
export function startSuiteLocalMode(
  name: string,
  keyPrefix: string,
  options: LocalModeOptions = {},
): Promise<LocalMode> {
  return startLocalMode({
    port: 0,
    redisUrl: redisUrl(),
    redisMode: redisMode(),
    outdir: join(PROJECT_ROOT, "cdk.out.test", name),
    ...options,
    context: { keyPrefix, ...options.context },
  });
}
