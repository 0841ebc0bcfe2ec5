/**
 * The one rule every local endpoint applies before anything else (local mode listens on a
 * developer's loopback, which every web page they open can reach).
 */

/** The names a request to local mode may give as its Host: the loopback's. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);
/** Methods that change things; a page elsewhere may send those with a body without asking first. */
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BODY_WRITE_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * Why local mode refuses a request no local client would send, or undefined. Local mode listens
 * on the loopback of a developer's machine, where every web page they visit can reach it:
 * - a Host that is not a loopback name (or one the user added) is a page elsewhere whose name
 *   resolves to 127.0.0.1 (DNS rebinding), reading and writing as if it were the developer;
 * - a write from a page of another origin, or one that carries neither a JSON body nor an
 *   Authorization header (what a plain HTML form or a no-cors fetch sends), is a cross-site write.
 * AWS needs none of this: its endpoints are not on the developer's loopback. Every socket local
 * mode opens applies it: the API, the embedded SQS and S3 server, Lambda's Invoke API and
 * Secrets Manager.
 */
export function localRequestProblem(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  allowedHosts: readonly string[],
): { status: number; message: string } | undefined {
  const host = String(headers.host ?? "");
  const hostname = hostnameOf(host);
  if (!LOOPBACK_HOSTS.has(hostname) && !hostname.endsWith(".localhost") && !allowedHosts.includes(hostname)) {
    return {
      status: 403,
      message: `Host ${JSON.stringify(host)} refused: local mode answers the loopback's names (localhost, 127.0.0.1, *.localhost) and those given with --allowed-host`,
    };
  }
  if (!WRITE_METHODS.has(method)) return undefined;
  const origin = headers.origin ? String(headers.origin) : undefined;
  if (origin && origin !== "null") {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = "";
    }
    if (originHost !== host) {
      return { status: 403, message: `cross-site ${method} refused: Origin ${origin} is not this API's` };
    }
  } else if (origin === "null") {
    return { status: 403, message: `cross-site ${method} refused: Origin null (a sandboxed page or a file)` };
  }
  const json = /^application\/json\s*(;|$)/i.test(String(headers["content-type"] ?? ""));
  if (BODY_WRITE_METHODS.has(method) && !json && !headers.authorization) {
    return {
      status: 415,
      message: `${method} needs Content-Type: application/json here, ${headers["content-type"] ? `not ${JSON.stringify(String(headers["content-type"]))}` : "and none was sent"} (local mode refuses what a web page's form could send): add -H 'Content-Type: application/json' (or the Authorization header the route needs)`,
    };
  }
  return undefined;
}

/** `localhost:3000` -> `localhost`, `[::1]:3000` -> `::1`. */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return (bracketed[1] as string).toLowerCase();
  return host.replace(/:\d+$/, "").toLowerCase();
}
