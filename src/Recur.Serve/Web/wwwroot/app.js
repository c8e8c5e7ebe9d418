// The Recur web page: a playground per loaded model (one function per task in `playgrounds`)
// and, when the server has --runs, a training monitor that charts history.csv while it grows.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** POSTs JSON; a problem document becomes an Error with its detail. */
async function post(path, body, signal) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
  if (!response.ok) throw new Error(await problemText(response));
  return response;
}

async function problemText(response) {
  try {
    const p = await response.json();
    return `${p.title || response.status}: ${p.detail || ""}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function showError(root, error) {
  const box = $(".error", root);
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

function textRow(placeholder, buttonText, onRun) {
  const input = el("input", { class: "text", type: "text", placeholder });
  const button = el("button", { class: "run", text: buttonText });
  button.addEventListener("click", () => onRun(input.value));
  input.addEventListener("keydown", e => { if (e.key === "Enter") onRun(input.value); });
  return el("div", { class: "row" }, input, button);
}

/** `beam` as an input beside a text row's button (label "beam", 1 to the model's maximum). */
function beamInput(max, value) {
  const input = el("input", { type: "number", name: "beam", value: String(value), min: "1", max: String(max) });
  return [el("label", { class: "small" }, "beam", input), input];
}

/** The unknown tokens of a translate answer, as a line under the outputs. */
function unknownLine(answer) {
  const unknown = answer.unknown || [];
  if (!unknown.length) return el("div", { class: "status unknown", text: "every token is known to the model" });
  return el("div", { class: "status unknown" },
    `${unknown.length} unknown token${unknown.length === 1 ? "" : "s"} (read as <unk>): `,
    ...unknown.map(t => el("span", { class: "unk", text: t })));
}

/** One playground per task: (model info, the model's section) → fills the section. */
const playgrounds = {
  classify(model, root) {
    const result = el("div", { class: "result" });
    root.append(textRow("Type a sentence…", "Classify", async text => {
      showError(root, null);
      try {
        const answer = await (await post(`/v1/models/${model.name}:predict`, { text })).json();
        const entries = Object.entries(answer.probabilities).sort((a, b) => b[1] - a[1]);
        result.replaceChildren(
          el("div", { class: "label", text: `${answer.label} · ${(answer.probability * 100).toFixed(1)} %` }),
          el("div", { class: "bars" }, ...entries.flatMap(([label, p]) => [
            el("span", { text: label }),
            el("div", { class: "bar" }, el("div", { style: `width:${(p * 100).toFixed(1)}%` })),
            el("span", { text: p.toFixed(4) }),
          ])));
      } catch (e) { showError(root, e); }
    }), result);
  },

  tag(model, root) {
    const result = el("div", { class: "result chips" });
    root.append(textRow("Type a sentence…", "Tag", async text => {
      showError(root, null);
      try {
        const answer = await (await post(`/v1/models/${model.name}:predict`, { text })).json();
        result.replaceChildren(...answer.tokens.map((token, i) =>
          el("span", { class: "chip" }, el("span", { text: token }), el("span", { class: "tag", text: answer.tags[i] }))));
      } catch (e) { showError(root, e); }
    }), result);
  },

  forecast(model, root) {
    const d = model.details, need = d.min_history;
    const sample = Array.from({ length: Math.max(3 * d.window, need) }, (_, i) => +(100 + i + 20 * Math.sin(2 * Math.PI * i / 12)).toFixed(1));
    const series = el("textarea", { class: "series", placeholder: `At least ${need} numbers, oldest first, from the series' first row` });
    series.value = sample.join(", ");
    const steps = el("input", { type: "number", min: "1", value: d.horizon === 1 ? "12" : "1" });
    steps.disabled = d.horizon !== 1; // a multi-step model forecasts its horizon at once
    const which = el("select", { class: "which" }, ...d.series.map(id => el("option", { value: id, text: id })));
    const chart = el("div", { class: "result" });
    const run = el("button", { class: "run", text: "Forecast" });
    run.addEventListener("click", async () => {
      showError(root, null);
      const history = series.value.split(/[\s,;]+/).filter(s => s.length).map(Number);
      try {
        const body = { history, steps: d.horizon === 1 ? Number(steps.value) : 1 };
        if (d.series.length > 1) body.series = which.value;
        const answer = await (await post(`/v1/models/${model.name}:predict`, body)).json();
        // Forecast k is of row n + 1 + k; its line starts at the last value of the history.
        const n = history.length, f = answer.forecast, q = answer.quantiles || [];
        const xs = [...history.map((_, i) => i + 1), ...f.map((_, i) => n + 1 + i)];
        const bound = side => [...history.map((v, i) => i === n - 1 && q.length ? v : null), ...f.map((_, k) => k < q.length ? Object.values(q[k])[side] : null)];
        const lines = [
          { name: "history", values: [...history, ...f.map(() => null)] },
          { name: "forecast", values: [...history.map((v, i) => i === n - 1 ? v : null), ...f], dots: true },
        ];
        if (q.length) {
          const band = `${Math.round(answer.level * 100)} % interval`;
          lines.push({ name: band, values: bound(0), dashed: true, color: PALETTE[2] }, { name: band + " (high)", values: bound(1), dashed: true, color: PALETTE[2], legend: false });
        }
        chart.replaceChildren(lineChart(`${answer.target}: history and forecast`, xs, lines, "step"),
          el("div", { class: "status forecast-values", text: "forecast: " + f.map(v => +v.toPrecision(6)).join(", ") }));
      } catch (e) { showError(root, e); }
    });
    const row = el("div", { class: "row" }, el("label", { class: "small" }, "steps", steps), run);
    if (d.series.length > 1) row.prepend(el("label", { class: "small" }, "series", which));
    root.append(series, row, chart);
  },

  translate(model, root) {
    const d = model.details;
    const [beamLabel, beam] = beamInput(d.max_beam, Math.min(3, d.max_beam));
    const result = el("div", { class: "result translation" });
    const row = textRow(d.source_tokens === "char" ? "Type a word…" : "Type a sentence…", "Translate", async text => {
      showError(root, null);
      try {
        const answer = await (await post(`/v1/models/${model.name}:predict`, { text, beam: Number(beam.value) })).json();
        result.replaceChildren(
          el("div", { class: "label output", text: answer.output }),
          el("ol", { class: "best" }, ...answer.best.map(h => el("li", {},
            el("span", { class: "hypothesis", text: h.output }),
            el("span", { class: "score", "data-score": String(h.score), text: h.score.toFixed(4) })))),
          unknownLine(answer));
      } catch (e) {
        result.replaceChildren(); // no answer of an earlier text left beside the error
        showError(root, e);
      }
    });
    row.insertBefore(beamLabel, row.lastChild);
    root.append(row, result);
  },

  charlm(model, root) {
    const prime = el("textarea", { class: "prime" });
    prime.value = "ROMEO:";
    const number = (name, value, attrs) => { const i = el("input", { type: "number", name, value, ...attrs }); return [el("label", { class: "small" }, name, i), i]; };
    const [tLabel, temperature] = number("temperature", "0.8", { step: "0.1", min: "0.1" });
    const [kLabel, topK] = number("top_k", "0", { min: "0" });
    const [mLabel, maxTokens] = number("max_tokens", "300", { min: "1" });
    const [sLabel, seed] = number("seed", "", { min: "0", placeholder: "random" });
    const generate = el("button", { class: "run", text: "Generate" });
    const stop = el("button", { class: "stop", text: "Stop", disabled: "" });
    const output = el("pre", { class: "output" });
    const status = el("div", { class: "status" });
    let abort = null;
    stop.addEventListener("click", () => abort && abort.abort());
    generate.addEventListener("click", async () => {
      showError(root, null);
      const body = { prime: prime.value, temperature: Number(temperature.value), top_k: Number(topK.value), max_tokens: Number(maxTokens.value) };
      if (seed.value !== "") body.seed = Number(seed.value);
      const generated = el("span", { class: "generated" });
      output.replaceChildren(el("span", { class: "prime", text: prime.value }), generated);
      status.textContent = "generating…";
      abort = new AbortController();
      generate.disabled = true;
      stop.disabled = false;
      try {
        const response = await post(`/v1/models/${model.name}:predict`, body, abort.signal);
        await readEvents(response, (event, data) => {
          if (event === "token") generated.textContent += data.text;
          else if (event === "done") status.textContent = `${data.tokens} characters · seed ${data.seed} · ${data.finish_reason}`;
        });
      } catch (e) {
        if (e.name === "AbortError") status.textContent = "stopped";
        else { status.textContent = ""; showError(root, e); }
      } finally {
        generate.disabled = false;
        stop.disabled = true;
      }
    });
    root.append(prime, el("div", { class: "row" }, tLabel, kLabel, mLabel, sLabel, generate, stop), output, status);
  },
};

