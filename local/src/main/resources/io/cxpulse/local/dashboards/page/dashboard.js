// CX Pulse local mode: draws the Grafana dashboards of dashboards/json/ with Apache ECharts. The
// dashboard JSON comes from the server as Grafana provisions it; every query runs on the server
// (POST /api/query names the dashboard, the query, the range and the variable values, never SQL).
'use strict';

const RANGES = [
  ['now-15m', 'Last 15 minutes', 15 * 60e3], ['now-1h', 'Last 1 hour', 3600e3],
  ['now-6h', 'Last 6 hours', 6 * 3600e3], ['now-24h', 'Last 24 hours', 24 * 3600e3],
  ['now-7d', 'Last 7 days', 7 * 86400e3], ['now-30d', 'Last 30 days', 30 * 86400e3]];
const REFRESH = [['', 'Off'], ['10s', '10 s'], ['30s', '30 s'], ['1m', '1 min'], ['5m', '5 min']];
const ROW_HEIGHT = 30;
const GAP = 8;
const COLORS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9',
  '#705da0', '#508642', '#cca300', '#447ebc', '#c15c17'];

const state = { dashboard: null, variables: {}, range: 'now-1h', refresh: '', timer: null, generation: 0 };
const charts = new Map();

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'class') node.className = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
  return response.json();
}

async function start() {
  const uid = decodeURIComponent(location.pathname.replace(/^\/d\//, ''));
  const params = new URLSearchParams(location.search);
  const [list, dashboard] = await Promise.all([getJson('/api/dashboards'), getJson('/api/dashboards/' + encodeURIComponent(uid))]);
  state.dashboard = dashboard;
  state.range = params.get('from') || dashboard.time.from;
  state.refresh = params.has('refresh') ? params.get('refresh') : (dashboard.refresh || '');
  document.title = dashboard.title;
  document.getElementById('title').textContent = dashboard.title;
  document.getElementById('description').textContent = dashboard.description || '';
  const nav = document.getElementById('dashboards');
  for (const entry of list) {
    nav.append(element('a', { href: '/d/' + encodeURIComponent(entry.uid), class: entry.uid === uid ? 'current' : '' }, entry.title.replace(/^CX Pulse: /, '')));
  }
  await buildVariables(params);
  buildSelect(document.getElementById('range'), RANGES.map(r => [r[0], r[1]]), state.range, value => { state.range = value; changed(); });
  buildSelect(document.getElementById('refresh'), REFRESH, state.refresh, value => { state.refresh = value; schedule(); syncUrl(); });
  buildPanels();
  refreshAll();
  schedule();
}

async function buildVariables(params) {
  const holder = document.getElementById('variables');
  for (const variable of state.dashboard.templating.list) {
    const options = await getJson('/api/variables/' + encodeURIComponent(state.dashboard.uid) + '/' + encodeURIComponent(variable.name));
    const wanted = params.get('var-' + variable.name);
    state.variables[variable.name] = options.includes(wanted) ? wanted : variable.current.value;
    const select = element('select', { name: variable.name, id: 'var-' + variable.name });
    holder.append(element('label', {}, (variable.label || variable.name) + ' ', select));
    buildSelect(select, options.map(o => [o, o]), state.variables[variable.name], value => { state.variables[variable.name] = value; changed(); });
  }
}

function buildSelect(select, options, current, onChange) {
  for (const [value, label] of options) {
    const option = element('option', { value }, label);
    if (value === current) option.selected = true;
    select.append(option);
  }
  select.addEventListener('change', () => onChange(select.value));
}

function changed() {
  syncUrl();
  refreshAll();
}

function syncUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.variables)) params.set('var-' + name, value);
  params.set('from', state.range);
  params.set('refresh', state.refresh);
  history.replaceState(null, '', location.pathname + '?' + params);
}

function schedule() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  const match = /^(\d+)([sm])$/.exec(state.refresh);
  if (match) state.timer = setInterval(refreshAll, Number(match[1]) * (match[2] === 'm' ? 60e3 : 1e3));
}

