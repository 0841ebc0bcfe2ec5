import type { z } from "zod";

/**
 * The one wording of zod's problems, wherever they are reported: a 400's `details`, a dead
 * letter's reason, an invalid environment or stack parameter. Each line is
 * `path: message`, the path after `location` when given (e.g. `query.limit: Too big`).
 */

/** Most problems listed at once: enough to fix them, bounded for logs and dead letters. */
const MAX_ISSUES = 10;

export function describeIssues(issues: readonly z.core.$ZodIssue[], location?: string): string[] {
  return issues.slice(0, MAX_ISSUES).map((issue) => {
    const segments = [...(location ? [location] : []), ...issue.path.map(String)];
    return `${segments.length > 0 ? segments.join(".") : "body"}: ${issue.message}`;
  });
}
