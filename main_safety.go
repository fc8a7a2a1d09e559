package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/image-mcp/image-mcp/capabilities"
	"github.com/image-mcp/image-mcp/internal/allowdirs"
	"github.com/image-mcp/image-mcp/prompts"
	"github.com/image-mcp/image-mcp/tools"
)

// safetyFlags are the tool filters, the confirmation setting, extra capabilities and
// --list-tools; each setting has one flag and one environment variable.
type safetyFlags struct {
	readOnly           *bool
	disableDestructive *bool
	toolsets           *string
	enabled            *string
	disabled           *string
	confirm            *string
	capabilities       []string
	listTools          *bool
	allowedDirs        *string
}

func registerSafetyFlags() *safetyFlags {
	s := &safetyFlags{
		readOnly:           flag.Bool("read-only", false, "serve only tools whose readOnlyHint is true (IMAGE_MCP_READ_ONLY)"),
		disableDestructive: flag.Bool("disable-destructive", false, "do not serve tools whose destructiveHint is true (IMAGE_MCP_DISABLE_DESTRUCTIVE)"),
		toolsets:           flag.String("toolsets", os.Getenv("IMAGE_MCP_TOOLSETS"), "comma-separated toolsets to serve, e.g. podman,stackrox; default all (IMAGE_MCP_TOOLSETS)"),
		enabled:            flag.String("enabled-tools", os.Getenv("IMAGE_MCP_ENABLED_TOOLS"), "comma-separated tool names: serve only these (IMAGE_MCP_ENABLED_TOOLS)"),
		disabled:           flag.String("disabled-tools", os.Getenv("IMAGE_MCP_DISABLED_TOOLS"), "comma-separated tool names not to serve (IMAGE_MCP_DISABLED_TOOLS)"),
		confirm:            flag.String("confirm-destructive", envOr("IMAGE_MCP_CONFIRM_DESTRUCTIVE", tools.ConfirmAllow), "when the client cannot ask the person (no elicitation), destructive calls that need a confirmation are: allow or deny (IMAGE_MCP_CONFIRM_DESTRUCTIVE)"),
		listTools:          flag.Bool("list-tools", false, "print the tools and prompts that would be served (after filters) and exit"),
		allowedDirs:        flag.String("allowed-dirs", "", "comma-separated directories that path arguments must be inside; wins over the client's roots (IMAGE_MCP_ALLOWED_DIRS, separated by "+string(os.PathListSeparator)+")"),
	}
	if env := os.Getenv("IMAGE_MCP_CAPABILITIES"); env != "" {
		s.capabilities = filepath.SplitList(env)
	}
	fromEnv := len(s.capabilities) > 0
	flag.Func("capability", "an extra Naftiko capability file to serve (repeatable; IMAGE_MCP_CAPABILITIES, separated by "+string(os.PathListSeparator)+")", func(v string) error {
		if fromEnv { // flags replace the environment's list
			s.capabilities, fromEnv = nil, false
		}
		s.capabilities = append(s.capabilities, v)
		return nil
	})
	return s
}

// filter reads the filter settings: a flag given on the command line wins over its
// environment variable.
func (s *safetyFlags) filter() (tools.Filter, error) {
	f := tools.Filter{
		Toolsets: tools.SplitList(*s.toolsets),
		Enabled:  tools.SplitList(*s.enabled),
		Disabled: tools.SplitList(*s.disabled),
	}
	if c := *s.confirm; c != tools.ConfirmAllow && c != tools.ConfirmDeny {
		return f, fmt.Errorf("--confirm-destructive %q: want allow or deny", c)
	}
	var err error
	if f.ReadOnly, err = boolSetting("read-only", "IMAGE_MCP_READ_ONLY", *s.readOnly); err != nil {
		return f, err
	}
	f.DisableDestructive, err = boolSetting("disable-destructive", "IMAGE_MCP_DISABLE_DESTRUCTIVE", *s.disableDestructive)
	return f, err
}

// loadCapabilities loads the extra capability files after the built-in ones.
func (s *safetyFlags) loadCapabilities(caps []*capabilities.Capability) ([]*capabilities.Capability, error) {
	for _, path := range s.capabilities {
		c, err := capabilities.LoadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--capability %s: %w", path, err)
		}
		caps = append(caps, c)
	}
	return caps, nil
}

// parseBuiltinPrompts parses the built-in prompts while the specs are parsed (YAML parsing
// is most of the start-up work); the function it returns waits for them.
func parseBuiltinPrompts() func() (capabilities.PromptFile, error) {
	type parsed struct {
		f   capabilities.PromptFile
		err error
	}
	ch := make(chan parsed, 1)
	go func() {
		f, err := capabilities.EmbeddedPrompts()
		ch <- parsed{f, err}
	}()
	return func() (capabilities.PromptFile, error) { p := <-ch; return p.f, p.err }
}

// loadPrompts takes the built-in prompts and those the capabilities' corrections files
// declare, checked against every tool there is (before filters).
func loadPrompts(builtinPrompts func() (capabilities.PromptFile, error), caps []*capabilities.Capability, all []*capabilities.Tool) ([]*prompts.Prompt, error) {
	builtin, err := builtinPrompts()
	if err != nil {
		return nil, err
	}
	files := []capabilities.PromptFile{builtin}
	for _, c := range caps {
		if len(c.Prompts) > 0 {
			files = append(files, c.PromptFile())
		}
	}
	return prompts.Load(files, all)
}

func boolSetting(name, env string, flagValue bool) (bool, error) {
	if flagGiven(name) {
		return flagValue, nil
	}
	v := strings.TrimSpace(os.Getenv(env))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", env, v)
	}
	return b, nil
}

func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// pathRule reads --allowed-dirs (comma-separated) or IMAGE_MCP_ALLOWED_DIRS (separated
// like PATH).
func (s *safetyFlags) pathRule() (*tools.PathRule, error) {
	dirs := filepath.SplitList(os.Getenv("IMAGE_MCP_ALLOWED_DIRS"))
	name := "IMAGE_MCP_ALLOWED_DIRS"
	if flagGiven("allowed-dirs") {
		dirs, name = strings.Split(*s.allowedDirs, ","), "--allowed-dirs"
	}
	resolved, err := allowdirs.Resolve(dirs)
	if err != nil {
		return &tools.PathRule{}, fmt.Errorf("%s: %w", name, err)
	}
	return &tools.PathRule{Flag: resolved}, nil
}
