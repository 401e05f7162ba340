// samllint serve: the page. It talks only to the server that served it and
// builds the DOM with textContent, never innerHTML: captures are untrusted.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

// Files chosen or dropped become the text of their field.
function readInto(file, target) {
  const r = new FileReader();
  r.onload = () => { target.value = r.result; };
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
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("lint-form").requestSubmit(); }
});

function request(format) {
  const q = {
    input: input.value,
    metadata: $("metadata").value,
    trust_policy: $("trust").value,
    permissions_policy: $("permissions").value,
    connect_users: $("users").value,
    now: $("now").value.trim(),
    redact: $("redact").checked,
    format: format,
  };
  if ($("relay").value.trim() !== "") q.relay_state = $("relay").value.trim();
  return q;
}

async function post(path, body) {
  const resp = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await resp.json();
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function status(msg, isError) {
  $("status").textContent = msg;
  $("status").className = isError ? "error" : "";
}

let linted = false;

async function lint() {
  status("Linting…");
  try {
    const data = await post("/api/lint", request("page"));
    render(data.results);
    linted = true;
    $("download-json").disabled = false;
    $("download-sarif").disabled = false;
    status(`${data.results.length} capture${data.results.length === 1 ? "" : "s"} linted${$("redact").checked ? ", redacted" : ""}.`);
  } catch (err) {
    $("results").replaceChildren();
    status(err.message, true);
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

function findingNode(f) {
  return el("div", { class: "finding " + f.severity },
    el("div", { class: "head" }, el("span", { class: "sev " + f.severity }, f.severity), f.rule + ": " + f.message),
    el("dl", { class: "kv" },
      el("dt", {}, "at"), el("dd", {}, el("button", { type: "button", class: "jump", "data-path": xmlLine(f.path), title: "show this line in the XML below" }, f.path)),
      el("dt", {}, "expected"), el("dd", {}, f.expected),
      el("dt", {}, "actual"), el("dd", {}, f.actual),
      el("dt", {}, "fix"), fixNode(f.fix)));
}

// xmlLine is the XML line a finding points at: attributes sit on their
// element's line.
function xmlLine(path) { return path.replace(/\/@[^/]+$/, ""); }

// A finding's location jumps to its line in the XML of the same result.
$("results").addEventListener("click", (e) => {
  const b = e.target.closest("button.jump");
  if (!b || !b.closest("article")) return;
  const line = [...b.closest("article").querySelectorAll("pre.xml span.hit")].find((s) => s.dataset.path === b.dataset.path);
  if (line) { line.scrollIntoView({ block: "center" }); line.focus(); }
});

function render(results) {
  const root = $("results");
  root.replaceChildren();
  for (const r of results) {
    const box = el("article", { class: "result" }, el("h3", {}, r.label));
    root.append(box);
    if (r.error) {
      box.append(el("p", { class: "verdict fail" }, "Could not lint: " + r.error));
      continue;
    }
    const cls = r.summary.errors > 0 ? "fail" : r.summary.warnings > 0 ? "warn" : "pass";
    box.append(el("p", Object.assign({ class: "verdict " + cls }, root.querySelector("#verdict") ? {} : { id: "verdict" }), r.verdict));
    box.append(el("p", { class: "evaltime" }, `Evaluated at ${r.evaluated_at}` +
      ($("now").value.trim() === "" ? " — one minute after the response's IssueInstant; set the evaluation time under “More inputs” to change it." : ".")));
    for (const sev of ["error", "warning", "info"]) {
      const fs = r.findings.filter((f) => f.severity === sev);
      if (!fs.length) continue;
      box.append(el("h4", {}, `${sev === "error" ? "Errors" : sev === "warning" ? "Warnings" : "Notes"} (${fs.length})`));
      fs.forEach((f) => box.append(findingNode(f)));
    }
    if (r.skipped.length) {
      box.append(el("h4", {}, `Skipped checks (${r.skipped.length})`));
      box.append(el("p", { class: "hint" }, "On this page, --relay-state, --metadata, --trust-policy, --permissions-policy and --connect-users are the fields under “More inputs”."));
      box.append(el("ul", { class: "skipped" }, ...r.skipped.map((s) => el("li", {}, s.rule + ": " + s.reason))));
    }
    box.append(el("h4", {}, "The response"));
    box.append(el("dl", { class: "kv" }, ...r.facts.flatMap((f) => [el("dt", {}, f.label), el("dd", {}, f.value)])));
    if (r.timeline.length) {
      box.append(el("h4", {}, "Times, relative to the evaluation time"));
      box.append(el("ul", { class: "timeline" }, ...r.timeline.map((t) =>
        el("li", {}, el("span", { class: "rel " + (t.past ? "past" : "future") }, t.rel), el("span", {}, t.label), el("span", {}, t.at)))));
    }
    if (r.signatures.length) {
      box.append(el("h4", {}, "Signatures"));
      box.append(el("table", {},
        el("thead", {}, el("tr", {}, ...["signature", "on", "verdict", "covers", "certificate"].map((h) => el("th", {}, h)))),
        el("tbody", {}, ...r.signatures.map((s) => el("tr", {},
          el("td", {}, s.path), el("td", {}, s.on), el("td", { title: s.detail }, s.verdict), el("td", {}, s.covers || "—"), el("td", {}, s.cert || "—"))))));
    }
    const hits = new Set(r.findings.map((f) => xmlLine(f.path)));
    box.append(el("h4", {}, "XML (finding locations highlighted)"));
    box.append(el("pre", { class: "xml", tabindex: "0", "aria-label": "the response XML" },
      ...r.xml.map((l) => l.path && hits.has(l.path)
        ? el("span", { class: "hit", title: l.path, "data-path": l.path, tabindex: "-1" }, l.text)
        : el("span", { title: l.path || "" }, l.text))));
  }
}

$("diff-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("diff-results");
  out.replaceChildren(el("p", {}, "Comparing…"));
  try {
    const d = await post("/api/diff", { a: $("diff-a").value, b: $("diff-b").value, metadata: $("metadata").value, redact: $("redact").checked });
    out.replaceChildren(
      el("p", {}, el("strong", {}, "A: "), d.verdict_a), el("p", {}, el("strong", {}, "B: "), d.verdict_b),
      d.differences.length ? el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "A"), el("th", {}, "B"))),
        el("tbody", {}, ...d.differences.map((r) => el("tr", {}, el("td", {}, r.field), el("td", { class: "differs" }, r.a), el("td", { class: "differs" }, r.b)))))
        : el("p", {}, "No difference that matters for sign-in."),
      el("h4", {}, `Findings only in A (${d.only_a.length})`), ...d.only_a.map(findingNode),
      el("h4", {}, `Findings only in B (${d.only_b.length})`), ...d.only_b.map(findingNode));
  } catch (err) {
    out.replaceChildren(el("p", { class: "verdict fail" }, err.message));
  }
});
