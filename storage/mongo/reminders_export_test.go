package mongo

// LockAssessment takes the per-assessment write lock the stores share, so
// tests can check that a write waits for it.
func LockAssessment(id string) (unlock func()) { return lockAssessment(id) }
