import { request } from "node:http";

/** A raw HTTP exchange: any Host, any headers, any body, as a client on another page or with garbage might send. */

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends `body` (written in 64 KiB pieces, so that a server may answer a body too large before
 * it has all of it) and resolves with the answer. A write that fails once the server has answered
 * and closed (EPIPE after a 413) is no failure: the answer is what the test looks at.
 */
export function rawRequest(
  endpoint: string,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  const url = new URL(init.path ?? "/", endpoint);
  const body = typeof init.body === "string" ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: init.method ?? "POST",
        path: url.pathname + url.search,
        headers: { "content-length": String(body.length), ...init.headers },
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    let offset = 0;
    const write = () => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + 65_536);
        offset += piece.length;
        if (!req.write(piece)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

/**
 * Declares a body of `length` bytes and sends none of it: the answer to what a server decides
 * from the Content-Length alone (a body too large), without racing it to write what it refuses.
 */
export function declareBody(
  endpoint: string,
  init: { method?: string; path?: string; headers?: Record<string, string>; length: number },
): Promise<RawAnswer> {
  const url = new URL(init.path ?? "/", endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: init.method ?? "POST",
        path: url.pathname + url.search,
        headers: { ...init.headers, "content-length": String(init.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          req.destroy();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    req.on("error", reject);
    req.flushHeaders();
  });
}
