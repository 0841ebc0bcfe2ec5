import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";
import { pageSecurityHeaders } from "../shared/http";
import { HttpReply } from "../shared/routing";
import { API_INFO, type ApiAuth, buildOpenApiDocument } from "./openapi";
import type { HandlersOf } from "./routes";
import { ROUTES, type RouteSpec } from "./routes";
import { DASHBOARD_PAGE, STATIC_ASSETS, type StaticAssetName } from "./static-assets";

/**
 * Service information, the OpenAPI document, Swagger UI and the dashboard. Their scripts and
 * stylesheets come from the project's own dependencies (static-assets.ts), never from a CDN. The
 * pages link each asset with its content hash (`static/x.js?v=<hash>`): an asset asked for with
 * its current hash may be cached for a year, and is sent compressed to clients that accept it
 * (Swagger UI's bundle is 1.7 MB, 0.4 MB with brotli).
 */

export interface DocsDeps {
  /** Where the dashboard's built files are (the bundle's `dashboard/` directory on Lambda). */
  dashboardDir: string;
  /** How this deployment protects its routes, as the served OpenAPI document says (the defaults if not given). */
  auth?: ApiAuth;
}

export function docsHandlers(deps: DocsDeps): HandlersOf<"docs"> {
  const files = staticFiles(deps.dashboardDir);
  let docsPage: string | undefined;
  let dashboardPage: string | undefined;
  return {
    getRoot: async () => apiInfo(),
    getApiInfo: async () => apiInfo(),
    getOpenApi: async () => buildOpenApiDocument(deps.auth),
    async getDocs() {
      docsPage ??= files.linkVersions(DOCS_PAGE);
      return new HttpReply(200, docsPage, htmlHeaders([DOCS_SCRIPT_HASH]));
    },
    async getStaticAsset({ params, query, headers }) {
      const file = files.asset(params.asset);
      const encoding = preferredEncoding(headers["accept-encoding"]);
      const body = encoding ? file.encoded(encoding) : file.text;
      return new HttpReply(200, body, {
        "content-type": STATIC_ASSETS[params.asset].contentType,
        // The hash in the link names this content: it never changes under that URL.
        "cache-control":
          query.v === file.hash ? "public, max-age=31536000, immutable" : "public, max-age=300",
        etag: `"${file.hash}"`,
        vary: "accept-encoding",
        ...(encoding ? { "content-encoding": encoding } : {}),
      });
    },
    async getDashboard() {
      dashboardPage ??= files.linkVersions(files.at(join(deps.dashboardDir, DASHBOARD_PAGE)).text);
      return new HttpReply(200, dashboardPage, htmlHeaders());
    },
  };
}

/** The files the docs function serves, each read once per execution environment: text, hash and compressed forms. */
function staticFiles(dashboardDir: string) {
  const require = createRequire(import.meta.url);
  const assetPath = (name: StaticAssetName) => {
    const asset = STATIC_ASSETS[name];
    return "module" in asset ? require.resolve(asset.module) : join(dashboardDir, asset.built);
  };
  const files = new Map<string, ServedFile>();
  const at = (path: string) => {
    let file = files.get(path);
    if (!file) {
      file = servedFile(readFileSync(path, "utf8"));
      files.set(path, file);
    }
    return file;
  };
  const asset = (name: StaticAssetName) => at(assetPath(name));
  return {
    at,
    asset,
    /** A page's `static/<name>` links, each with its asset's hash. */
    linkVersions: (html: string) =>
      html.replace(/(static\/)([\w.-]+)"/g, (link, path: string, name: string) =>
        name in STATIC_ASSETS ? `${path}${name}?v=${asset(name as StaticAssetName).hash}"` : link,
      ),
  };
}

/**
 * `GET /api` (and `GET /`). Links are relative: the API may be mounted anywhere (a stage, a custom
 * domain's base path, LocalStack's `/_aws/execute-api/<id>/<stage>`), so none is computed here.
 */
export function apiInfo() {
  const listed = (Object.values(ROUTES) as RouteSpec[]).filter((route) => route.infoKey !== null);
  // A path served for several methods (GET and POST /admin/rebuild) is listed once for each.
  const methodsAt = (path: string) => listed.filter((route) => route.path === path).length;
  const keyOf = (route: RouteSpec) =>
    route.infoKey ?? `${route.path.slice(1)}${methodsAt(route.path) > 1 ? ` (${route.method})` : ""}`;
  return {
    // The original's three keys first, so its clients find what they read.
    status: 200 as const,
    message: "SQS Order Management API",
    endpoints: Object.fromEntries(
      listed.map((route) => [keyOf(route), `${route.method} ${route.path} - ${route.summary}`]),
    ),
    service: "orders-pipeline",
    version: API_INFO.version,
    description: API_INFO.description,
    docs: "docs",
    openapi: "openapi.json",
    routes: listed.map((route) => ({ method: route.method, path: route.path, summary: route.summary })),
  };
}

function htmlHeaders(scriptHashes: readonly string[] = []): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    ...pageSecurityHeaders(scriptHashes),
  };
}

type Encoding = "br" | "gzip";

/** What `Accept-Encoding` allows, brotli first (smaller), then gzip; none when it allows neither. */
function preferredEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").toLowerCase().split(",")) {
    const [name = "", ...parameters] = part.trim().split(";");
    const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get("*") ?? 0;
  if (weight("br") > 0) return "br";
  if (weight("gzip") > 0) return "gzip";
  return undefined;
}

interface ServedFile {
  text: string;
  /** The first 16 hex digits of its SHA-256: names this content in links. */
  hash: string;
  encoded(encoding: Encoding): Buffer;
}

function servedFile(text: string): ServedFile {
  const encoded = new Map<Encoding, Buffer>();
  return {
    text,
    hash: createHash("sha256").update(text).digest("hex").slice(0, 16),
    encoded(encoding) {
      let bytes = encoded.get(encoding);
      if (!bytes) {
        // Compressed once per environment: brotli at a middle quality is fast and near its best.
        bytes =
          encoding === "br"
            ? brotliCompressSync(text, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } })
            : gzipSync(text, { level: 6 });
        encoded.set(encoding, bytes);
      }
      return bytes;
    },
  };
}

/** Swagger UI's start, the one inline script of the docs page (allowed by its hash). */
const DOCS_SCRIPT = `
    window.ui = SwaggerUIBundle({ url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true });
  `;
const DOCS_SCRIPT_HASH = createHash("sha256").update(DOCS_SCRIPT).digest("base64");

/** Swagger UI. Every URL is relative to the page, so it works wherever the API is mounted. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${API_INFO.title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="static/swagger-ui-bundle.js"></script>
  <script>${DOCS_SCRIPT}</script>
</body>
</html>
`;
