// Package failpoint lets crash tests kill a process at a named point of a
// write: a child process started with CYNLLUN_FAILPOINT=<name> sends
// itself SIGKILL when it reaches Crash(<name>), as a power cut or an OOM
// kill would stop it, leaving whatever it wrote so far. In every other
// process Crash is a comparison with the empty string.
package failpoint

import "os"

// Env names the failpoint a process stops at.
const Env = "CYNLLUN_FAILPOINT"

// armed is the point this process stops at ("" for none), read once.
var armed = os.Getenv(Env)

// Crash kills the process with SIGKILL when name is its armed point.
func Crash(name string) {
	if armed == "" || armed != name {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Signal(os.Kill) // SIGKILL
	}
	select {} // the signal is on its way
}
