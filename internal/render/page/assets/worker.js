// samllint's WebAssembly on the static site, off the page's main thread:
// compiling the module, starting it and linting never freeze the page.
// The page posts {id, path, body}; this answers {id, status, body}, as
// the served API would. It loads only files of its own origin.
"use strict";

// The module downloads while the loader is read, and compiles while it
// downloads.
const module = fetch("samllint.wasm");
importScripts("wasm_exec.js");

const ready = (async () => {
  const resp = await module;
  if (!resp.ok) throw new Error(`the site answered ${resp.status} ${resp.statusText} for samllint.wasm`);
  const go = new Go();
  let inst;
  try {
    inst = (await WebAssembly.instantiateStreaming(resp, go.importObject)).instance;
  } catch (e) { // a host that does not send application/wasm
    const bytes = await (await fetch("samllint.wasm")).arrayBuffer();
    inst = (await WebAssembly.instantiate(bytes, go.importObject)).instance;
  }
  go.run(inst);
  return self.samllintVersion;
})().catch((e) => { throw new Error("could not start samllint.wasm: " + e.message); });

// asked counts the requests received: the warm-up runs only while none
// has come, so that it never delays a paste.
let asked = 0;

ready.then(
  (version) => {
    postMessage({ ready: true, version: version });
    // While nobody has pasted yet, lint a built-in capture once: the
    // browser compiles each function on its first call, so the person's
    // first lint is then as quick as the next.
    setTimeout(() => {
      if (asked === 0 && self.samllintWarm) {
        self.samllintWarm();
        postMessage({ warmed: true });
      }
    }, 0);
  },
  (e) => postMessage({ ready: false, error: e.message }),
);

onmessage = async (e) => {
  asked++;
  const { id, path, body } = e.data;
  try {
    await ready;
  } catch (err) { // the page waiting for its verdict learns why there is none
    postMessage({ id: id, status: 500, body: JSON.stringify({ error: err.message }) });
    return;
  }
  try {
    const r = samllintAPI(path, body);
    postMessage({ id: id, status: r.status, body: r.body });
  } catch (err) {
    postMessage({ id: id, status: 500, body: JSON.stringify({ error: "samllint.wasm: " + err.message }) });
  }
};
