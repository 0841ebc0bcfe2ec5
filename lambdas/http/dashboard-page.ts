/**
 * The dashboard: one page that reads the public API every few seconds and shows the pipeline at a
 * glance. Its only dependency is uPlot (a small, well-kept chart library), served by the stack
 * itself from static/ (relative URLs: the page works offline, on LocalStack and on AWS, under any
 * base path).
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Orders pipeline dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/uPlot.min.css">
<style>
  :root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --card: #ffffff; --bg: #f5f7fa;
          --blue: #2563eb; --green: #15803d; --red: #b91c1c; --amber: #b45309; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; padding: 14px 20px; background: var(--card); border-bottom: 1px solid var(--line); }
  h1 { font-size: 20px; margin: 0; }
  h2 { font-size: 15px; margin: 0 0 10px; color: var(--muted); font-weight: 600; }
  .status { font-size: 13px; color: var(--muted); }
  .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--muted); margin-right: 6px; }
  .dot.ok { background: var(--green); } .dot.bad { background: var(--red); }
  form { display: flex; gap: 8px; align-items: center; }
  input[type=number] { width: 90px; padding: 6px 8px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
  button { padding: 6px 14px; font: inherit; color: #fff; background: var(--blue); border: 0; border-radius: 6px; cursor: pointer; }
  button:disabled { opacity: .6; cursor: wait; }
  main { padding: 16px 20px 32px; display: grid; gap: 16px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px; }
  .card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
  .card .label { font-size: 13px; color: var(--muted); }
  .card .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
  .wide { grid-column: 1 / -1; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { padding: 5px 6px; border-bottom: 1px solid var(--line); text-align: left; font-size: 14px; }
  th { color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: right; }
  .bar { height: 8px; background: var(--blue); border-radius: 4px; min-width: 2px; }
  .bar.red { background: var(--red); }
  .empty { color: var(--muted); font-size: 14px; }
  .log td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 260px; }
  .valid { color: var(--green); } .failed, .malformed { color: var(--red); } .duplicate { color: var(--amber); }
  #chart { min-height: 260px; }
  .scroll { overflow-x: auto; }
  .panel { min-width: 0; }
  @media (max-width: 600px) { header { padding: 12px; } main { padding: 12px; } .log th:nth-child(3), .log td:nth-child(3) { display: none; } }
</style>
</head>
<body>
<header>
  <div><h1>Orders pipeline</h1><div class="status"><span id="health" class="dot"></span><span id="updated">loading...</span></div></div>
  <form id="produce">
    <label for="count">Produce</label>
    <input id="count" name="count" type="number" min="1" max="1000" value="50" aria-label="Orders to produce">
    <label class="status"><input id="spread" type="checkbox"> over 90 days</label>
    <button id="produce-button" type="submit">Send orders</button>
    <span id="produce-result" class="status" role="status"></span>
  </form>
</header>
<main>
  <section class="cards" aria-label="Headline figures">
    <div class="card"><div class="label">Orders</div><div class="value" data-figure="orders">-</div></div>
    <div class="card"><div class="label">Revenue</div><div class="value" data-figure="revenue">-</div></div>
    <div class="card"><div class="label">Failed</div><div class="value" data-figure="failed">-</div></div>
    <div class="card"><div class="label">Failure rate</div><div class="value" data-figure="failure-rate">-</div></div>
    <div class="card"><div class="label">Duplicates</div><div class="value" data-figure="duplicates">-</div></div>
    <div class="card"><div class="label">Queue (in flight)</div><div class="value" data-figure="queue">-</div></div>
    <div class="card"><div class="label">Dead letters</div><div class="value" data-figure="dlq">-</div></div>
  </section>
  <section class="grid">
    <div class="panel wide"><h2>Revenue and orders per month</h2><div id="chart"></div><div id="chart-empty" class="empty">No months with data yet.</div></div>
    <div class="panel"><h2>Top users by spend</h2><table><tbody id="by-spend"></tbody></table></div>
    <div class="panel"><h2>Top users by orders</h2><table><tbody id="by-orders"></tbody></table></div>
    <div class="panel"><h2>Failures by reason</h2><table><tbody id="failures"></tbody></table></div>
    <div class="panel wide"><h2>Latest consumer log</h2><div class="scroll"><table class="log"><thead><tr><th>Time</th><th>Outcome</th><th>Order</th><th>User</th><th class="num">Value</th><th>Reason</th></tr></thead><tbody id="logs"></tbody></table></div></div>
  </section>
</main>
<script src="static/uPlot.iife.min.js"></script>
<script>
(function () {
  // Every request is relative to this page, so the dashboard works wherever the API is mounted.
  var BASE = ".";
  var REFRESH_MS = 3000;
  var money = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var count = new Intl.NumberFormat("en");
  var compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 });
  var chart = null;

  function get(path) {
    return fetch(BASE + path, { headers: { accept: "application/json" } }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    });
  }
  function setText(selector, text) {
    var element = document.querySelector(selector);
    if (element.textContent !== text) element.textContent = text;
  }
  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }
  function barCell(share, red) {
    var td = document.createElement("td");
    td.style.width = "40%";
    var bar = document.createElement("div");
    bar.className = red ? "bar red" : "bar";
    bar.style.width = Math.max(1, Math.round(share * 100)) + "%";
    td.appendChild(bar);
    return td;
  }
  function fillRows(id, rows) {
    var body = document.getElementById(id);
    var fragment = document.createDocumentFragment();
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (td) { tr.appendChild(td); });
      fragment.appendChild(tr);
    });
    if (rows.length === 0) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("Nothing yet.", "empty"));
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
  }

  function renderGlobal(g) {
    var handled = g.total_orders + g.failed_orders;
    setText('[data-figure="orders"]', count.format(g.total_orders));
    // Compact in the card (it has to fit a phone); the exact amount is its title.
    setText('[data-figure="revenue"]', compact.format(g.total_revenue));
    document.querySelector('[data-figure="revenue"]').title = money.format(g.total_revenue);
    setText('[data-figure="failed"]', count.format(g.failed_orders));
    setText('[data-figure="failure-rate"]', handled === 0 ? "-" : (100 * g.failed_orders / handled).toFixed(1) + "%");
    setText('[data-figure="duplicates"]', count.format(g.duplicates));
    var reasons = Object.keys(g.failed_by_reason).sort(function (a, b) { return g.failed_by_reason[b] - g.failed_by_reason[a]; });
    var most = reasons.length ? g.failed_by_reason[reasons[0]] : 1;
    fillRows("failures", reasons.map(function (reason) {
      var n = g.failed_by_reason[reason];
      return [cell(reason.replace(/_/g, " ")), barCell(n / most, true), cell(count.format(n), "num")];
    }));
  }

  function renderRankings(r) {
    var topSpend = r.total_spend_ranking.length ? r.total_spend_ranking[0].total_spend : 1;
    fillRows("by-spend", r.total_spend_ranking.map(function (u) {
      return [cell(u.user_id), barCell(u.total_spend / topSpend), cell(money.format(u.total_spend), "num")];
    }));
    var topOrders = r.total_order_count_ranking.length ? r.total_order_count_ranking[0].total_order_count : 1;
    fillRows("by-orders", r.total_order_count_ranking.map(function (u) {
      return [cell(u.user_id), barCell(u.total_order_count / topOrders), cell(count.format(u.total_order_count), "num")];
    }));
  }

  function renderQueues(q) {
    setText('[data-figure="queue"]', count.format(q.queue.messages) + " (" + count.format(q.queue.in_flight) + ")");
    setText('[data-figure="dlq"]', count.format(q.dead_letter_queue.messages));
  }

  function renderLogs(l) {
    // The API answers oldest first (as the original did); the newest goes on top here.
    fillRows("logs", l.logs.slice().reverse().map(function (entry) {
      return [
        cell(entry.timestamp.slice(11, 19)),
        cell(entry.status, entry.status),
        cell(entry.order_id || "-"),
        cell(entry.user_id || "-"),
        cell(typeof entry.order_value === "number" ? money.format(entry.order_value) : "-", "num"),
        cell(entry.reason ? String(entry.reason).replace(/_/g, " ") : ""),
      ];
    }));
  }

  function renderMonths(months) {
    var element = document.getElementById("chart");
    document.getElementById("chart-empty").style.display = months.length ? "none" : "block";
    if (!months.length) return;
    var labels = months.map(function (m) { return m.month; });
    var data = [
      labels.map(function (_, i) { return i; }),
      months.map(function (m) { return m.total_revenue; }),
      months.map(function (m) { return m.total_orders; }),
    ];
    var width = Math.max(280, element.clientWidth);
    if (chart && chart.series.length && chart.data[0].length === labels.length) {
      chart.setData(data);
      return;
    }
    if (chart) chart.destroy();
    chart = new uPlot({
      width: width,
      height: 260,
      scales: {
        x: { time: false, range: [-0.5, labels.length - 0.5] },
        revenue: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } },
        orders: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } },
      },
      series: [
        { label: "Month", value: function (u, i) { return labels[i] || ""; } },
        { label: "Revenue", scale: "revenue", stroke: "#2563eb", width: 2, points: { size: 7 }, value: function (u, v) { return v == null ? "-" : money.format(v); } },
        { label: "Orders", scale: "orders", stroke: "#15803d", fill: "rgba(21,128,61,0.25)", paths: uPlot.paths.bars({ size: [0.5, 60] }), points: { show: false } },
      ],
      axes: [
        { splits: function () { return labels.map(function (_, i) { return i; }); }, values: function (u, splits) { return splits.map(function (i) { return labels[i] || ""; }); } },
        { scale: "revenue", size: 70, values: function (u, splits) { return splits.map(function (v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + "M" : v >= 1e3 ? (v / 1e3).toFixed(0) + "k" : String(v); }); } },
        { scale: "orders", side: 1, grid: { show: false } },
      ],
    }, data, element);
  }

  function refresh() {
    return Promise.all([
      get("/stats/global"),
      get("/users?limit=8"),
      get("/stats/queues"),
      get("/consumer_logs?limit=12"),
      get("/stats/months"),
      get("/health"),
    ]).then(function (r) {
      if (r[0].ok) renderGlobal(r[0].body);
      if (r[1].ok) renderRankings(r[1].body);
      if (r[2].ok) renderQueues(r[2].body);
      if (r[3].ok) renderLogs(r[3].body);
      document.getElementById("health").className = r[5].ok ? "dot ok" : "dot bad";
      setText("#updated", (r[5].ok ? "healthy" : "degraded") + " - updated " + new Date().toLocaleTimeString());
      var months = r[4].ok ? r[4].body.months.slice(-12) : [];
      return Promise.all(months.map(function (m) { return get("/stats/monthly/" + m + "?limit=1"); })).then(function (answers) {
        renderMonths(answers.filter(function (a) { return a.ok; }).map(function (a) { return a.body; }));
      });
    }).catch(function () {
      document.getElementById("health").className = "dot bad";
      setText("#updated", "API unreachable - retrying");
    });
  }

  document.getElementById("produce").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = document.getElementById("produce-button");
    var n = Number(document.getElementById("count").value);
    button.disabled = true;
    fetch(BASE + "/produce", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ count: n, spread_days: document.getElementById("spread").checked ? 90 : 0 }) })
      .then(function (response) { return response.json(); })
      .then(function (body) { setText("#produce-result", body.message || body.error || ""); return refresh(); })
      .finally(function () { button.disabled = false; });
  });
  window.addEventListener("resize", function () {
    var element = document.getElementById("chart");
    if (chart) chart.setSize({ width: Math.max(280, element.clientWidth), height: 260 });
  });

  refresh();
  setInterval(refresh, REFRESH_MS);
})();
</script>
</body>
</html>
`;
}