function buildPanels() {
  const grid = document.getElementById('grid');
  for (const panel of state.dashboard.panels) {
    const g = panel.gridPos;
    const node = element('section', { class: 'panel', id: 'panel-' + panel.id, 'data-type': panel.type, 'data-state': 'loading' },
      element('h2', { title: panel.description || '' }, panel.title), element('div', { class: 'body' }));
    node.style.gridColumn = (g.x + 1) + ' / span ' + g.w;
    node.style.gridRow = (g.y + 1) + ' / span ' + g.h;
    grid.append(node);
  }
  window.addEventListener('resize', () => charts.forEach(chart => chart.resize()));
}

function timeRange() {
  const to = Date.now();
  const span = RANGES.find(r => r[0] === state.range)[2];
  return { from: to - span, to };
}

async function runQuery(key, range, width) {
  const response = await fetch('/api/query', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ dashboard: state.dashboard.uid, query: key, from: range.from, to: range.to,
      maxDataPoints: Math.max(1, Math.round(width)), variables: state.variables })
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || ('HTTP ' + response.status));
  return answer;
}

async function refreshAll() {
  const generation = ++state.generation;
  const range = timeRange();
  const annotations = await loadAnnotations(range);
  // One panel at a time: the engine runs one statement at a time anyway.
  for (const panel of state.dashboard.panels) {
    if (generation !== state.generation) return;
    const node = document.getElementById('panel-' + panel.id);
    try {
      const result = await runQuery('panel-' + panel.id, range, node.clientWidth);
      if (generation !== state.generation) return;
      draw(panel, node, result, range, annotations.filter(a => a.panels.includes(panel.id)));
    } catch (error) {
      if (generation !== state.generation) return;
      showMessage(node, 'error', String(error.message || error));
    }
  }
  // Every panel has drawn this refresh: tests and people can tell a finished page.
  document.body.dataset.refreshed = String(generation);
}

async function loadAnnotations(range) {
  const found = [];
  const list = state.dashboard.annotations.list;
  for (let i = 0; i < list.length; i++) {
    const annotation = list[i];
    if (annotation.builtIn === 1 || annotation.enable === false) continue;
    try {
      const result = await runQuery('annotation-' + i, range, 1000);
      const column = name => result.columns.findIndex(c => c.name === name);
      const [time, end, text] = [column('time'), column('timeEnd'), column('text')];
      for (const row of result.rows) {
        found.push({ from: Date.parse(row[time]), to: end >= 0 ? Date.parse(row[end]) : Date.parse(row[time]),
          text: row[text], color: annotation.iconColor || 'red',
          panels: (annotation.filter && annotation.filter.ids) || state.dashboard.panels.map(p => p.id) });
      }
    } catch (error) {
      console.warn('annotation ' + annotation.name + ': ' + (error.message || error));
    }
  }
  return found;
}

function showMessage(node, status, text) {
  disposeChart(node);
  const body = node.querySelector('.body');
  body.replaceChildren(element('div', { class: 'message' }, text));
  node.dataset.state = status;
  node.dataset.rows = '0';
  node.dataset.signature = status + ':' + text;
}

function disposeChart(node) {
  for (const chartNode of node.querySelectorAll('.chart, .spark')) {
    const chart = charts.get(chartNode);
    if (chart) { chart.dispose(); charts.delete(chartNode); }
  }
}

function newChart(container, option) {
  const chart = echarts.init(container, null, { renderer: 'canvas' });
  chart.setOption(option);
  charts.set(container, chart);
  return chart;
}

function draw(panel, node, result, range, annotations) {
  if (result.rows.length === 0) {
    showMessage(node, 'empty', 'No data in this range');
    return;
  }
  disposeChart(node);
  const body = node.querySelector('.body');
  body.replaceChildren();
  const kinds = { timeseries: drawTimeSeries, stat: drawStat, barchart: drawBarChart, table: drawTable };
  kinds[panel.type](panel, body, result, range, annotations);
  node.dataset.state = 'drawn';
  node.dataset.rows = String(result.rows.length);
  node.dataset.signature = JSON.stringify(result.rows).length + ':' + checksum(JSON.stringify(result.rows));
}

function checksum(text) {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return hash;
}

// ---- Grafana field config: display names, units, decimals, overrides.