/** Reads server-sent events from a fetch response as they arrive. */
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      onEvent(event, data ? JSON.parse(data) : null);
    }
  }
}

async function loadModels() {
  const { models } = await (await fetch("/v1/models")).json();
  const view = $("#models");
  $(".empty", view).hidden = models.length > 0;
  for (const model of models) {
    const section = el("section", { class: "model", "data-model": model.name, "data-task": model.task },
      el("h2", {}, model.name, el("span", { class: "task", text: model.task })),
      el("div", { class: "meta", text: `${model.architecture} — in: ${model.input}; out: ${model.output}` }));
    const playground = playgrounds[model.task];
    if (playground) playground(model, section);
    else section.append(el("p", { class: "status", text: `No playground for the task '${model.task}'; use POST /v1/models/${model.name}:predict.` }));
    section.append(el("div", { class: "error", hidden: "" }));
    view.append(section);
  }
}

// ---- Training monitor ----

let selectedRun = null, runTimer = null, listTimer = null;

async function loadRuns() {
  const response = await fetch("/v1/runs");
  if (!response.ok) return false;
  const { runs } = await response.json();
  const body = $("table.runs tbody");
  body.replaceChildren(...runs.map(run => {
    const row = el("tr", { "data-run": run.name, class: run.name === selectedRun ? "selected" : "" },
      el("td", { text: run.name }), el("td", { text: run.task || "" }),
      el("td", {}, el("span", { class: `state ${run.state}`, text: run.state })),
      el("td", { text: String(run.rows) }), el("td", { text: new Date(run.updated).toLocaleTimeString() }));
    row.addEventListener("click", () => selectRun(run.name));
    return row;
  }));
  return true;
}

