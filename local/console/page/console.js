// The local console's page: four views over local mode's console API (local/console/server.ts),
// each refreshed while it is shown. Everything it shows is set as text, never as HTML: log lines
// and message bodies hold whatever anyone sent.

const REFRESH_MS = 2000;
const FOLLOW_MS = 1000;
const MAX_LOG_ROWS = 1000;
const views = ["functions", "queues", "logs", "traces"];
let timer;
let lastLogSeq = 0;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "className") node.className = value;
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

async function api(path) {
  const answer = await fetch(path, { headers: { accept: "application/json" } });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error ?? `HTTP ${answer.status}`);
  return body;
}

const ms = (value) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
const time = (epochMs) => new Date(epochMs).toISOString().slice(11, 23);
const number = (value) => new Intl.NumberFormat("en").format(value);
const cell = (value, className = "") => element("td", className ? { className } : {}, value);

function status(text) {
  document.getElementById("status").textContent = text;
}

// Functions ------------------------------------------------------------------------------------

async function showFunctions() {
  const { functions } = await api("api/functions");
  const rows = functions.map((fn) =>
    element(
      "tr",
      { "data-function": fn.name },
      cell(fn.name),
      cell(number(fn.invocations), "number"),
      cell(number(fn.errors), fn.errors > 0 ? "number error" : "number"),
      cell(number(fn.coldStarts), "number"),
      cell(fn.lastInitMs === undefined || fn.lastInitMs === null ? "-" : ms(fn.lastInitMs), "number"),
      cell(fn.invocations ? ms(fn.p50Ms) : "-", "number"),
      cell(fn.invocations ? ms(fn.p99Ms) : "-", "number"),
      cell(fn.invocations ? `${fn.maxMemoryUsedMB} / ${fn.memorySizeMB} MB` : "-", "number"),
    ),
  );
  document.getElementById("functions").replaceChildren(...rows);
  fillFunctionChoice(functions.map((fn) => fn.name));
}

function fillFunctionChoice(names) {
  const select = document.getElementById("log-function");
  if (select.options.length > 1) return;
  for (const name of names) select.append(element("option", { value: name }, name));
}

// Queues ---------------------------------------------------------------------------------------

async function showQueues() {
  const { queues } = await api("api/queues?peek=10");
  const cards = queues.map((queue) => {
    const figure = (label, value, name) =>
      element("div", {}, element("b", { "data-figure": name }, value), label);
    const peek = queue.messages.length
      ? queue.messages.map((message) =>
          element(
            "tr",
            { "data-message-id": message.messageId },
            cell(message.messageId),
            cell(message.state),
            cell(message.receiveCount, "number"),
            cell(time(message.sentTimestamp)),
            cell(
              message.attributes.reason?.StringValue ?? (message.traceHeader ? "traced" : ""),
              message.attributes.reason ? "error" : "",
            ),
            cell(message.body, "body"),
          ),
        )
      : [element("tr", {}, element("td", { className: "empty", colspan: "6" }, "No messages."))];
    return element(
      "div",
      { className: "queue", "data-queue": queue.name },
      element(
        "h3",
        {},
        queue.name,
        queue.deadLetterQueueOf
          ? element("span", { className: "tag" }, `dead letters of ${queue.deadLetterQueueOf}`)
          : "",
      ),
      element(
        "div",
        { className: "figures" },
        figure("waiting", number(queue.waiting), "waiting"),
        figure("in flight", number(queue.inFlight), "in-flight"),
        figure("delayed", number(queue.delayed), "delayed"),
        figure("oldest message, seconds", number(queue.oldestAgeSeconds), "oldest"),
      ),
      element(
        "table",
        {},
        element(
          "thead",
          {},
          element(
            "tr",
            {},
            ...["Message", "State", "Receives", "Sent", "Reason", "Body"].map((h) => element("th", {}, h)),
          ),
        ),
        element("tbody", {}, ...peek),
      ),
    );
  });
  document.getElementById("queues").replaceChildren(...cards);
}

// Logs -----------------------------------------------------------------------------------------

function logQuery() {
  const params = new URLSearchParams({ after: String(lastLogSeq), limit: "500" });
  const fn = document.getElementById("log-function").value;
  const level = document.getElementById("log-level").value;
  const requestId = document.getElementById("log-request-id").value.trim();
  if (fn) params.set("function", fn);
  if (level) params.set("level", level);
  if (requestId) params.set("request_id", requestId);
  return params;
}

function logRow(line) {
  const requestId = line.requestId
    ? element(
        "a",
        { className: "request-id", onclick: () => filterByRequest(line.requestId) },
        line.requestId,
      )
    : "";
  return element(
    "tr",
    { "data-seq": line.seq, "data-source": line.source, "data-level": line.level },
    cell(time(line.time)),
    cell(line.source),
    cell(line.level, `level-${line.level}`),
    element("td", {}, requestId),
    cell(line.message === "REPORT" ? line.line : line.message),
  );
}

async function showLogs(restart = false) {
  const body = document.getElementById("logs");
  if (restart) {
    lastLogSeq = 0;
    body.replaceChildren();
  }
  const { lines, lastSeq } = await api(`api/logs?${logQuery()}`);
  lastLogSeq = lastSeq;
  body.append(...lines.map(logRow));
  while (body.rows.length > MAX_LOG_ROWS) body.deleteRow(0);
  if (body.rows.length === 0)
    body.append(
      element(
        "tr",
        { className: "nothing" },
        element("td", { className: "empty", colspan: "5" }, "No lines yet."),
      ),
    );
  else for (const empty of body.querySelectorAll("tr.nothing")) empty.remove();
}

