//go:build !linux

package moto

import "syscall"

// sysProcAttr puts moto in its own process group, so that killing the group
// kills its children too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
