package podman

import "syscall"

// serviceProcAttr ends the service with image-mcp even when image-mcp is killed (SIGKILL
// leaves no chance to run Stop).
func serviceProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