function filterByRequest(requestId) {
  document.getElementById("log-request-id").value = requestId;
  void showLogs(true);
}

// Traces ---------------------------------------------------------------------------------------

async function showRecentTraces() {
  const answer = await api("api/traces?limit=50");
  const rule = answer.sampling;
  const sampling = rule
    ? ` Under load only a sample is kept (the first ${rule.reservoirPerSecond} a second, then ${rule.fixedRate * 100}% of the rest; LOCAL_TRACES=all keeps every one).`
    : "";
  document.getElementById("traces-note").textContent = answer.recording
    ? `The most recent traces; an order id finds its journey through the queue.${sampling}`
    : "Recording is off (LOCAL_TRACES=off).";
  const rows = answer.traces.map((trace) =>
    element(
      "tr",
      { "data-trace-id": trace.traceId, onclick: () => openTrace(trace.traceId) },
      cell(time(trace.start)),
      cell(trace.traceId),
      cell(`${trace.name} (${trace.service})`, trace.error ? "error" : ""),
      cell(trace.spans, "number"),
      cell(ms(trace.end - trace.start), "number"),
    ),
  );
  document.getElementById("traces").replaceChildren(...rows);
  document.getElementById("trace-list").hidden = false;
}

async function openTrace(traceId) {
  const { spans, traceIds } = await api(`api/traces/${traceId}`);
  drawWaterfall(`Trace ${traceIds[0]}`, spans);
}

async function findOrder(orderId) {
  const { spans, traceIds } = await api(`api/traces?order_id=${encodeURIComponent(orderId)}`);
  if (spans.length === 0) {
    document.getElementById("traces-note").textContent = `No kept trace holds ${orderId}.`;
    document.getElementById("waterfall").hidden = true;
    return;
  }
  document.getElementById("traces-note").textContent =
    `${orderId}: ${traceIds.length} traces (the request that sent it, the batch that took it), ${spans.length} spans.`;
  document.getElementById("trace-list").hidden = true;
  drawWaterfall(`The journey of ${orderId}`, spans);
}

/** Spans in tree order (each under its parent, siblings by start), with their depth. */
function inTreeOrder(spans) {
  const byId = new Map(spans.map((span) => [span.id, span]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    if (span.parentId && byId.has(span.parentId)) {
      if (!children.has(span.parentId)) children.set(span.parentId, []);
      children.get(span.parentId).push(span);
    } else roots.push(span);
  }
  const ordered = [];
  const visit = (span, depth) => {
    ordered.push({ span, depth });
    for (const child of (children.get(span.id) ?? []).sort((a, b) => a.start - b.start))
      visit(child, depth + 1);
  };
  for (const root of roots.sort((a, b) => a.start - b.start)) visit(root, 0);
  return ordered;
}

function drawWaterfall(title, spans) {
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.end));
  const total = Math.max(end - start, 0.001);
  const rows = inTreeOrder(spans).map(({ span, depth }) => {
    const bar = element("div", { className: `span-bar kind-${span.kind}${span.error ? " error" : ""}` });
    bar.style.left = `${((span.start - start) / total) * 100}%`;
    bar.style.width = `${((span.end - span.start) / total) * 100}%`;
    const name = element(
      "div",
      { className: "span-name", title: `${span.name} (${span.service})` },
      span.name,
      " ",
      element("small", {}, span.service),
    );
    name.style.paddingLeft = `${depth * 0.9}rem`;
    return element(
      "div",
      {
        className: "span-row",
        "data-kind": span.kind,
        "data-name": span.name,
        "data-trace-id": span.traceId,
        "data-span-id": span.id,
        "data-parent-id": span.parentId ?? "",
        "data-start": String(span.start),
        "data-end": String(span.end),
      },
      name,
      element("div", { className: "span-track" }, bar),
      element("div", { className: "span-ms" }, ms(span.end - span.start)),
    );
  });
  document.getElementById("waterfall-title").textContent = `${title}: ${ms(total)}`;
  document.getElementById("spans").replaceChildren(...rows);
  document.getElementById("waterfall").hidden = false;
}

// Tabs and refresh -----------------------------------------------------------------------------

function currentView() {
  const name = location.hash.slice(1);
  return views.includes(name) ? name : "functions";
}

async function refresh(view) {
  try {
    if (view === "functions") await showFunctions();
    else if (view === "queues") await showQueues();
    else if (view === "logs" && document.getElementById("log-follow").checked) await showLogs();
    status(`updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    status(`could not update: ${error.message}`);
  }
}

function show() {
  const view = currentView();
  for (const name of views) document.getElementById(`${name}-view`).hidden = name !== view;
  for (const link of document.querySelectorAll("nav a"))
    link.classList.toggle("active", link.dataset.tab === view);
  clearInterval(timer);
  if (view === "traces") return void showRecentTraces().catch((error) => status(error.message));
  void refresh(view);
  timer = setInterval(() => refresh(view), view === "logs" ? FOLLOW_MS : REFRESH_MS);
}

document.getElementById("order-search").addEventListener("submit", (event) => {
  event.preventDefault();
  const orderId = document.getElementById("order-id").value.trim();
  if (orderId) void findOrder(orderId).catch((error) => status(error.message));
});
document.getElementById("recent-traces").addEventListener("click", () => void showRecentTraces());
for (const id of ["log-function", "log-level", "log-request-id"])
  document.getElementById(id).addEventListener("change", () => void showLogs(true));
document.getElementById("log-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void showLogs(true);
});
window.addEventListener("hashchange", show);
void api("api/functions").then(
  ({ functions }) => fillFunctionChoice(functions.map((fn) => fn.name)),
  () => {},
);
show();
