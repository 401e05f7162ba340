package record_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/record"
)

// Record a sign-in in a browser this program starts, printing each step
// as it happens, and keep the minimal HAR.
func ExampleRecord() {
	exe, err := record.FindBrowser()
	if err != nil {
		fmt.Println(err)
		return
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("headless", false))...)
	defer cancel()
	tab, closeTab := chromedp.NewContext(actx)
	defer closeTab()

	rec, err := record.Record(tab, record.Options{
		URL:     "https://example.okta.com/home/amazon_aws/0oa1b2c3d4/272",
		Inputs:  &lint.Inputs{},
		Timeout: 10 * time.Minute,
	}, func(ev record.Event) {
		fmt.Printf("%s: %s\n", ev.Kind, ev.Text)
		if ev.Result != nil && ev.Result.Report != nil {
			for _, f := range ev.Result.Report.Findings {
				fmt.Printf("  %s %s: %s\n", f.Severity, f.Rule, f.Message)
			}
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ended:", rec.End)
	if har, err := rec.HAR(); err == nil {
		_ = os.WriteFile("sign-in.har", har, 0o600)
	}
}
