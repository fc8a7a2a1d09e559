//go:build !linux

package podman

import "syscall"

func serviceProcAttr() *syscall.SysProcAttr { return nil }
