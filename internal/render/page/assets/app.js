// samllint's page, behind samllint serve or on a static site. It talks
// only to the server that served it, or to nothing at all, and builds the
// DOM with textContent, never innerHTML: captures are untrusted.
"use strict";

const $ = (id) => document.getElementById(id);

// A bidirectional control in a capture would reorder what is read (a
// RoleSessionName "\u202emoc.elgoog@nimda" shows as admin@google.com),
// and other controls hide or garble text: each is shown as a visible
// marker such as ⟨U+202E⟩, never applied.
const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
function visible(s) {
  return s.replace(controls, (c) => "⟨U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "⟩");
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, typeof v === "string" ? visible(v) : v);
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(typeof c === "string" ? document.createTextNode(visible(c)) : c);
  }
  return e;
}

// Files chosen or dropped become the text of their field.
function readInto(file, target) {
  const r = new FileReader();
  r.onload = () => { target.value = r.result; if (target.id === "input") inputName = file.name; };
  r.readAsText(file);
}
document.querySelectorAll("input[type=file][data-target]").forEach((inp) => {
  inp.addEventListener("change", () => {
    if (inp.files.length) readInto(inp.files[0], $(inp.dataset.target));
  });
});
const input = $("input");
input.addEventListener("dragover", (e) => { e.preventDefault(); input.classList.add("dragging"); });
input.addEventListener("dragleave", () => input.classList.remove("dragging"));
input.addEventListener("drop", (e) => {
  e.preventDefault();
  input.classList.remove("dragging");
  if (e.dataTransfer.files.length) readInto(e.dataTransfer.files[0], input);
});
input.addEventListener("input", () => { inputName = ""; });
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("lint-form").requestSubmit(); }
});

// The file the capture was read from, if it was chosen or dropped: it
// names the results as the CLI would.
let inputName = "";

function request(format) {
  const q = {
    input: input.value,
    name: inputName,
    metadata: $("metadata").value,
    trust_policy: $("trust").value,
    permissions_policy: $("permissions").value,
    scp: $("scp").value,
    permissions_boundary: $("boundary").value,
    connect_users: $("users").value,
    aws: $("aws").checked,
    now: $("now").value.trim(),
    redact: $("redact").checked,
    format: format,
  };
  if ($("relay").value.trim() !== "") q.relay_state = $("relay").value.trim();
  return q;
}

// On a static site (go run ./web DIR marks the page data-site="static")
// samllint runs in this browser as WebAssembly, in a worker (worker.js)
// so that the page never freezes, and answers the same API there: nothing
// is sent anywhere. The worker starts with the page, before the paste
// arrives. Behind "samllint serve" the page asks the server it came from.
const staticSite = document.documentElement.dataset.site === "static";
let worker = null;
let workerReady = null;
let workerError = null;
let nextCall = 0;
const calls = new Map();
function startWorker() {
  if (workerReady) return workerReady;
  workerReady = new Promise((resolve, reject) => {
    worker = new Worker("worker.js");
    worker.onmessage = (e) => {
      const m = e.data;
      if ("warmed" in m) {
        window.samllintWarmedAt = performance.now(); // for the tests
        return;
      }
      if ("ready" in m) {
        if (m.ready) resolve(m.version);
        else reject(new Error(m.error));
        return;
      }
      const done = calls.get(m.id);
      calls.delete(m.id);
      if (done) done.resolve(m);
    };
    worker.onerror = (e) => {
      workerError = new Error("samllint.wasm stopped: " + (e.message || "worker.js could not run"));
      reject(workerError);
      for (const c of calls.values()) c.reject(workerError);
      calls.clear();
    };
  });
  // For the tests and BenchmarkStaticSite: when the module answers, and
  // when the first verdict showed (performance.now, from navigation).
  workerReady.then(() => { window.samllintReady = true; window.samllintReadyAt = performance.now(); });
  return workerReady;
}
// samllint.api(path, body) is the API's answer {status, body}, from the
// worker; the tests call it as the page does. A call is posted at once,
// not when the module is ready: the worker waits for its module itself,
// and a call that is waiting when the module starts keeps the warm-up
// lint from running before it.
window.samllint = {
  api: (path, body) => {
    startWorker().catch(() => {}); // a worker that cannot start fails every call, below
    if (workerError) return Promise.reject(workerError);
    return new Promise((resolve, reject) => {
      const id = ++nextCall;
      calls.set(id, { resolve, reject });
      worker.postMessage({ id: id, path: path, body: body });
    });
  },
};
if (staticSite) startWorker().catch((e) => status(e.message, true));

