// Line charts as SVG, drawn from plain arrays: lineChart(title, xs, series[{name, values, dashed?, dots?, color?, legend?}]).
"use strict";
const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2f6fde", "#e46f2c", "#1a7f37", "#9b51e0", "#c2185b", "#00838f"];

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceTicks(lo, hi, count) {
  if (!(hi > lo)) { hi = lo + 1; }
  const step0 = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= step0);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function formatNumber(v) {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : +v.toPrecision(4) + "";
}

function lineChart(title, xs, series, xLabel) {
  const W = 460, H = 250, L = 52, R = 12, T = 26, B = 36;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", "data-title": title });
  const all = series.flatMap(s => s.values.filter(v => v !== null && Number.isFinite(v)));
  const xsFinite = xs.filter(Number.isFinite);
  let y0 = Math.min(...all), y1 = Math.max(...all);
  if (!all.length) { y0 = 0; y1 = 1; }
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  let x0 = Math.min(...xsFinite), x1 = Math.max(...xsFinite);
  if (!xsFinite.length) { x0 = 0; x1 = 1; }
  if (x0 === x1) { x0 -= 0.5; x1 += 0.5; }
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R), sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  svg.appendChild(svgEl("text", { x: L, y: 16, class: "title" }, title));
  for (const t of niceTicks(y0, y1, 5)) {
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: sy(t), y2: sy(t), class: "grid" }));
    svg.appendChild(svgEl("text", { x: L - 6, y: sy(t) + 4, "text-anchor": "end" }, formatNumber(t)));
  }
  for (const t of niceTicks(x0, x1, 6)) svg.appendChild(svgEl("text", { x: sx(t), y: H - B + 15, "text-anchor": "middle" }, formatNumber(t)));
  svg.appendChild(svgEl("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }));
  svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }));
  if (xLabel) svg.appendChild(svgEl("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" }, xLabel));
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const points = xs.map((x, k) => [x, s.values[k]]).filter(([x, y]) => Number.isFinite(x) && y !== null && Number.isFinite(y));
    const line = svgEl("polyline", { points: points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "), stroke: color, "data-series": s.name, "data-points": points.length });
    if (s.dashed) line.setAttribute("stroke-dasharray", "5 4");
    svg.appendChild(line);
    if (points.length === 1 || s.dots) for (const [x, y] of points) svg.appendChild(svgEl("circle", { cx: sx(x), cy: sy(y), r: 3, fill: color }));
    if (s.legend === false) return; // the second line of a band shares the first one's entry
    const lx = L + 8 + i * 110;
    svg.appendChild(svgEl("line", { x1: lx, x2: lx + 16, y1: T + 6, y2: T + 6, stroke: color, "stroke-width": 2 }));
    svg.appendChild(svgEl("text", { x: lx + 20, y: T + 10 }, s.name));
  });
  return svg;
}
