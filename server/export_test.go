package server

// Test helpers for the tests of package server_test, which run the whole
// app through pcmt/cli (which imports this package).
var (
	NewLocalCert = newLocalCert
	TestLogger   = testLogger
	Client       = client
	Get          = get
)
