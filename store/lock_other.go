//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "os"

// lockFile does nothing where flock is missing (Windows, Plan 9...): there,
// one bot per database file is the operator's rule alone (README).
func lockFile(*os.File) error { return nil }
