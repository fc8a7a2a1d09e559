//go:build !linux

package upstream

import "syscall"

func serviceProcAttr() *syscall.SysProcAttr { return nil }
