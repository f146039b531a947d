package mongo

// LockAssessment takes the per-assessment write lock the stores share, so
// tests can check that a write waits for it.
func LockAssessment(id string) (unlock func()) { return lockAssessment(id) }

// ForceIDOnlyFilters makes s guard its updates as on FerretDB (true) or
// with the guarded filter MongoDB gets (false), so both ways are tested on
// the embedded database.
func ForceIDOnlyFilters(s *Assessments, v bool) { s.forceIDOnly = &v }

// FiltersByIDOnly is the server detection.
var FiltersByIDOnly = filtersByIDOnly