function fieldConfig(panel, name, labels) {
  const config = JSON.parse(JSON.stringify((panel.fieldConfig && panel.fieldConfig.defaults) || {}));
  config.custom = config.custom || {};
  for (const override of (panel.fieldConfig && panel.fieldConfig.overrides) || []) {
    if (override.matcher.id !== 'byName' || override.matcher.options !== name) continue;
    for (const property of override.properties) {
      if (property.id.startsWith('custom.')) config.custom[property.id.substring(7)] = property.value;
      else config[property.id] = property.value;
    }
  }
  let display = config.displayName;
  if (display) {
    display = display.replace(/\$\{__field\.labels\.(\w+)\}/g, (_, label) => labels[label] !== undefined ? labels[label] : '');
  } else {
    const values = Object.values(labels);
    display = values.length ? values.join(' ') : name;
  }
  config.display = display;
  return config;
}

function format(value, config) {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return String(value);
  const decimals = config.decimals !== undefined ? config.decimals : (Math.abs(value) >= 100 ? 0 : 2);
  const text = value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const units = { percent: ' %', s: ' s', m: ' min' };
  return text + (units[config.unit] || '');
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal.*|Bool)\)?$/;
const TIME = /^(Nullable\()?DateTime/;

// Long-format rows (time, labels…, values…) into one series per value column and label values, as
// the plugin's time series format does (long to wide).
function seriesOf(panel, result) {
  const columns = result.columns;
  const labelIndexes = columns.map((c, i) => i).filter(i => i > 0 && !NUMERIC.test(columns[i].type) && !TIME.test(columns[i].type));
  const valueIndexes = columns.map((c, i) => i).filter(i => i > 0 && NUMERIC.test(columns[i].type));
  const series = new Map();
  for (const row of result.rows) {
    const time = Date.parse(row[0]);
    const labels = {};
    for (const i of labelIndexes) labels[columns[i].name] = row[i];
    for (const i of valueIndexes) {
      const key = columns[i].name + '\u0000' + JSON.stringify(labels);
      if (!series.has(key)) series.set(key, { name: columns[i].name, labels, points: [] });
      series.get(key).points.push([time, row[i] === null ? null : Number(row[i])]);
    }
  }
  return [...series.values()].map(s => ({ ...s, config: fieldConfig(panel, s.name, s.labels) }));
}

function drawTimeSeries(panel, body, result, range, annotations) {
  const container = element('div', { class: 'chart' });
  body.append(container);
  const series = seriesOf(panel, result);
  const byName = new Map(series.map(s => [s.name + JSON.stringify(s.labels), s]));
  const hidden = new Set();
  const echartsSeries = [];
  let color = 0;
  for (const s of series) {
    const below = s.config.custom.fillBelowTo;
    if (below) {
      // A band from the series named by fillBelowTo up to this one: the lower bound stacked with
      // the difference, only the difference filled.
      const low = byName.get(below + JSON.stringify(s.labels));
      if (!low) continue;
      hidden.add(low);
      const lowAt = new Map(low.points.map(p => [p[0], p[1]]));
      const stack = 'band-' + s.name;
      echartsSeries.push({ name: low.config.display, type: 'line', stack, data: low.points, symbol: 'none',
        lineStyle: { opacity: 0 }, silent: true, z: 1, color: '#8ab8ff' });
      echartsSeries.push({ name: s.config.display, type: 'line', stack, symbol: 'none', lineStyle: { opacity: 0 },
        areaStyle: { opacity: (s.config.custom.fillOpacity || 25) / 100, color: '#8ab8ff' }, z: 1, color: '#8ab8ff',
        data: s.points.map(p => [p[0], p[1] === null || lowAt.get(p[0]) === null ? null : p[1] - lowAt.get(p[0])]),
        tooltip: { valueFormatter: () => '' } });
      hidden.add(s);
    }
  }
  for (const s of series) {
    if (hidden.has(s)) continue;
    const bars = s.config.custom.drawStyle === 'bars';
    echartsSeries.push({ name: s.config.display, type: bars ? 'bar' : 'line', data: s.points, symbol: 'none',
      showSymbol: s.points.length < 3, connectNulls: false, z: 2, color: COLORS[color++ % COLORS.length],
      stack: bars && s.config.custom.stacking && s.config.custom.stacking.mode === 'normal' ? 'bars' : undefined,
      lineStyle: { width: s.config.custom.lineWidth !== undefined ? s.config.custom.lineWidth : 2 } });
  }
  if (annotations.length && echartsSeries.length) {
    echartsSeries[echartsSeries.length - 1].markArea = {
      silent: false, itemStyle: { color: 'rgba(226, 77, 66, 0.12)' },
      label: { show: false },
      data: annotations.map(a => [{ name: a.text, xAxis: a.from }, { xAxis: Math.max(a.to, a.from + 1000) }]) };
  }
  const config = series.length ? series[0].config : {};
  newChart(container, {
    animation: false,
    grid: { left: 8, right: 16, top: 12, bottom: 40, containLabel: true },
    legend: { bottom: 0, type: 'scroll', data: echartsSeries.filter(s => !s.stack || !s.stack.startsWith('band-') || s.areaStyle).map(s => s.name) },
    tooltip: { trigger: 'axis', valueFormatter: value => format(value, config) },
    xAxis: { type: 'time', min: range.from, max: range.to },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: value => format(value, { ...config, decimals: undefined }) } },
    series: echartsSeries
  });
}

