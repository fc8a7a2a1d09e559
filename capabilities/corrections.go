package capabilities

import "strings"

// Corrections is everything image-mcp knows about a capability beyond its spec: one
// small data file per capability (`<spec>.corrections.yaml`), so the engine stays generic
// and every deviation from the seed is in one place.
type Corrections struct {
	// Display names the upstream in messages ("Podman", "StackRox Central").
	Display string `yaml:"display"`
	// Toolset is the name users select these tools by (--toolsets).
	Toolset string `yaml:"toolset"`
	// Upstream says how to reach the consumed API: "podman" (the Podman service: socket
	// discovery, API version prefix), "central" (StackRox Central from roxctl's settings)
	// or "http" (the spec's baseUri and authentication, values from its binds).
	Upstream UpstreamKind `yaml:"upstream"`
	// BaseURI replaces the spec's baseUri; for `upstream: http` capabilities.
	BaseURI string `yaml:"baseUri"`
	// ErrorHints are appended to an upstream error of that HTTP status.
	ErrorHints map[int]string `yaml:"errorHints"`
	// Tools corrects or extends tools by their spec name.
	Tools map[string]ToolCorrection `yaml:"tools"`
	// Prompts are MCP prompts over this capability's tools (and any other served tool).
	Prompts []PromptDef `yaml:"prompts"`
	// Completions are what its prompts' arguments complete with (see PromptFile).
	Completions map[string][]CompletionSource `yaml:"completions"`
}

