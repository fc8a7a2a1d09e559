package podman

import (
	"slices"
	"testing"
)

// The autostarted service gets image-mcp's environment less what would make Podman a
// remote client (present but empty counts: Podman checks presence) or is a secret.
func TestServiceEnv(t *testing.T) {
	cases := []struct {
		name     string
		in, want []string
	}{
		{"storage settings kept", []string{"CONTAINERS_CONF=/c", "CONTAINERS_STORAGE_CONF=/s", "XDG_RUNTIME_DIR=/run/user/1000", "HOME=/h"},
			[]string{"CONTAINERS_CONF=/c", "CONTAINERS_STORAGE_CONF=/s", "XDG_RUNTIME_DIR=/run/user/1000", "HOME=/h"}},
		{"empty CONTAINER_HOST dropped", []string{"PATH=/bin", "CONTAINER_HOST="}, []string{"PATH=/bin"}},
		{"empty CONTAINER_CONNECTION dropped", []string{"CONTAINER_CONNECTION=", "PATH=/bin"}, []string{"PATH=/bin"}},
		{"remote settings dropped", []string{"CONTAINER_HOST=ssh://u@h/run/podman.sock", "CONTAINER_SSHKEY=/k", "CONTAINER_PASSPHRASE=p", "CONTAINER_CONNECTION=x", "A=1"}, []string{"A=1"}},
		{"StackRox token dropped", []string{"ROX_API_TOKEN=t", "STACKROX_API_KEY=k", "ROX_ENDPOINT=c:443"}, []string{"ROX_ENDPOINT=c:443"}},
		{"similar names kept", []string{"CONTAINER_HOSTX=1", "MY_CONTAINER_HOST=2", "PODMAN_CONNECTIONS_CONF=/p"}, []string{"CONTAINER_HOSTX=1", "MY_CONTAINER_HOST=2", "PODMAN_CONNECTIONS_CONF=/p"}},
		{"nothing", nil, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := serviceEnv(c.in); !slices.Equal(got, c.want) {
				t.Fatalf("serviceEnv(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
