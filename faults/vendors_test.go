package faults_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
)

// Vendors are registered at once on a fresh database (an import, a bulk
// send, two instances): every insert succeeds. The first writers of the
// vendor change log race to create its head, and FerretDB does not retry
// the loser's upsert as MongoDB does; the soak hit this on its first
// vendors.
func TestVendorsInsertedAtOnceOnAFreshDatabase(t *testing.T) {
	for round := range 3 {
		store := storemongo.NewVendors(testenv.Mongo(t))
		ctx := ctxFor(t, time.Minute)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = store.Insert(ctx, &vendors.Vendor{
					ID: fmt.Sprintf("v%d-%02d", round, i), Name: fmt.Sprintf("Parallel Vendor %d", i), NameLower: fmt.Sprintf("parallel vendor %d", i),
					Status: vendors.StatusActive, Tier: 3, CreatedAt: time.Now(), UpdatedAt: time.Now(),
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, vendor %d: %v", round, i, err)
			}
		}
		list, total, err := store.List(ctx, vendors.Filter{Status: vendors.StatusAll, Page: 1, Per: 100})
		if err != nil || total != n || len(list) != n {
			t.Fatalf("round %d: listed %d of %d vendors (%v), want %d", round, len(list), total, err, n)
		}
	}
}
