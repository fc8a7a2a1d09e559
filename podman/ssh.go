package podman

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHOptions are how image-mcp logs in to a remote Podman host, as Podman's own
// `ssh://` connections do: a key file or ssh-agent, and a known host key.
type SSHOptions struct {
	Identity   string // private key file (--podman-identity, CONTAINER_SSHKEY, or the connection's)
	KnownHosts string // known_hosts file; default ~/.ssh/known_hosts
	AgentSock  string // SSH_AUTH_SOCK
	Home       string // for ~ and the default known_hosts
}

// sshDialer keeps one SSH connection to the host and opens the remote unix socket through
// it for each HTTP connection.
type sshDialer struct {
	addr, user, path, display string
	opts                      SSHOptions

	mu     sync.Mutex
	client *ssh.Client
	tried  string // the login methods of the last attempt, for messages
}

var ed25519Zero = ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))

func newSSHDialer(u *url.URL, opts SSHOptions) (*sshDialer, error) {
	d := &sshDialer{opts: opts, path: u.Path}
	if d.path == "" || d.path == "/" {
		return nil, fmt.Errorf("%s: give the Podman socket's path on the host, e.g. ssh://%s/run/user/1000/podman/podman.sock (see `podman info --format '{{.Host.RemoteSocket.Path}}'` there)", u.Redacted(), u.Host)
	}
	if _, set := u.User.Password(); set {
		return nil, fmt.Errorf("%s: passwords in ssh:// URLs are not supported; use a key (--podman-identity) or ssh-agent", u.Redacted())
	}
	d.user = u.User.Username()
	if d.user == "" {
		if cur, err := user.Current(); err == nil {
			d.user = cur.Username
		}
	}
	port := u.Port()
	if port == "" {
		port = "22"
	}
	d.addr = net.JoinHostPort(u.Hostname(), port)
	d.display = "ssh://" + d.user + "@" + d.addr
	return d, nil
}

// DialContext is the http.Transport dialer: one channel to the remote socket per call.
func (d *sshDialer) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	for attempt := 0; ; attempt++ {
		c, err := d.connect(ctx)
		if err != nil {
			return nil, err
		}
		conn, err := c.Dial("unix", d.path)
		if err == nil {
			return conn, nil
		}
		var oce *ssh.OpenChannelError
		if errors.As(err, &oce) {
			return nil, fmt.Errorf("%s is reachable but cannot open %s on the host (%s): is the Podman service running there? Enable it on the host with `systemctl --user enable --now podman.socket` (or `sudo systemctl enable --now podman.socket` for /run/podman/podman.sock)", d.display, d.path, oce.Message)
		}
		// The SSH connection itself broke (host rebooted, network): log in again once.
		d.drop(c)
		if attempt > 0 {
			return nil, fmt.Errorf("%s: %w", d.display, err)
		}
	}
}

func (d *sshDialer) drop(c *ssh.Client) {
	d.mu.Lock()
	if d.client == c {
		d.client = nil
	}
	d.mu.Unlock()
	c.Close()
}

func (d *sshDialer) connect(ctx context.Context) (*ssh.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.client != nil {
		return d.client, nil
	}
	cfg, cleanup, err := d.clientConfig()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", d.display, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	sc, chans, reqs, err := ssh.NewClientConn(conn, d.addr, cfg)
	if err != nil {
		conn.Close()
		return nil, d.explain(err)
	}
	conn.SetDeadline(time.Time{})
	d.client = ssh.NewClient(sc, chans, reqs)
	go func(c *ssh.Client) { c.Wait(); d.drop(c) }(d.client)
	return d.client, nil
}

// HostKeyError is a host key that is not known or does not match known_hosts.
type HostKeyError struct {
	Host, KnownHosts, Fingerprint string
	Mismatch                      bool
	Line                          int
}

func (e *HostKeyError) Error() string {
	host := knownhosts.Normalize(e.Host)
	if e.Mismatch {
		return fmt.Sprintf("the host key of %s (%s) does NOT match the one in %s line %d; refusing to connect. The host may have been reinstalled, or someone may be intercepting the connection. "+
			"If you know the key changed, remove the old entry with `ssh-keygen -f %s -R '%s'` and add the new one (check its fingerprint first)",
			e.Host, e.Fingerprint, e.KnownHosts, e.Line, e.KnownHosts, host)
	}
	h, p, _ := net.SplitHostPort(e.Host)
	return fmt.Sprintf("the host key of %s (%s) is not in %s; refusing to connect to an unknown host. Check the fingerprint with the host's administrator, then add it: "+
		"`ssh-keyscan -p %s %s >> %s` (or connect once with `ssh -p %s user@%s` and accept it), or name another file with --podman-known-hosts",
		e.Host, e.Fingerprint, e.KnownHosts, p, h, e.KnownHosts, p, h)
}

