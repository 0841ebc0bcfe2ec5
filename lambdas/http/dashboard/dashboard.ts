/// <reference lib="dom" />
/**
 * The dashboard's script (bundled by esbuild into static/dashboard.js, see lib/dashboard-build.ts):
 * reads the public API every few seconds and shows the pipeline at a glance. Every request is
 * relative to the page, so the dashboard works wherever the API is mounted (a stage, LocalStack's
 * path-style URL). Its one dependency, uPlot, is loaded before it as a global.
 */
import type uPlotType from "uplot";
import { type ApiSchemas, apiClient } from "../client/api-client";

declare const uPlot: typeof uPlotType;

/** The API's answers, typed from its OpenAPI document: a changed schema fails this file's build. */
type GlobalStats = ApiSchemas["GlobalStats"];
type Rankings = ApiSchemas["Rankings"];
type QueueStats = ApiSchemas["QueueStats"];
type ConsumerLogs = ApiSchemas["ConsumerLogs"];
type MonthStats = ApiSchemas["MonthTotals"]["months"][number];
type RebuildProgress = ApiSchemas["Rebuild"];

/** Every request is relative to the page: the API that serves the dashboard. */
const api = apiClient(".");

const REFRESH_MS = 3000;
const money = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en");
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 });
let chart: uPlotType | undefined;

function element<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
}

function setText(selector: string, text: string): void {
  const target = element(selector);
  if (target.textContent !== text) target.textContent = text;
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function barCell(share: number, red = false): HTMLTableCellElement {
  const td = document.createElement("td");
  td.style.width = "40%";
  const bar = document.createElement("div");
  bar.className = red ? "bar red" : "bar";
  bar.style.width = `${Math.max(1, Math.round(share * 100))}%`;
  td.appendChild(bar);
  return td;
}

function fillRows(id: string, rows: HTMLTableCellElement[][]): void {
  const fragment = document.createDocumentFragment();
  for (const cells of rows) {
    const tr = document.createElement("tr");
    for (const td of cells) tr.appendChild(td);
    fragment.appendChild(tr);
  }
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const empty = cell("Nothing yet.", "empty");
    empty.colSpan = 99; // the whole row, whatever the table's columns
    tr.appendChild(empty);
    fragment.appendChild(tr);
  }
  element(`#${id}`).replaceChildren(fragment);
}

function renderGlobal(g: GlobalStats): void {
  const handled = g.total_orders + g.failed_orders;
  setText('[data-figure="orders"]', count.format(g.total_orders));
  // Compact in the card (it has to fit a phone); the exact amount is its title.
  setText('[data-figure="revenue"]', compact.format(g.total_revenue));
  element('[data-figure="revenue"]').title = money.format(g.total_revenue);
  setText('[data-figure="failed"]', count.format(g.failed_orders));
  setText(
    '[data-figure="failure-rate"]',
    handled === 0 ? "-" : `${((100 * g.failed_orders) / handled).toFixed(1)}%`,
  );
  setText('[data-figure="duplicates"]', count.format(g.duplicates));
  const reasons = Object.keys(g.failed_by_reason).sort(
    (a, b) => (g.failed_by_reason[b] ?? 0) - (g.failed_by_reason[a] ?? 0),
  );
  const most = g.failed_by_reason[reasons[0] ?? ""] ?? 1;
  fillRows(
    "failures",
    reasons.map((reason) => {
      const n = g.failed_by_reason[reason] ?? 0;
      return [cell(reason.replace(/_/g, " ")), barCell(n / most, true), cell(count.format(n), "num")];
    }),
  );
}

function renderRankings(r: Rankings): void {
  fillRankingRows(
    "by-spend",
    r.total_spend_ranking.map((u) => [u.user_id, u.total_spend]),
    money,
  );
  fillRankingRows(
    "by-orders",
    r.total_order_count_ranking.map((u) => [u.user_id, u.total_order_count]),
    count,
  );
}

/** A ranking's rows: the user, a bar relative to the first (the largest), the figure. */
function fillRankingRows(id: string, ranking: [string, number][], format: Intl.NumberFormat): void {
  const top = ranking[0]?.[1] || 1;
  fillRows(
    id,
    ranking.map(([userId, figure]) => [
      cell(userId),
      barCell(figure / top),
      cell(format.format(figure), "num"),
    ]),
  );
}

