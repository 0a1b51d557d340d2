package localstack

import "syscall"

// sysProcAttr puts a child in its own process group, so that killing the
// group kills its children too, and has the kernel kill it when the process
// that started it dies without cleaning up (a test binary killed by -timeout,
// for example).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
