//go:build race

package cli

// The race detector's shadow memory multiplies a process's RSS, so
// memory bounds are not measured under it.
const raceEnabled = true