function renderQueues(q: QueueStats): void {
  setText('[data-figure="queue"]', `${count.format(q.queue.messages)} (${count.format(q.queue.in_flight)})`);
  setText('[data-figure="dlq"]', count.format(q.dead_letter_queue.messages));
}

function renderLogs(l: ConsumerLogs): void {
  // The API answers oldest first (as the original did); the newest goes on top here.
  fillRows(
    "logs",
    [...l.logs].reverse().map((entry) => [
      cell(entry.timestamp.slice(11, 19)),
      cell(entry.status, entry.status),
      // The log entry's order fields are not in the document yet (typed unknown): shown as text.
      cell(String(entry.order_id || "-")),
      cell(String(entry.user_id || "-")),
      cell(typeof entry.order_value === "number" ? money.format(entry.order_value) : "-", "num"),
      cell(entry.reason ? String(entry.reason).replace(/_/g, " ") : ""),
    ]),
  );
}

function renderMonths(months: MonthStats[]): void {
  const target = element("#chart");
  element("#chart-empty").style.display = months.length ? "none" : "block";
  if (!months.length) return;
  const labels = months.map((m) => m.month);
  const data: uPlotType.AlignedData = [
    labels.map((_, i) => i),
    months.map((m) => m.total_revenue),
    months.map((m) => m.total_orders),
  ];
  const width = Math.max(280, target.clientWidth);
  if (chart?.series.length && chart.data[0].length === labels.length) {
    chart.setData(data);
    return;
  }
  chart?.destroy();
  chart = new uPlot(chartOptions(labels, width), data, target);
}

/** Revenue as a line on the left axis, orders as bars on the right, one point per month. */
function chartOptions(labels: readonly string[], width: number): uPlotType.Options {
  const upTo = (_u: uPlotType, _min: number, max: number): uPlotType.Range.MinMax => [
    0,
    Math.max(1, max) * 1.1,
  ];
  return {
    width,
    height: 260,
    scales: {
      x: { time: false, range: [-0.5, labels.length - 0.5] },
      revenue: { range: upTo },
      orders: { range: upTo },
    },
    series: [
      { label: "Month", value: (_u, i) => labels[i] ?? "" },
      {
        label: "Revenue",
        scale: "revenue",
        stroke: "#2563eb",
        width: 2,
        points: { size: 7 },
        value: (_u, v) => (v == null ? "-" : money.format(v)),
      },
      {
        label: "Orders",
        scale: "orders",
        stroke: "#15803d",
        fill: "rgba(21,128,61,0.25)",
        paths: uPlot.paths.bars?.({ size: [0.5, 60] }),
        points: { show: false },
      },
    ],
    axes: [
      { splits: () => labels.map((_, i) => i), values: (_u, splits) => splits.map((i) => labels[i] ?? "") },
      {
        scale: "revenue",
        size: 70,
        values: (_u, splits) =>
          splits.map((v) =>
            v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : String(v),
          ),
      },
      { scale: "orders", side: 1, grid: { show: false } },
    ],
  };
}

/** A running rebuild from the archive, and for ten minutes after, how it ended. */
function renderRebuild(progress: RebuildProgress): void {
  const banner = element("#rebuild");
  const ended = progress.finished_at ? Date.now() - Date.parse(progress.finished_at) : 0;
  if (progress.status === "idle" || (progress.status !== "running" && ended > 10 * 60_000)) {
    banner.hidden = true;
    return;
  }
  const read = `${progress.objects_read.toLocaleString()} archive objects, ${progress.orders_read.toLocaleString()} orders read (${progress.orders_per_second.toLocaleString()} orders/s)`;
  banner.className = `banner ${progress.status}`;
  banner.textContent =
    progress.status === "running"
      ? `Rebuilding the figures from the order archive: ${read}. The figures below switch over when it is done.`
      : progress.status === "done"
        ? `Figures rebuilt from the order archive: ${read}.`
        : progress.status === "refused"
          ? `Rebuild from the archive ${progress.error ?? "refused"}.`
          : `Rebuild from the archive failed: ${progress.error ?? "unknown error"}.`;
  banner.hidden = false;
}

