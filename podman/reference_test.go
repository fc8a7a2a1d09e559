package podman

import "testing"

func TestSplitImageReference(t *testing.T) {
	for _, c := range []struct{ ref, host, repo string }{
		{"busybox", "docker.io", "library/busybox"},
		{"library/busybox:1", "docker.io", "library/busybox"},
		{"docker.io/library/x", "docker.io", "library/x"},
		{"docker.io/busybox:latest", "docker.io", "library/busybox"},
		{"index.docker.io/user/app", "docker.io", "user/app"},
		{"user/app:2", "docker.io", "user/app"},
		{"localhost:5000/a/b:c", "localhost:5000", "a/b"},
		{"localhost/app:1", "localhost", "app"},
		{"x@sha256:" + sha, "docker.io", "library/x"},
		{"quay.io/ns/app:1@sha256:" + sha, "quay.io", "ns/app"},
		{"docker://quay.io/ns/app@sha256:" + sha, "quay.io", "ns/app"},
		{"127.0.0.1:5055/test/x:1", "127.0.0.1:5055", "test/x"},
		{"127.0.0.1:5000/app", "127.0.0.1:5000", "app"},
		{"[::1]:5000/app:1", "[::1]:5000", "app"},
		{"  registry.example.com/team/app  ", "registry.example.com", "team/app"},
		// Not references Podman would pull: no registry to look credentials up for.
		{"", "", ""},
		{"Busybox", "", ""},
		{"busybox:bad tag", "", ""},
		{"x@sha256:short", "", ""},
	} {
		if h, r := splitReference(c.ref); h != c.host || r != c.repo {
			t.Errorf("splitReference(%q) = %q, %q; want %q, %q", c.ref, h, r, c.host, c.repo)
		}
	}
}

const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// A short name is one Podman resolves itself (aliases, unqualified-search registries).
func TestIsShortName(t *testing.T) {
	for ref, want := range map[string]bool{
		"centos": true, "team/app:1": true, "busybox@sha256:" + sha: true, " fedora ": true,
		"docker.io/library/centos": false, "quay.io/centos/centos": false, "localhost/app": false,
		"127.0.0.1:5000/app": false, "docker://centos": false, "Busybox": false, "": false,
	} {
		if got := isShortName(ref); got != want {
			t.Errorf("isShortName(%q) = %v, want %v", ref, got, want)
		}
	}
}
