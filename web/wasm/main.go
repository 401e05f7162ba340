//go:build js && wasm

// Command wasm is samllint inside the page of the static site: it answers
// the page's API (see internal/render/page) in the browser, so that nothing the
// user pastes leaves it. go run ./web DIR builds it as DIR/samllint.wasm.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"runtime/debug"
	"syscall/js"

	"github.com/samllint/samllint/internal/base/version"
	"github.com/samllint/samllint/internal/render/page"
)

// warmup is a signed capture (testdata/assertions/okta-connect.b64, which
// web's tests keep it equal to) that the worker lints once while nobody
// has pasted yet: the browser compiles WebAssembly function by function
// on first call, and a first lint costs ~0.6 s of that, the next ~30 ms.
//
//go:embed warmup.b64
var warmup string

func main() {
	// As the CLI does (internal/cli's tuneGC): a lint allocates about
	// 400 KB while the live heap is a few megabytes, and in WebAssembly
	// each collection is slow and on the lint's own thread.
	debug.SetGCPercent(400)
	// samllintAPI(path, body) → {status, body}, as the served API answers.
	js.Global().Set("samllintAPI", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 2 {
			return map[string]any{"status": 400, "body": `{"error":"samllintAPI takes a path and a JSON body"}`}
		}
		status, body := page.Handle(context.Background(), args[0].String(), []byte(args[1].String()), version.String())
		return map[string]any{"status": status, "body": string(body)}
	}))
	// samllintWarm() lints warmup and drops the answer.
	js.Global().Set("samllintWarm", js.FuncOf(func(js.Value, []js.Value) any {
		body, _ := json.Marshal(map[string]string{"input": warmup, "format": "page"})
		page.Handle(context.Background(), "/api/lint", body, version.String())
		return nil
	}))
	js.Global().Set("samllintVersion", version.String())
	select {} // the page calls in for as long as it is open
}
