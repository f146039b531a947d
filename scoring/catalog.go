package scoring

import (
	"slices"
	"sync"

	"github.com/assayhq/assay/questionnaires"
)

// keyControls are the controls where a single zero-scored question is a
// finding even if the control's score clears the threshold: a vendor that
// has no supplier agreement, no cloud security, no encryption, no MFA, no
// patching, no backups, no incident plan or no access control policy is a
// material risk whatever else it does well.
var keyControls = []string{
	"A.5.15", // access control
	"A.5.19", // information security in supplier relationships
	"A.5.20", // information security within supplier agreements
	"A.5.21", // ICT supply chain
	"A.5.23", // cloud services
	"A.5.24", // incident management planning
	"A.8.5",  // secure authentication
	"A.8.8",  // technical vulnerabilities
	"A.8.13", // information backup
	"A.8.24", // cryptography
}

// KeyControls returns the ISO/IEC 27001:2022 controls on which any question
// scoring 0 raises a finding, in the standard's order.
func KeyControls() []string {
	idx := catalog()
	out := make([]string, 0, len(keyControls))
	for _, c := range idx.controls {
		if c.key {
			out = append(out, c.id)
		}
	}
	return out
}

// catControl is what scoring needs to know about one catalogue control,
// resolved once so the hot path works on small integers rather than on
// string maps.
type catControl struct {
	id, title, theme string
	order            int   // position in the standard, for sorting
	themeIdx         int   // index into catalogIndex.themes
	domains          []int // indexes into catalogIndex.domains
	supplier         bool
	key              bool
	recommendation   string
}

type catalogIndex struct {
	controls []catControl
	byID     map[string]int
	themes   []string
	domains  []string // 2013 domain ids, A.5 … A.18
}

// catalog builds the index from the questionnaires catalogue on first use;
// the catalogue is embedded data, so it never changes while we run.
var catalog = sync.OnceValue(func() *catalogIndex {
	idx := &catalogIndex{byID: map[string]int{}, themes: questionnaires.Themes()}
	for _, d := range questionnaires.Domains2013() {
		idx.domains = append(idx.domains, d.ID)
	}
	supplier := questionnaires.SupplierControls()
	for i, c := range questionnaires.Controls() {
		cc := catControl{
			id:       c.ID,
			title:    c.Title,
			theme:    c.Theme,
			order:    i,
			themeIdx: slices.Index(idx.themes, c.Theme),
			supplier: slices.Contains(supplier, c.ID),
			key:      slices.Contains(keyControls, c.ID),
		}
		for _, d := range questionnaires.Domains2013For(c.ID) {
			if j := slices.Index(idx.domains, d); j >= 0 {
				cc.domains = append(cc.domains, j)
			}
		}
		cc.recommendation = recommendationFor(c.ID, c.Title)
		idx.byID[c.ID] = i
		idx.controls = append(idx.controls, cc)
	}
	return idx
})
