//go:build race

package mongodb

// raceEnabled says the tests run under the race detector, which makes
// every child process several times slower.
const raceEnabled = true