async function post(path, body) {
  if (staticSite) {
    const r = await window.samllint.api(path, JSON.stringify(body));
    const data = JSON.parse(r.body);
    if (r.status !== 200) throw new Error(data.error || "error " + r.status);
    return data;
  }
  const resp = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await resp.json();
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function status(msg, isError, busy) {
  $("status").textContent = visible(msg);
  $("status").className = isError ? "error" : busy ? "busy" : "";
}

let linted = false;

async function lint() {
  // The page stays live while samllint works: the button says so.
  const starting = staticSite && !window.samllintReady;
  status(starting ? "Starting samllint, then linting…" : "Linting…", false, true);
  $("lint-button").disabled = true;
  $("results").setAttribute("aria-busy", "true");
  try {
    const data = await post("/api/lint", request("page"));
    render(data.results);
    if (!window.samllintFirstVerdictAt) window.samllintFirstVerdictAt = performance.now();
    linted = true;
    $("download-json").disabled = false;
    $("download-sarif").disabled = false;
    const failing = data.results.filter((r) => r.error || r.outcome === "will-fail").length;
    const unchecked = data.results.filter((r) => r.outcome === "signer-unchecked").length;
    status(`${data.results.length} capture${data.results.length === 1 ? "" : "s"} linted${failing ? `, ${failing} failing` : ""}${unchecked ? `, ${unchecked} with the signer not checked (give the IdP metadata)` : ""}${$("redact").checked ? ", redacted" : ""}.`);
    if (data.version) $("version").textContent = data.version;
  } catch (err) {
    $("results").replaceChildren();
    status(err.message, true);
  } finally {
    $("lint-button").disabled = false;
    $("results").removeAttribute("aria-busy");
  }
}

$("lint-form").addEventListener("submit", (e) => { e.preventDefault(); lint(); });
$("redact").addEventListener("change", () => { if (linted) lint(); });

async function download(format) {
  try {
    const data = await post("/api/lint", request(format));
    const blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    const a = el("a", { href: URL.createObjectURL(blob), download: format === "sarif" ? "samllint.sarif" : "samllint.json" });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (err) {
    status(err.message, true);
  }
}
$("download-json").addEventListener("click", () => download("json"));
$("download-sarif").addEventListener("click", () => download("sarif"));

function copyButton(text) {
  const b = el("button", { type: "button", class: "copy" }, "Copy");
  b.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(text); b.textContent = "Copied"; } catch { b.textContent = "Select and copy"; }
  });
  return b;
}

// A fix that carries a policy statement shows it as a copyable block.
function fixNode(fix) {
  const i = fix.indexOf("{");
  const j = fix.lastIndexOf("}");
  if (i < 0 || j < i) return el("dd", {}, fix);
  let json = fix.slice(i, j + 1);
  try { json = JSON.stringify(JSON.parse(json), null, 2); } catch { /* keep as written */ }
  return el("dd", {}, fix.slice(0, i).trim(), el("pre", { class: "fix" }, json), fix.slice(j + 1).trim(), copyButton(json));
}

// where renders a finding's location: in the response XML, a button that
// jumps to its line (in the XML of side, for the compare panel); in a
// policy or the RelayState, the file and path as text.
function where(loc, side) {
  if (loc.source !== "response") {
    const file = loc.file ? loc.file + (loc.line ? ":" + loc.line : "") : "";
    return el("dd", {}, el("code", {}, [file, loc.path].filter(Boolean).join(": ")));
  }
  const attrs = { type: "button", class: "jump", "data-path": xmlLine(loc.path), title: "show this line in the XML" };
  if (side) attrs["data-side"] = side;
  return el("dd", {}, el("button", attrs, loc.path));
}

function findingNode(f, side) {
  return el("div", { class: "finding " + f.severity },
    el("div", { class: "head" }, el("span", { class: "sev " + f.severity }, f.severity), f.rule + ": " + f.message),
    el("dl", { class: "kv" },
      el("dt", {}, "at"), where(f.location, side),
      el("dt", {}, "expected"), el("dd", {}, f.expected),
      el("dt", {}, "actual"), el("dd", {}, f.actual),
      el("dt", {}, "fix"), fixNode(f.fix)));
}