function drawStat(panel, body, result) {
  const holder = element('div', { class: 'stats' });
  body.append(holder);
  const hasTime = TIME.test(result.columns[0].type);
  const entries = [];
  if (hasTime) {
    for (const s of seriesOf(panel, result)) {
      const values = s.points.filter(p => p[1] !== null);
      if (values.length) entries.push({ name: s.config.display, value: values[values.length - 1][1], config: s.config, points: values });
    }
  } else {
    result.columns.forEach((column, i) => {
      if (NUMERIC.test(column.type)) {
        const config = fieldConfig(panel, column.name, {});
        entries.push({ name: config.display, value: Number(result.rows[0][i]), config, points: null });
      }
    });
  }
  for (const entry of entries) {
    const stat = element('div', { class: 'stat' }, element('div', { class: 'name' }, entry.name),
      element('div', { class: 'value' }, format(entry.value, entry.config)));
    holder.append(stat);
    if (entry.points && entry.points.length > 1 && panel.options.graphMode !== 'none') {
      const spark = element('div', { class: 'spark' });
      stat.append(spark);
      newChart(spark, { animation: false, grid: { left: 0, right: 0, top: 2, bottom: 0 },
        xAxis: { type: 'time', show: false }, yAxis: { type: 'value', show: false, scale: true },
        series: [{ type: 'line', data: entry.points, symbol: 'none', lineStyle: { width: 1 },
          areaStyle: { opacity: 0.15 }, color: '#7eb26d' }] });
    }
  }
}

function drawBarChart(panel, body, result) {
  const container = element('div', { class: 'chart' });
  body.append(container);
  const categories = result.rows.map(row => String(row[0]));
  const series = [];
  result.columns.forEach((column, i) => {
    if (i === 0 || !NUMERIC.test(column.type)) return;
    const config = fieldConfig(panel, column.name, {});
    series.push({ name: config.display, type: 'bar', data: result.rows.map(row => row[i] === null ? null : Number(row[i])),
      color: COLORS[series.length % COLORS.length], label: { show: true, position: 'right', formatter: p => format(p.value, config) } });
  });
  const horizontal = (panel.options && panel.options.orientation) === 'horizontal';
  const categoryAxis = { type: 'category', data: categories, inverse: horizontal };
  const valueAxis = { type: 'value' };
  newChart(container, {
    animation: false,
    grid: { left: 8, right: 48, top: 8, bottom: 28, containLabel: true },
    legend: { bottom: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series
  });
}

function drawTable(panel, body, result) {
  const wrap = element('div', { class: 'table-wrap' });
  const table = element('table');
  const head = element('tr');
  for (const column of result.columns) head.append(element('th', {}, column.name));
  table.append(element('thead', {}, head));
  const rows = element('tbody');
  for (const row of result.rows) {
    const tr = element('tr');
    row.forEach((value, i) => {
      const numeric = NUMERIC.test(result.columns[i].type);
      const text = value === null ? '' : (typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value));
      tr.append(element('td', numeric ? { class: 'number' } : {}, text.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/, '$1 $2')));
    });
    rows.append(tr);
  }
  table.append(rows);
  wrap.append(table);
  body.append(wrap);
}

start().catch(error => {
  document.getElementById('grid').replaceChildren(element('p', { class: 'message' }, 'Could not load the dashboard: ' + (error.message || error)));
});