function selectRun(name) {
  selectedRun = name;
  document.querySelectorAll("table.runs tbody tr").forEach(r => r.classList.toggle("selected", r.dataset.run === name));
  $(".run-view").hidden = false;
  clearTimeout(runTimer);
  showRun();
}

const X_COLUMNS = ["epoch", "eval", "round", "step"];

async function showRun() {
  const name = selectedRun;
  if (!name) return;
  let response = await fetch(`/v1/runs/${encodeURIComponent(name)}`);
  if (response.status === 404 && name.endsWith(".partial")) {
    // The run finished: its staging directory was renamed to the final name.
    const final = name.slice(0, -".partial".length);
    if ((await fetch(`/v1/runs/${encodeURIComponent(final)}`)).ok) { selectRun(final); return; }
  }
  if (response.ok && name === selectedRun) {
    const run = await response.json();
    $(".run-title").textContent = `${run.name} · ${run.task || "?"} · ${run.state}`;
    const xName = X_COLUMNS.find(c => run.columns.includes(c));
    const rows = run.columns.length ? run.values[run.columns[0]].length : 0;
    const xs = xName ? run.values[xName] : Array.from({ length: rows }, (_, i) => i + 1);
    const bases = [...new Set(run.columns.filter(c => c !== xName).map(c => c.replace(/^val_/, "")))];
    const charts = bases.map(base => lineChart(base, xs, [base, "val_" + base].filter(c => run.columns.includes(c))
      .map(c => ({ name: c, values: run.values[c], dashed: c.startsWith("val_") })), xName || "row"));
    $(".run-charts").replaceChildren(...charts);
    const metrics = $(".run-metrics");
    metrics.hidden = !run.metrics;
    metrics.textContent = run.metrics ? JSON.stringify(run.metrics, null, 2) : "";
  }
  if (name === selectedRun) runTimer = setTimeout(showRun, 1000);
}

function showView(view) {
  document.querySelectorAll(".tab").forEach(t => t.classList.toggle("active", t.dataset.view === view));
  document.querySelectorAll(".view").forEach(v => { v.hidden = v.id !== view; });
  clearInterval(listTimer);
  if (view === "runs") { loadRuns(); listTimer = setInterval(loadRuns, 2000); }
  if (location.hash !== "#" + view) history.replaceState(null, "", "#" + view);
}

async function start() {
  document.querySelectorAll(".tab").forEach(t => t.addEventListener("click", () => showView(t.dataset.view)));
  await loadModels();
  if (await loadRuns()) $('.tab[data-view="runs"]').hidden = false;
  showView(location.hash === "#runs" && !$('.tab[data-view="runs"]').hidden ? "runs" : "models");
  document.body.dataset.ready = "true";
}

start();