// xmlLine is the XML line a finding points at: attributes sit on their
// element's line.
function xmlLine(path) { return path.replace(/\/@[^/]+$/, ""); }

// A finding's location jumps to its line in the XML of the same result
// (or, in the compare panel, of its side), opening it if folded.
function jump(e) {
  const b = e.target.closest("button.jump");
  if (!b) return;
  const scope = b.dataset.side ? $("xml-" + b.dataset.side) : b.closest("article");
  if (!scope) return;
  const line = [...scope.querySelectorAll("pre.xml span[data-path]")].find((s) => s.dataset.path === b.dataset.path);
  if (!line) return;
  const d = line.closest("details");
  if (d) d.open = true;
  line.classList.add("hit");
  line.scrollIntoView({ block: "center" });
  line.focus();
}
$("results").addEventListener("click", jump);
$("diff-results").addEventListener("click", jump);

function xmlView(lines, hits) {
  return el("pre", { class: "xml", tabindex: "0", "aria-label": "the response XML" },
    ...lines.map((l) => l.path
      ? el("span", { class: hits.has(l.path) ? "hit" : "", title: l.path, "data-path": l.path, tabindex: "-1" }, l.text)
      : el("span", {}, l.text)));
}

// signatureCards lays the signatures out as a list of cards: each field
// labelled, long values wrapping at any character, so it reads at any width.
function signatureCards(sigs) {
  return el("ul", { class: "sigs" }, ...sigs.map((s) => el("li", { class: "sig " + s.verdict },
    el("div", { class: "sig-head" }, el("span", { class: "verdict-tag" }, s.verdict), " on <" + s.on + ">"),
    el("dl", { class: "kv" },
      el("dt", {}, "signature"), el("dd", {}, s.path),
      el("dt", {}, "covers"), el("dd", {}, s.covers || "—"),
      el("dt", {}, "why"), el("dd", {}, s.detail),
      el("dt", {}, "certificate"), el("dd", {}, s.cert || "—")))));
}

// outcomeOrder puts the captures that fail first in the summary.
const outcomeOrder = { "will-fail": 0, error: 1, "may-fail": 2, "signer-unchecked": 3, notes: 4, pass: 5 };

// summary lists every capture of a HAR with its verdict, failing first,
// each a link to its report: the one that failed is not 2,000 px down.
function summary(results) {
  const rows = results.map((r, i) => ({ r, i, o: r.error ? "error" : r.outcome }));
  rows.sort((a, b) => (outcomeOrder[a.o] ?? 9) - (outcomeOrder[b.o] ?? 9) || a.i - b.i);
  const count = (o) => rows.filter((x) => x.o === o).length;
  const parts = [];
  if (count("will-fail")) parts.push(`${count("will-fail")} will fail`);
  if (count("error")) parts.push(`${count("error")} could not be linted`);
  if (count("may-fail")) parts.push(`${count("may-fail")} may fail`);
  if (count("signer-unchecked")) parts.push(`${count("signer-unchecked")} with the signer not checked`);
  const fine = count("pass") + count("notes");
  if (fine) parts.push(`${fine} with no problem found`);
  return el("nav", { class: "summary", "aria-label": "captures" },
    el("p", {}, el("strong", {}, `${results.length} sign-ins in this capture: `), parts.join(", ") + "."),
    el("ol", {}, ...rows.map(({ r, i, o }) => el("li", { class: "o-" + o },
      el("a", { href: "#result-" + (i + 1) }, r.label),
      el("span", { class: "chip " + verdictClass(r) }, r.error ? "could not lint" : r.verdict)))));
}

function verdictClass(r) {
  if (r.error || r.outcome === "will-fail") return "fail";
  return r.outcome === "may-fail" || r.outcome === "signer-unchecked" ? "warn" : "pass";
}

