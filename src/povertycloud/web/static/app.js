// povertycloud pages: charts and maps (ECharts, vendored), sortable and filterable tables.
"use strict";

function data(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

function trendChart() {
  const node = document.getElementById("chart-trend");
  const rows = data("trend-data");
  if (!node || !rows || !window.echarts) return;
  const labels = data("labels");
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: rows.map(r => String(r.as_of).slice(0, 4)) },
    yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: labels.people_registered_poor, type: "bar", data: rows.map(r => r.people_registered_poor) },
      { name: labels.incidence, type: "line", yAxisIndex: 1, data: rows.map(r => r.registered_incidence) },
    ],
  });
}

async function mapChart() {  // this year's incidence, and beside it next year's expected falls
  const node = document.getElementById("chart-map");
  if (!node || !window.echarts) return;
  const response = await fetch(node.dataset.map, { credentials: "same-origin" });
  if (!response.ok) return;
  const geo = await response.json();
  const labels = data("labels") || {};
  const ahead = document.getElementById("chart-forecast");
  if (!geo.features.length) {
    for (const each of [node, ahead].filter(n => n)) { each.textContent = labels.map_empty || "—"; each.classList.add("empty"); }
    return;
  }
  echarts.registerMap("regions", geo);
  const percent = v => (v === undefined || v === null || isNaN(v) ? "—" : v.toFixed(1) + "%");
  const falls = f => (f.expected_falls === undefined ? "" :
    ` · ${labels.expected_falls}: ${f.expected_falls} (${f.falls_low}–${f.falls_high})`);
  drawMap(node, geo, "registered_incidence", `${labels.incidence || ""} (%)`,
          (f, v) => `${f.name}: ${percent(v)}${falls(f)}`, percent);
  if (!ahead) return;
  if (!geo.features.some(f => f.properties.expected_falls !== undefined)) {
    ahead.textContent = labels.forecast_empty || "—"; ahead.classList.add("empty"); return;
  }
  const year = geo.features.map(f => f.properties.forecast_year).find(y => y) || "";
  drawMap(ahead, geo, "expected_fall_rate", `${labels.expected_fall_rate || ""} ${year} (%)`,
          f => `${f.name}${falls(f)} · ${labels.below_now}: ${f.households_poor ?? "—"}`, percent);
}

function drawMap(node, geo, property, title, tooltip, format) {
  const values = geo.features.map(f => ({ name: f.id, value: f.properties[property],
                                         label: f.properties.name, properties: f.properties }));
  const known = values.map(v => v.value).filter(v => v !== null && v !== undefined);
  // the colours span the regions' own range, so that 5.4% and 7.7% look different
  const low = known.length ? Math.min(...known) : 0;
  const high = known.length ? Math.max(...known) : 1;
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { formatter: p => (p.data ? tooltip(p.data.properties, p.value) : p.name) },
    visualMap: { min: low, max: high > low ? high : low + 1, calculable: true, left: 0, bottom: 0,
                 formatter: v => format(v),
                 inRange: { color: ["#fff5f0", "#fb6a4a", "#99000d"] } },
    title: { text: title, left: 0, top: 0,
             textStyle: { fontSize: 12, fontWeight: "normal", color: "#61707d" } },
    series: [{ type: "map", map: "regions", nameProperty: "code", data: values,
               top: 24, label: { show: true, fontSize: 10, formatter: p => (p.data ? p.data.label : "") },
               emphasis: { label: { show: true } } }],
  });
  chart.on("click", p => { if (p.name) window.location.href = node.dataset.link + p.name + (node.dataset.suffix || ""); });
  window.addEventListener("resize", () => chart.resize());
  node.dataset.ready = "1";
}

async function projectMap() {  // the projects on the map of the jurisdiction, by status
  const node = document.getElementById("chart-projects");
  if (!node || !window.echarts) return;
  const [regions, points] = await Promise.all([node.dataset.map, node.dataset.points].map(
    url => fetch(url, { credentials: "same-origin" }).then(r => (r.ok ? r.json() : null))));
  if (!regions || !points) return;
  const labels = data("status-labels") || {};
  echarts.registerMap("jurisdiction", regions);
  const colours = { library: "#9aa5b1", planned: "#3b82c4", under_way: "#e0a32e",
                    completed: "#2e9e5b", accepted: "#1e6b3a", cancelled: "#b0413e" };
  const series = Object.keys(colours).map(status => ({
    name: labels[status] || status, type: "scatter", coordinateSystem: "geo", symbolSize: 10,
    itemStyle: { color: colours[status] },
    data: points.features.filter(f => f.properties.status === status).map(f => ({
      name: f.properties.name, value: [...f.geometry.coordinates, f.id] })),
  })).filter(s => s.data.length);
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { formatter: p => p.name },
    legend: { bottom: 0 },
    geo: { map: "jurisdiction", roam: true, itemStyle: { areaColor: "#f3f4f6", borderColor: "#9aa5b1" } },
    series,
  });
  chart.on("click", p => { if (p.value) window.location.href = `/projects/${p.value[2]}`; });
  window.addEventListener("resize", () => chart.resize());
  node.dataset.ready = "1";
}

