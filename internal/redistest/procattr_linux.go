package redistest

import "syscall"

// sysProcAttr makes the kernel kill redis-server when the test process dies
// without running its cleanups (a panic or a -timeout), so no server is left
// behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