// ToolCorrection corrects one tool. Empty fields leave the spec as it is.
type ToolCorrection struct {
	// Name is the name clients list and call, when the seed's is a cut-off sentence or
	// could be taken for another upstream's tool; the seed's name stays accepted wherever
	// a tool is named (tools/call, --enabled-tools, --disabled-tools, a prompt's tools),
	// without being listed. The key of this correction is still the seed's name.
	Name        string `yaml:"name"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Hints       Hints  `yaml:"hints"`
	// MinVersion is the first upstream version that serves the operation; an older
	// upstream gets a clear error instead of a request.
	MinVersion string `yaml:"minVersion"`
	// Instead tells the model what to use when the upstream is too old.
	Instead string `yaml:"instead"`
	// Response is how the answer is read: json (default), exists (2xx/404 → true/false),
	// ndjson (a stream of JSON objects, failures inside it), file (a stream saved to disk).
	Response ResponseKind `yaml:"response"`
	// ErrorsAt is the gjson path of failures reported inside a 2xx JSON answer (Podman's
	// remove of several images answers 200 with {"Errors": [...], "ExitCode": 1}); a
	// non-empty value there makes the call an isError that still shows the whole answer.
	ErrorsAt string `yaml:"errorsAt"`
	// Arguments corrects the spec's arguments by name.
	Arguments map[string]ArgumentCorrection `yaml:"arguments"`
	// ArgumentsAs names a tool of the same capability whose arguments of the same name
	// mean the same: this tool's seed descriptions of them are dropped (its description
	// says so), so tools/list does not carry them twice.
	ArgumentsAs string `yaml:"argumentsAs"`
	// Added are arguments the spec does not have (paths on this machine, output shaping).
	Added []ArgumentDef `yaml:"added"`
	// Confirm makes a destructive operation a dry run unless an argument confirms it.
	Confirm *ConfirmRule `yaml:"confirm"`
	// Ask makes a destructive call ask the person first, when the client can (see AskRule).
	Ask []AskRule `yaml:"ask"`
	// ErrorHints are appended to an upstream error of that HTTP status from this tool;
	// they take the place of the capability's hint for the same status.
	ErrorHints map[int]string `yaml:"errorHints"`
	// RequireOneOf: the call needs at least one of these arguments, non-empty (a blank
	// string, an empty array or false is not given) (e.g. a local context
	// directory or a remote URL).
	RequireOneOf []string `yaml:"requireOneOf"`
	// RegistryAuth fills a registry credentials header from the user's auth files when
	// the call does not carry one.
	RegistryAuth *RegistryAuthRule `yaml:"registryAuth"`
}

// RegistryAuthRule: when Header (a header argument of the tool) is not given, the
// credentials for the registry of the image named by the first non-empty argument of
// Reference are read from the containers auth files and sent in Header (base64url JSON,
// as Podman's X-Registry-Auth). With All, the credentials of every registry in the auth
// files go, as a map from registry to credentials (Podman's X-Registry-Config): a build's
// base images are named in its Containerfile, not in an argument. Credentials never
// appear in results or logs.
type RegistryAuthRule struct {
	Header    string   `yaml:"header"`
	Reference []string `yaml:"reference"`
	All       bool     `yaml:"all"`
}

// ArgumentCorrection corrects a spec argument.
type ArgumentCorrection struct {
	// Description replaces the seed's; "" drops it (for an argument its name explains).
	Description *string  `yaml:"description"`
	Required    *bool    `yaml:"required"`
	Enum        []string `yaml:"enum"`
	// Role gives the argument a meaning beyond the wire (see ArgumentDef.Role).
	Role Role `yaml:"role"`
	// Default is sent when the call does not give the argument (a scalar), e.g. to ask
	// an upstream for progress output it would otherwise leave out.
	Default any `yaml:"default"`
	// List and PageSize: see ArgumentDef. An upstream argument with role offset is still
	// sent: the upstream pages, image-mcp only says where the next part starts.
	List     string `yaml:"list"`
	PageSize int    `yaml:"pageSize"`
	// MinVersion is the first upstream version that reads this argument. Podman ignores a
	// query parameter it does not know, so a call that gives the argument to an older
	// upstream is refused with both versions named instead of silently losing it.
	MinVersion string `yaml:"minVersion"`
	// URLPrefixes (roles url and build-contexts) are the beginnings of the values the
	// upstream fetches as URLs (e.g. "https://"); a value of role url that has none of
	// them is refused, whatever the allowed directories: the upstream would read it as a
	// path on its own machine.
	URLPrefixes []string `yaml:"urlPrefixes"`
	// FilesArg (role url) names the argument that takes local files instead, for the
	// message that refuses a path.
	FilesArg string `yaml:"filesArg"`
}

// ArgumentDef is an argument this project adds to a tool.
type ArgumentDef struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
	// Role is what the engine does with the value instead of sending it:
	//   input-file   the request body is this file on this machine, streamed
	//   context-dir  the request body is a tar of this directory (ignore files honoured)
	//   output-file  the response body is streamed into this new file
	//   overwrite    a boolean: the output file may replace an existing one
	//   host-path    a path on the Podman service's machine, sent as usual; checked
	//                against the allowed directories when that machine is this one
	//   host-context-dir  a host-path that is a build context directory
	//   context-file a Containerfile in the build context (or a JSON array of them), sent
	//                as usual; with allowed directories, what Podman will read must lie
	//                inside the context, with no symlink on the way
	//   url          a URL the upstream fetches (see URLPrefixes); a path is refused
	//   build-contexts  additional build contexts: images, URLs, or host-paths
	//   fields       gjson paths that narrow a list answer
	//                (or, when they name its members, a single object)
	//   offset       items of List to skip; when the output budget cuts List, the notice
	//                gives the offset of the next part (an added argument: image-mcp
	//                skips them; an upstream one: the upstream does)
	//   limit        the upstream's page size argument, beside an upstream offset
	//   narrow       an upstream argument that makes an answer smaller (a query, filters),
	//                sent as usual; named, with fields and limit, when an answer is cut
	Role Role `yaml:"role"`
	// List is the gjson path of the list an offset counts in (empty: the answer itself);
	// a string there is paged by lines.
	List string `yaml:"list"`
	// PageSize is how many items the upstream answers when the limit is not given: a
	// full page of them may not be the end.
	PageSize int `yaml:"pageSize"`
}

// ConfirmRule: without Argument=true the upstream only reports what it would do.
type ConfirmRule struct {
	// Argument is the boolean argument that confirms the action.
	Argument string `yaml:"argument"`
	// Count is the gjson path of the number of affected items in the answer.
	Count string `yaml:"count"`
	// Scope is an argument whose blank value means "everything": refused unless confirmed.
	Scope string `yaml:"scope"`
	// Noun names what is affected, for messages ("images"); One is its singular
	// (default: Noun without a final "s").
	Noun string `yaml:"noun"`
	One  string `yaml:"one"`
}

// Counted is "1 image" or "3 images".
func (c *ConfirmRule) Counted(n string) string {
	if n != "1" {
		return n + " " + c.Noun
	}
	one := c.One
	if one == "" {
		one = strings.TrimSuffix(c.Noun, "s")
	}
	return n + " " + one
}

// ResponseKind is how an answer is read; the engine has one reader per kind.
type ResponseKind string

// Response kinds the engine understands.
const (
	ResponseJSON   ResponseKind = "json"
	ResponseExists ResponseKind = "exists"
	ResponseNDJSON ResponseKind = "ndjson"
	ResponseFile   ResponseKind = "file"
)

// Streams tells whether the answer is read as it arrives, for as long as it takes:
// no call timeout applies.
func (k ResponseKind) Streams() bool { return k == ResponseNDJSON || k == ResponseFile }

var (
	knownResponses = map[ResponseKind]bool{"": true, ResponseJSON: true, ResponseExists: true, ResponseNDJSON: true, ResponseFile: true}
)
