package capabilities

// Capability is a loaded, validated spec with its corrections applied: what the tool
// engine works from. Nothing here is re-parsed per call.
type Capability struct {
	File       string // spec file name, for messages
	Display    string // the upstream's name in messages
	Toolset    string
	Upstream   UpstreamKind
	BaseURI    string
	Auth       *Authentication
	Binds      map[string]string // template name → environment variable
	ErrorHints map[int]string
	Tools      []*Tool
	Prompts    []PromptDef // declared in the corrections file
	// Completions of the prompts' arguments, declared in the corrections file.
	Completions map[string][]CompletionSource
	Builtin     bool // embedded in the binary, not a --capability file
}

// Tool is one MCP tool, resolved down to the HTTP operation it calls.
type Tool struct {
	Name string
	// Seed is the seed spec's name when the corrections rename the tool ("" when not):
	// still accepted wherever a tool is named, never listed.
	Seed        string
	Title       string
	Description string
	Capability  *Capability
	Method      string
	Path        string // template with {name} segments
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   *bool
	Args        []*Argument
	ErrorsAt    string // gjson path of failures inside a 2xx JSON answer
	Response    ResponseKind
	MinVersion  string
	Instead     string
	Confirm     *ConfirmRule
	Ask         []AskRule
	// ErrorHints per HTTP status, before the capability's.
	ErrorHints   map[int]string
	RegistryAuth *RegistryAuthRule
	RequireOneOf []string
}

// Argument is one tool argument and where its value goes.
type Argument struct {
	Name        string // the tool argument's name
	Wire        string // the consumed parameter's name; "" for local (added) arguments
	In          string // query, path, header, body; "" for local arguments
	Type        string
	Description string
	Required    bool
	Enum        []string
	Role        Role
	Default     any    // sent when the call does not give the argument
	List        string // role offset: the gjson path of the paged list ("" = the answer)
	PageSize    int    // role limit: the upstream's page when the limit is not given
	MinVersion  string // the first upstream version that reads it; "" for every version
	// URLPrefixes: roles url and build-contexts, what the upstream fetches as a URL.
	URLPrefixes []string
	// FilesArg: role url, the argument that takes local files instead (named when a
	// path is refused).
	FilesArg string
}

// Arg finds an argument by name.
func (t *Tool) Arg(name string) *Argument {
	for _, a := range t.Args {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// ArgWithRole finds the argument with a role, if the tool has one.
func (t *Tool) ArgWithRole(role Role) *Argument {
	for _, a := range t.Args {
		if a.Role == role {
			return a
		}
	}
	return nil
}
