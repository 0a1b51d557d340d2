package moto

import "syscall"

// sysProcAttr puts moto in its own process group, so that killing the group
// kills its children too, and has the kernel kill it when the process that
// started it dies without cleaning up (a test binary killed by -timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