function flowChart() {  // a region's funds: received, on to the regions below, to where they are
  const node = document.getElementById("chart-flow");
  const links = data("flow-data");
  if (!node || !links || !links.length || !window.echarts) return;
  const words = data("flow-labels") || {};
  const name = n => words[n] || n;
  const shown = links.map(l => ({ source: name(l.source), target: name(l.target), value: l.value }));
  const nodes = [...new Set(shown.flatMap(l => [l.source, l.target]))].map(n => ({ name: n }));
  const narrow = node.clientWidth < 560;
  const yuan = v => Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 }) + " " + (words.yuan || "");
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "item", formatter: p => (p.dataType === "edge"
      ? `${p.data.source} → ${p.data.target}: ${yuan(p.data.value)}` : `${p.name}: ${yuan(p.value)}`) },
    series: [{ type: "sankey", data: nodes, links: shown, left: 4, right: narrow ? 64 : 120,
               top: 8, bottom: 8, nodeGap: narrow ? 6 : 10, draggable: false,
               emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", opacity: 0.4 },
               label: { fontSize: narrow ? 10 : 12, overflow: "truncate", width: narrow ? 60 : 110 } }],
  });
  window.addEventListener("resize", () => chart.resize());
  node.dataset.ready = "1";
}

function sortable(table) {
  table.querySelectorAll("thead th").forEach((th, column) => {
    th.addEventListener("click", () => {
      const body = table.tBodies[0];
      const ascending = th.dataset.order !== "asc";
      th.dataset.order = ascending ? "asc" : "desc";
      const key = row => {
        const text = row.cells[column].textContent.trim();
        const number = Number(text.replace(/,/g, ""));
        return text !== "" && !isNaN(number) ? number : text;
      };
      const rows = Array.from(body.rows).sort((a, b) => {
        const x = key(a), y = key(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh");
        return ascending ? order : -order;
      });
      rows.forEach(r => body.appendChild(r));
    });
  });
}

function filterable(input) {
  const table = document.getElementById(input.dataset.table);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    Array.from(table.tBodies[0].rows).forEach(row => {
      row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
    });
  });
}

function menu(button) {  // the navigation, folded behind a button on a phone
  const bar = button.closest(".bar");
  button.addEventListener("click", () => {
    const open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  });
}

function regionPicker(picker) {  // the complaint's region by name, level by level
  const input = document.getElementById("region_code");
  document.getElementById("region-field").hidden = true;  // still sent with the form
  picker.hidden = false;
  input.value = picker.dataset.root;
  async function below(code, depth) {
    while (picker.querySelectorAll("select").length > depth) picker.lastChild.remove();
    const response = await fetch(`/api/public/regions/${code}`);
    const children = response.ok ? (await response.json()).children || [] : [];
    if (!children.length) return;
    const select = document.createElement("select");
    select.id = `region-level-${depth}`;
    select.add(new Option(picker.dataset.choose, ""));
    children.forEach(c => select.add(new Option(c.name, c.code)));
    select.addEventListener("change", () => {
      input.value = select.value || code;
      if (select.value) below(select.value, depth + 1);
      else while (picker.querySelectorAll("select").length > depth + 1) picker.lastChild.remove();
    });
    picker.appendChild(select);
  }
  below(picker.dataset.root, 0);
}

function follow(node) {  // jobs queued or running: their bars move; one that ends shows its result
  const words = data("job-states") || {};
  const active = () => Array.from(document.querySelectorAll("[data-job]"))
    .some(n => n.dataset.state === "queued" || n.dataset.state === "running");
  async function tick() {
    const response = await fetch(node.dataset.follow, { credentials: "same-origin" });
    if (!response.ok) return;
    const found = await response.json();
    for (const job of Array.isArray(found) ? found : [found]) {
      const shown = document.querySelector(`[data-job="${job.job_id}"]`);
      if (!shown || shown.dataset.state === job.state) {
        if (shown) update(shown, job);
        continue;
      }
      if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
      shown.dataset.state = job.state;
      update(shown, job);
    }
    if (active()) setTimeout(tick, 1000);
  }
  function update(shown, job) {
    const state = shown.querySelector(".state"), bar = shown.querySelector("progress");
    const step = shown.querySelector(".step");
    if (state && words[job.state]) state.textContent = words[job.state];
    if (bar) { bar.max = job.total || 1; bar.value = job.done; }
    if (step) step.textContent = `${job.done} / ${job.total}` + (job.step ? ` · ${job.step}` : "");
  }
  if (active()) setTimeout(tick, 1000);
}

// a visit form takes the phone's position when the page opens, and again before sending
function visitForm(form) {
  const status = form.querySelector(".position");
  const fill = () => {
    if (!navigator.geolocation) { status.textContent = status.dataset.none; return; }
    navigator.geolocation.getCurrentPosition(p => {
      form.elements.lat.value = p.coords.latitude.toFixed(6);
      form.elements.lon.value = p.coords.longitude.toFixed(6);
      status.textContent = `${status.dataset.found} ${form.elements.lat.value}, ${form.elements.lon.value}`;
    }, () => { status.textContent = status.dataset.none; }, { enableHighAccuracy: true, timeout: 10000 });
  };
  fill();
}

document.addEventListener("DOMContentLoaded", () => {
  const picker = document.getElementById("region-picker");
  if (picker) regionPicker(picker);
  const button = document.getElementById("menu");
  if (button) menu(button);
  trendChart();
  mapChart();
  flowChart();
  projectMap();
  document.querySelectorAll("table.sortable").forEach(sortable);
  document.querySelectorAll("input.filter").forEach(filterable);
  document.querySelectorAll("[data-follow]").forEach(follow);
  document.querySelectorAll("form.visit").forEach(visitForm);
  const print = document.getElementById("print");
  if (print) print.addEventListener("click", () => window.print());
});