async function refresh(): Promise<void> {
  try {
    const [global, rankings, queues, logs, months, health, rebuild] = await Promise.all([
      api.GET("/stats/global"),
      api.GET("/users", { params: { query: { limit: 8 } } }),
      api.GET("/stats/queues"),
      api.GET("/consumer_logs", { params: { query: { limit: 12 } } }),
      api.GET("/stats/monthly", { params: { query: { limit: 12 } } }),
      api.GET("/health"),
      api.GET("/admin/rebuild"),
    ]);
    if (rebuild.data) renderRebuild(rebuild.data);
    if (global.data) renderGlobal(global.data);
    if (rankings.data) renderRankings(rankings.data);
    if (queues.data) renderQueues(queues.data);
    if (logs.data) renderLogs(logs.data);
    const healthy = health.response.ok;
    element("#health").className = healthy ? "dot ok" : "dot bad";
    setText("#updated", `${healthy ? "healthy" : "degraded"} - updated ${new Date().toLocaleTimeString()}`);
    if (months.data) renderMonths(months.data.months);
  } catch {
    element("#health").className = "dot bad";
    setText("#updated", "API unreachable - retrying");
  }
}

element<HTMLFormElement>("#produce").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = element<HTMLButtonElement>("#produce-button");
  const orders = Number(element<HTMLInputElement>("#count").value);
  const spreadDays = element<HTMLInputElement>("#spread").checked ? 90 : 0;
  button.disabled = true;
  try {
    const produce = () =>
      api.POST("/produce", {
        body: { count: orders, spread_days: spreadDays },
        headers: apiKey ? { "x-api-key": apiKey } : {},
      });
    let answer = await produce();
    if (answer.response.status === 403) {
      // The stack protects writes with an API key (writeAuth=apiKey): ask for it once, and retry.
      apiKey = window.prompt("API key for writes (npm start prints it when keys are on)") ?? undefined;
      if (apiKey) answer = await produce();
    }
    setText("#produce-result", answer.data?.message ?? failure(answer.error, answer.response));
    await refresh();
  } finally {
    button.disabled = false;
  }
});

/** The write routes' API key, asked for when a write is refused, kept in memory only. */
let apiKey: string | undefined;

/** The admin token, asked for once per page load, kept in memory only. */
let adminToken: string | undefined;

/** The admin token's header, asking for the token first; a refused one is asked for again next time. */
function adminHeaders(): { authorization: string } {
  adminToken ??=
    window.prompt("Admin token (npm start prints it; on AWS it is in Secrets Manager)") ?? undefined;
  return { authorization: `Bearer ${adminToken ?? ""}` };
}

/** What a refused request says: the API's error, else its status. */
function failure(error: { error?: string; message?: string } | undefined, response: Response): string {
  if (response.status === 401 || response.status === 403) adminToken = undefined;
  return error?.error ?? error?.message ?? `HTTP ${response.status}`;
}

async function showDeadLetters(): Promise<void> {
  const { data, error, response } = await api.GET("/dlq", {
    params: { query: { limit: 50 } },
    headers: adminHeaders(),
  });
  if (!data) {
    setText("#dlq-result", failure(error, response));
    return;
  }
  setText("#dlq-result", `${count.format(data.approximate_total)} in the dead-letter queue`);
  fillRows(
    "dead-letters",
    data.dead_letters.map((letter) => [
      cell(letter.reason.replace(/_/g, " "), "failed"),
      cell(letter.order_id ?? "-"),
      cell(new Date(letter.sent_at).toLocaleString()),
      cell(String(letter.receive_count), "num"),
      cell(letter.details),
    ]),
  );
}

element("#dlq-show").addEventListener("click", () => void showDeadLetters());
element("#dlq-redrive").addEventListener("click", async () => {
  const { data, error, response } = await api.POST("/dlq/redrive", { headers: adminHeaders() });
  if (!data) {
    setText("#dlq-result", failure(error, response));
    return;
  }
  const more = data.finished ? "" : " (more remain: redrive again)";
  setText("#dlq-result", `moved ${count.format(data.moved)} back to the order queue${more}`);
  fillRows("dead-letters", []);
});

window.addEventListener("resize", () => {
  chart?.setSize({ width: Math.max(280, element("#chart").clientWidth), height: 260 });
});

void refresh();
setInterval(refresh, REFRESH_MS);