function render(results) {
  const root = $("results");
  root.replaceChildren();
  if (results.length > 1) root.append(summary(results));
  results.forEach((r, i) => {
    const box = el("article", { class: "result", id: "result-" + (i + 1) }, el("h3", {}, r.label));
    root.append(box);
    if (r.capture && (r.capture.sent_to || r.capture.sent_at || r.capture.reply || r.capture.then)) {
      const c = r.capture;
      box.append(el("dl", { class: "kv capture" },
        ...(c.sent_to ? [el("dt", {}, "posted"), el("dd", {}, c.sent_to)] : []),
        ...(c.sent_at ? [el("dt", {}, "at"), el("dd", {}, c.sent_at)] : []),
        ...(c.reply ? [el("dt", {}, "the server answered"), el("dd", {}, c.reply)] : []),
        ...(c.reply_says ? [el("dt", {}, "its page says"), el("dd", { class: "reply-says" }, c.reply_says)] : []),
        ...(c.then || []).flatMap((line, i) => [el("dt", {}, i ? "" : "then"), el("dd", { class: "then" }, line)])));
    }
    if (r.error) {
      box.append(el("p", { class: "verdict fail" }, "Could not lint: " + r.error));
      return;
    }
    box.append(el("p", Object.assign({ class: "verdict " + verdictClass(r) }, root.querySelector("#verdict") ? {} : { id: "verdict" }), r.verdict));
    box.append(el("p", { class: "evaltime" }, `Evaluated at ${r.clock.time}: ${r.clock.reason}. Set the evaluation time under “More inputs” to change it.`));
    for (const sev of ["error", "warning", "info"]) {
      const fs = r.findings.filter((f) => f.severity === sev);
      if (!fs.length) continue;
      box.append(el("h4", {}, `${sev === "error" ? "Errors" : sev === "warning" ? "Warnings" : "Notes"} (${fs.length})`));
      fs.forEach((f) => box.append(findingNode(f)));
    }
    if (r.skipped.length) {
      const n = r.skipped.reduce((a, g) => a + g.rules.length, 0);
      box.append(el("h4", {}, `Skipped checks (${n}): what to give to run them`));
      // One sentence each: "Fill in the trust policy field to check …".
      box.append(el("ul", { class: "skipped" }, ...r.skipped.map((g) => el("li", {},
        el("strong", {}, g.field === "—" ? g.reason : "Fill in " + g.field),
        g.field === "—" ? "" : " " + g.reason,
        g.because ? " (" + g.because + ")" : "",
        el("div", { class: "rules" }, g.rules.join(", "))))));
    }
    box.append(el("h4", {}, "The response"));
    box.append(el("dl", { class: "kv" }, ...r.facts.filter((f) => !f.noise).flatMap((f) => [el("dt", {}, f.name), el("dd", {}, f.value)])));
    if (r.timeline.length) {
      box.append(el("h4", {}, "Times, relative to the evaluation time"));
      box.append(el("ul", { class: "timeline" }, ...r.timeline.map((t) =>
        el("li", {}, el("span", { class: "rel " + (t.past ? "past" : "future") }, t.rel), el("span", {}, t.label), el("span", {}, t.at)))));
    }
    if (r.signatures.length) {
      box.append(el("h4", {}, "Signatures"));
      box.append(signatureCards(r.signatures));
    }
    const hits = new Set(r.findings.filter((f) => f.location.source === "response").map((f) => xmlLine(f.location.path)));
    box.append(el("h4", {}, "XML (finding locations highlighted)"));
    box.append(xmlView(r.xml, hits));
  });
}

$("diff-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("diff-results");
  out.replaceChildren(el("p", {}, "Comparing…"));
  try {
    const d = await post("/api/diff", { a: $("diff-a").value, b: $("diff-b").value, metadata: $("metadata").value, redact: $("redact").checked });
    const side = (name, lines) => el("details", { id: "xml-" + name }, el("summary", {}, "XML of " + name.toUpperCase()), xmlView(lines, new Set()));
    out.replaceChildren(
      el("p", {}, el("strong", {}, "A: "), d.verdict_a), el("p", {}, el("strong", {}, "B: "), d.verdict_b),
      d.differences.length ? el("table", { class: "diff-table" },
        el("thead", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "A"), el("th", {}, "B"))),
        el("tbody", {}, ...d.differences.map((r) => el("tr", {}, el("td", {}, r.field), el("td", { class: "differs" }, r.a), el("td", { class: "differs" }, r.b)))))
        : el("p", {}, "No difference that matters for sign-in."),
      el("h4", {}, `Findings only in A (${d.only_a.length})`), ...d.only_a.map((f) => findingNode(f, "a")),
      el("h4", {}, `Findings only in B (${d.only_b.length})`), ...d.only_b.map((f) => findingNode(f, "b")),
      side("a", d.xml_a || []), side("b", d.xml_b || []));
  } catch (err) {
    out.replaceChildren(el("p", { class: "verdict fail" }, err.message));
  }
});