func (d *sshDialer) knownHostsFile() string {
	if d.opts.KnownHosts != "" {
		return expandHome(d.opts.KnownHosts, d.opts.Home)
	}
	return filepath.Join(d.opts.Home, ".ssh", "known_hosts")
}

func (d *sshDialer) clientConfig() (*ssh.ClientConfig, func(), error) {
	cleanup := func() {}
	khFile := d.knownHostsFile()
	if _, err := os.Stat(khFile); err != nil {
		h, p, _ := net.SplitHostPort(d.addr)
		return nil, cleanup, fmt.Errorf("cannot check the host key of %s: no known_hosts file at %s. Add the host's key with `ssh-keyscan -p %s %s >> %s` (after checking its fingerprint), or name the file with --podman-known-hosts", d.display, khFile, p, h, khFile)
	}
	kh, err := knownhosts.New(khFile)
	if err != nil {
		return nil, cleanup, fmt.Errorf("known_hosts %s: %w", khFile, err)
	}
	check := func(host string, remote net.Addr, key ssh.PublicKey) error {
		err := kh(host, remote, key)
		var ke *knownhosts.KeyError
		if errors.As(err, &ke) {
			he := &HostKeyError{Host: host, KnownHosts: khFile, Fingerprint: ssh.FingerprintSHA256(key), Mismatch: len(ke.Want) > 0}
			if he.Mismatch {
				he.Line = ke.Want[0].Line
			}
			return he
		}
		return err
	}

	var methods []ssh.AuthMethod
	var tried []string
	if d.opts.Identity != "" {
		file := expandHome(d.opts.Identity, d.opts.Home)
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, cleanup, fmt.Errorf("ssh identity file: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		var pm *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &pm):
			return nil, cleanup, fmt.Errorf("the ssh key %s is protected by a passphrase, and image-mcp cannot ask for it (stdin carries MCP): load it into ssh-agent with `ssh-add %s` and leave the identity unset, so image-mcp uses the agent (SSH_AUTH_SOCK)", file, file)
		case err != nil:
			return nil, cleanup, fmt.Errorf("ssh identity file %s: %w", file, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
		tried = append(tried, "the key "+file)
	}
	if d.opts.AgentSock != "" {
		if ac, err := net.Dial("unix", d.opts.AgentSock); err == nil {
			cleanup = func() { ac.Close() }
			methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(ac).Signers))
			tried = append(tried, "the keys of ssh-agent ("+d.opts.AgentSock+")")
		}
	}
	if len(methods) == 0 {
		return nil, cleanup, fmt.Errorf("no ssh key to log in to %s: give one with --podman-identity or CONTAINER_SSHKEY, in the connection's identity, or run ssh-agent (SSH_AUTH_SOCK) with the key added", d.display)
	}
	d.tried = strings.Join(tried, " and ")
	cfg := &ssh.ClientConfig{
		User:            d.user,
		Auth:            methods,
		HostKeyCallback: check,
		Timeout:         20 * time.Second,
	}
	// Ask the server for a key type known_hosts has, so a host with several keys is
	// checked against the one we know rather than refused.
	cfg.HostKeyAlgorithms = knownAlgorithms(kh, d.addr)
	return cfg, cleanup, nil
}

// knownAlgorithms lists the host key algorithms known_hosts holds for addr (none: any).
func knownAlgorithms(kh ssh.HostKeyCallback, addr string) []string {
	probe, err := ssh.NewPublicKey(ed25519Zero)
	if err != nil {
		return nil
	}
	err = kh(addr, &net.TCPAddr{IP: net.IPv4zero}, probe)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				algos = append(algos, x)
			}
		}
	}
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			add(t)
		}
	}
	return algos
}

func (d *sshDialer) explain(err error) error {
	var he *HostKeyError
	if errors.As(err, &he) {
		return fmt.Errorf("%s: %w", d.display, he)
	}
	if strings.Contains(err.Error(), "unable to authenticate") {
		return fmt.Errorf("%s refused the login as %q (tried %s): add the public key to ~%s/.ssh/authorized_keys on the host, or give the right key with --podman-identity or CONTAINER_SSHKEY (%v)", d.display, d.user, d.tried, d.user, err)
	}
	return fmt.Errorf("ssh handshake with %s failed: %w", d.display, err)
}
