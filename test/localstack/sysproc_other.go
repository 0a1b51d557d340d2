//go:build !linux

package localstack

import "syscall"

// sysProcAttr puts a child in its own process group, so that killing the
// group kills its children too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
