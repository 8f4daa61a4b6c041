package web_test

import (
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// selects counts the SELECT statements SQLite compiles, and the reads of
// directory (hsds_*) tables among them, while armed. The store runs its
// queries unprepared (only a few writes use its statement cache), so
// SQLite compiles each SELECT it runs: the counts are the SELECTs a
// request makes. Web tests do not run in parallel; only one request runs
// while the counter is armed.
var selects struct {
	armed        atomic.Bool
	mu           sync.Mutex
	total, hsds  int
	hsdsByTables map[string]bool
}

func init() {
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		a, ok := c.(sqlite.AuthorizerRegisterer)
		if !ok {
			return nil
		}
		return a.RegisterAuthorizer(func(action sqlite.AuthorizerActionCode, arg1, _, _, _ string) sqlite.AuthorizerReturnCode {
			if !selects.armed.Load() {
				return sqlite.AuthorizerOK
			}
			selects.mu.Lock()
			defer selects.mu.Unlock()
			switch {
			case action == sqlite.AuthSelect:
				selects.total++
			case action == sqlite.AuthRead && strings.HasPrefix(arg1, "hsds_") && !selects.hsdsByTables[arg1]:
				selects.hsdsByTables[arg1] = true
				selects.hsds++
			}
			return sqlite.AuthorizerOK
		})
	})
}

// countSelects runs fn with the counter armed and returns the SELECTs
// compiled and the distinct directory tables they read.
func countSelects(fn func()) (total, directoryTables int) {
	selects.mu.Lock()
	selects.total, selects.hsds, selects.hsdsByTables = 0, 0, map[string]bool{}
	selects.mu.Unlock()
	selects.armed.Store(true)
	fn()
	selects.armed.Store(false)
	selects.mu.Lock()
	defer selects.mu.Unlock()
	return selects.total, selects.hsds
}
