package capabilities

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

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

// Problem is a spec or corrections file that cannot be used.
type Problem struct {
	File  string
	Tool  string
	Field string
	Msg   string

	call  string // the operation a problem of the consumes block is about
	where string // for YAML decoding problems: where, said after the decoder's own message
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Tool != "" && p.call == "" && p.where == "" {
		fmt.Fprintf(&b, ": tool %q", p.Tool)
	}
	if p.Field != "" && p.where == "" {
		fmt.Fprintf(&b, ": %s", p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	switch {
	case p.where != "":
		fmt.Fprintf(&b, " (%s)", p.where)
	case p.call != "" && strings.Contains(p.Tool, ", "):
		fmt.Fprintf(&b, " (tools %s call it)", p.Tool)
	case p.call != "" && p.Tool != "":
		fmt.Fprintf(&b, " (tool %q calls it)", p.Tool)
	}
	return b.String()
}

var (
	toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
	methods    = map[string]bool{http.MethodGet: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true, http.MethodHead: true}
)

// Load parses and validates a spec and its corrections (which may be nil for a capability
// that needs none), returning the resolved capability or a *Problem naming the file, the
// tool and the field that is wrong.
func Load(file string, specData, correctionsData []byte) (*Capability, error) {
	var spec Spec
	if err := yaml.Unmarshal(specData, &spec); err != nil {
		return nil, &Problem{File: file, Msg: "not a valid YAML capability: " + err.Error()}
	}
	var corr Corrections
	if len(correctionsData) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(correctionsData))
		dec.KnownFields(true)
		if err := dec.Decode(&corr); err != nil {
			return nil, correctionsProblem(correctionsFile(file), correctionsData, err, &corr)
		}
	}
	return resolve(file, &spec, &corr)
}

func correctionsFile(spec string) string {
	return strings.TrimSuffix(spec, ".yaml") + ".corrections.yaml"
}

func resolve(file string, spec *Spec, corr *Corrections) (*Capability, error) {
	bad := func(tool, field, format string, a ...any) error {
		return &Problem{File: file, Tool: tool, Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	if spec.Naftiko == "" {
		return nil, bad("", "naftiko", "missing: not a Naftiko capability")
	}
	if len(spec.Capability.Consumes) == 0 {
		return nil, bad("", "capability.consumes", "no consumed API")
	}
	var mcpTools []ToolDef
	for _, e := range spec.Capability.Exposes {
		if e.Type == "mcp" {
			mcpTools = append(mcpTools, e.Tools...)
		}
	}
	ops := map[string]*opRef{}
	for ci := range spec.Capability.Consumes {
		c := &spec.Capability.Consumes[ci]
		if c.Namespace == "" {
			return nil, bad("", fmt.Sprintf("capability.consumes[%d].namespace", ci), "missing")
		}
		if err := checkOperations(file, c, ops); err != nil {
			return nil, nameCallers(err, mcpTools)
		}
	}
	if len(mcpTools) == 0 {
		return nil, bad("", "capability.exposes", "no `type: mcp` adapter with tools")
	}

	first := spec.Capability.Consumes[0]
	capab := &Capability{
		File:        file,
		Display:     cmp.Or(corr.Display, first.Namespace),
		Toolset:     cmp.Or(corr.Toolset, first.Namespace),
		Upstream:    cmp.Or(corr.Upstream, UpstreamHTTP),
		BaseURI:     cmp.Or(corr.BaseURI, first.BaseURI),
		Auth:        first.Authentication,
		Binds:       map[string]string{},
		ErrorHints:  corr.ErrorHints,
		Prompts:     corr.Prompts,
		Completions: corr.Completions,
	}
	if !capab.Upstream.Known() {
		return nil, &Problem{File: correctionsFile(file), Field: "upstream", Msg: fmt.Sprintf("unknown %q (want podman, central or http)", capab.Upstream)}
	}
	for _, b := range spec.Binds {
		for k, v := range b.Keys {
			capab.Binds[k] = v
		}
	}

	seen := map[string]bool{}
	for i := range mcpTools {
		td := &mcpTools[i]
		if !toolNameRE.MatchString(td.Name) {
			return nil, bad(td.Name, "name", "must be 1-128 characters of A-Z a-z 0-9 _ - .")
		}
		if seen[td.Name] {
			return nil, bad(td.Name, "name", "duplicate tool name")
		}
		seen[td.Name] = true
		ref, ok := ops[td.Call]
		if !ok {
			return nil, bad(td.Name, "call", "%q names no consumed operation (want <namespace>.<operation>)", td.Call)
		}
		t, err := buildTool(file, capab, td, ref)
		if err != nil {
			return nil, err
		}
		capab.Tools = append(capab.Tools, t)
	}
	if err := applyCorrections(file, capab, corr); err != nil {
		return nil, err
	}
	return capab, nil
}

// nameCallers names the tools that call a broken operation, so the message says which
// tool cannot work, not only which operation.
func nameCallers(err error, tools []ToolDef) error {
	p, ok := err.(*Problem)
	if !ok || p.call == "" || p.Tool != "" {
		return err
	}
	var names []string
	for _, td := range tools {
		if td.Call == p.call {
			names = append(names, td.Name)
		}
	}
	p.Tool = strings.Join(names, ", ")
	return p
}

type opRef struct {
	path string
	op   *Operation
}

func checkOperations(file string, c *Consumes, ops map[string]*opRef) error {
	for ri := range c.Resources {
		r := &c.Resources[ri]
		vars := map[string]bool{}
		for _, m := range Placeholder.FindAllStringSubmatch(r.Path, -1) {
			vars[m[1]] = true
		}
		for oi := range r.Operations {
			op := &r.Operations[oi]
			where := fmt.Sprintf("operation %s.%s", c.Namespace, op.Name)
			key := c.Namespace + "." + op.Name
			if !methods[strings.ToUpper(op.Method)] {
				return &Problem{call: key, File: file, Field: where + ".method", Msg: fmt.Sprintf("unknown HTTP method %q", op.Method)}
			}
			names := map[string]bool{}
			for _, p := range op.InputParameters {
				field := fmt.Sprintf("%s.inputParameters[%s]", where, p.Name)
				switch {
				case p.Name == "":
					return &Problem{call: key, File: file, Field: where + ".inputParameters", Msg: "a parameter has no name"}
				case names[p.Name]:
					return &Problem{call: key, File: file, Field: field, Msg: "duplicate parameter"}
				case !knownIn[p.In]:
					return &Problem{call: key, File: file, Field: field + ".in", Msg: fmt.Sprintf("unsupported location %q (want query, path, header or body)", p.In)}
				case !knownTypes[p.Type]:
					return &Problem{call: key, File: file, Field: field + ".type", Msg: fmt.Sprintf("unknown parameter type %q (want string, integer, number, boolean, array or object)", p.Type)}
				case p.In == "path" && !vars[p.Name]:
					return &Problem{call: key, File: file, Field: field, Msg: fmt.Sprintf("path parameter not in path %q", r.Path)}
				}
				names[p.Name] = true
			}
			for v := range vars {
				if !names[v] {
					return &Problem{call: key, File: file, Field: where, Msg: fmt.Sprintf("path %q has {%s} but no path parameter of that name", r.Path, v)}
				}
			}
			if _, dup := ops[key]; dup {
				return &Problem{call: key, File: file, Field: where, Msg: "duplicate operation name"}
			}
			ops[key] = &opRef{path: r.Path, op: op}
		}
	}
	return nil
}

func buildTool(file string, capab *Capability, td *ToolDef, ref *opRef) (*Tool, error) {
	h := td.Hints
	t := &Tool{
		Name:        td.Name,
		Title:       td.Name,
		Description: td.Description,
		Capability:  capab,
		Method:      strings.ToUpper(ref.op.Method),
		Path:        ref.path,
		ReadOnly:    val(h.ReadOnly, false),
		Idempotent:  val(h.Idempotent, false),
		OpenWorld:   h.OpenWorld,
		Response:    ResponseJSON,
	}
	// MCP's default for destructiveHint is true; a spec that says nothing gets it.
	t.Destructive = val(h.Destructive, !t.ReadOnly)
	if t.Description == "" {
		t.Description = ref.op.Description
	}
	mapped := map[string]string{}
	for param, src := range td.With {
		name, ok := strings.CutPrefix(src, "tools.")
		if !ok || name == "" {
			return nil, &Problem{File: file, Tool: td.Name, Field: "with." + param, Msg: fmt.Sprintf("%q must be tools.<argument>", src)}
		}
		mapped[param] = name
	}
	args := map[string]bool{}
	for _, p := range ref.op.InputParameters {
		name, ok := mapped[p.Name]
		if !ok {
			if p.Required {
				return nil, &Problem{File: file, Tool: td.Name, Field: "with", Msg: fmt.Sprintf("required parameter %q of %s is not mapped", p.Name, td.Call)}
			}
			continue
		}
		delete(mapped, p.Name)
		if args[name] {
			return nil, &Problem{File: file, Tool: td.Name, Field: "with." + p.Name, Msg: fmt.Sprintf("argument %q is mapped twice", name)}
		}
		args[name] = true
		t.Args = append(t.Args, &Argument{
			Name: name, Wire: p.Name, In: p.In, Type: p.Type,
			Description: p.Description, Required: p.Required,
		})
	}
	if len(mapped) > 0 {
		left := slices.Sorted(maps.Keys(mapped))
		return nil, &Problem{File: file, Tool: td.Name, Field: "with." + left[0], Msg: fmt.Sprintf("%s has no parameter %q", td.Call, left[0])}
	}
	return t, nil
}

func applyCorrections(file string, capab *Capability, corr *Corrections) error {
	cfile := correctionsFile(file)
	tools := map[string]*Tool{}
	for _, t := range capab.Tools {
		tools[t.Name] = t
	}
	if err := rename(file, tools, corr); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(corr.Tools)) {
		c := corr.Tools[name]
		t, ok := tools[name]
		if !ok {
			return &Problem{File: cfile, Tool: name, Msg: "no such tool in " + file}
		}
		if t.Seed != "" && t.Seed != name {
			return &Problem{File: cfile, Tool: name, Msg: fmt.Sprintf("the corrections of a renamed tool are under its seed name, %q", t.Seed)}
		}
		bad := func(field, format string, a ...any) error {
			return &Problem{File: cfile, Tool: name, Field: field, Msg: fmt.Sprintf(format, a...)}
		}
		t.Title = cmp.Or(c.Title, t.Title)
		t.Description = cmp.Or(c.Description, t.Description)
		if c.Hints.ReadOnly != nil {
			t.ReadOnly = *c.Hints.ReadOnly
		}
		if c.Hints.Destructive != nil {
			t.Destructive = *c.Hints.Destructive
		}
		if c.Hints.Idempotent != nil {
			t.Idempotent = *c.Hints.Idempotent
		}
		if c.Hints.OpenWorld != nil {
			t.OpenWorld = c.Hints.OpenWorld
		}
		if !knownResponses[c.Response] {
			return bad("response", "unknown %q (want json, exists, ndjson or file)", c.Response)
		}
		t.Response = cmp.Or(c.Response, t.Response)
		if c.MinVersion != "" && !validVersion(c.MinVersion) {
			return bad("minVersion", "%q is not a version like 5.7.0", c.MinVersion)
		}
		t.MinVersion, t.Instead = c.MinVersion, c.Instead
		t.ErrorsAt = c.ErrorsAt
		for _, an := range slices.Sorted(maps.Keys(c.Arguments)) {
			ac := c.Arguments[an]
			a := t.Arg(an)
			if a == nil {
				return bad("arguments."+an, "the tool has no such argument")
			}
			if !ac.Role.Known() {
				return bad("arguments."+an+".role", "unknown role %q", ac.Role)
			}
			if ac.Description != nil {
				a.Description = *ac.Description
			}
			if ac.Required != nil {
				a.Required = *ac.Required
			}
			if ac.Enum != nil {
				a.Enum = ac.Enum
			}
			a.Role = cmp.Or(ac.Role, a.Role)
			a.List, a.PageSize = ac.List, ac.PageSize
			if ac.MinVersion != "" {
				if !validVersion(ac.MinVersion) {
					return bad("arguments."+an+".minVersion", "%q is not a version like 5.7.0", ac.MinVersion)
				}
				if ac.Default != nil {
					return bad("arguments."+an+".minVersion", "an argument with a default is always sent; it cannot need a newer version")
				}
				a.MinVersion = ac.MinVersion
				// Said in the schema too, so a model does not pick an argument the connected
				// upstream lacks.
				a.Description = strings.TrimSpace(fmt.Sprintf("%s (%s %s+)", a.Description, cmp.Or(corr.Display, "upstream"), ac.MinVersion))
			}
			switch ac.Default.(type) {
			case nil, string, bool, int, float64:
				a.Default = ac.Default
			default:
				return bad("arguments."+an+".default", "must be a scalar")
			}
		}
		if c.ArgumentsAs != "" {
			other, ok := tools[c.ArgumentsAs] // by its seed name or its own
			if !ok || other == t {
				return bad("argumentsAs", "%q is not another tool of %s", c.ArgumentsAs, file)
			}
			for _, a := range t.Args {
				if _, corrected := c.Arguments[a.Name]; !corrected && other.Arg(a.Name) != nil {
					a.Description = ""
				}
			}
		}
		for i, ad := range c.Added {
			field := fmt.Sprintf("added[%d]", i)
			switch {
			case ad.Name == "":
				return bad(field+".name", "missing")
			case t.Arg(ad.Name) != nil:
				return bad(field+".name", "%q is already an argument", ad.Name)
			case !knownTypes[ad.Type]:
				return bad(field+".type", "unknown type %q", ad.Type)
			case !ad.Role.Known() || ad.Role == "":
				return bad(field+".role", "unknown role %q (want input-file, context-dir, output-file, overwrite, fields or offset)", ad.Role)
			case ad.Role.OnHost():
				return bad(field+".role", "role %s is for an argument the upstream reads; an added one is never sent", ad.Role)
			}
			if ad.Description == "" && ad.Role == RoleOffset {
				ad.Description = "Items to skip, as a cut answer says."
			}
			t.Args = append(t.Args, &Argument{Name: ad.Name, Type: ad.Type, Description: ad.Description, Required: ad.Required, Role: ad.Role, List: ad.List, PageSize: ad.PageSize})
		}
		for _, an := range slices.Sorted(maps.Keys(c.Arguments)) {
			if err := checkURLRole(t, t.Arg(an), c.Arguments[an], func(field, format string, args ...any) error {
				return bad("arguments."+an+"."+field, format, args...)
			}); err != nil {
				return err
			}
		}
		if err := checkPaging(t, bad); err != nil {
			return err
		}
		if c.Confirm != nil {
			a := t.Arg(c.Confirm.Argument)
			if a == nil || a.Type != "boolean" {
				return bad("confirm.argument", "%q is not a boolean argument of the tool", c.Confirm.Argument)
			}
			if c.Confirm.Scope != "" && t.Arg(c.Confirm.Scope) == nil {
				return bad("confirm.scope", "%q is not an argument of the tool", c.Confirm.Scope)
			}
			t.Confirm = c.Confirm
		}
		if err := checkAsk(t, c.Ask, bad); err != nil {
			return err
		}
		t.ErrorHints = c.ErrorHints
		for _, n := range c.RequireOneOf {
			if t.Arg(n) == nil {
				return bad("requireOneOf", "%q is not an argument of the tool", n)
			}
		}
		t.RequireOneOf = c.RequireOneOf
		if ra := c.RegistryAuth; ra != nil {
			if h := t.Arg(ra.Header); h == nil || h.In != "header" {
				return bad("registryAuth.header", "%q is not a header argument of the tool", ra.Header)
			}
			if len(ra.Reference) == 0 && !ra.All {
				return bad("registryAuth.reference", "name the argument(s) holding the image reference, or set all: true")
			}
			for _, r := range ra.Reference {
				if t.Arg(r) == nil {
					return bad("registryAuth.reference", "%q is not an argument of the tool", r)
				}
			}
			t.RegistryAuth = ra
		}
		if t.Response == ResponseFile && t.ArgWithRole(RoleOutputFile) == nil {
			return bad("response", "file responses need an argument with role output-file")
		}
	}
	return nil
}

// checkURLRole: an argument whose values may be URLs the upstream fetches says which
// (urlPrefixes); a url argument may name the argument that takes local files instead.
func checkURLRole(t *Tool, a *Argument, ac ArgumentCorrection, bad func(field, format string, a ...any) error) error {
	urls := a.Role == RoleURL || a.Role == RoleBuildContexts
	switch {
	case urls && len(ac.URLPrefixes) == 0:
		return bad("urlPrefixes", "role %s needs the prefixes of the URLs the upstream fetches (e.g. https://)", a.Role)
	case !urls && len(ac.URLPrefixes) > 0:
		return bad("urlPrefixes", "only for roles url and build-contexts")
	case ac.FilesArg != "" && a.Role != RoleURL:
		return bad("filesArg", "only for role url")
	case ac.FilesArg != "" && t.Arg(ac.FilesArg) == nil:
		return bad("filesArg", "%q is not an argument of the tool", ac.FilesArg)
	}
	a.URLPrefixes, a.FilesArg = ac.URLPrefixes, ac.FilesArg
	return nil
}

// rename gives the tools the names their corrections give them, keeping the seed's as
// Seed; tools then holds both names of a renamed tool. A name must be new: no other
// tool's name, seed or not.
func rename(file string, tools map[string]*Tool, corr *Corrections) error {
	cfile := correctionsFile(file)
	taken := map[string]string{} // name → the seed name of the tool that has it
	for n := range tools {
		taken[n] = n
	}
	for _, seed := range slices.Sorted(maps.Keys(corr.Tools)) {
		name := corr.Tools[seed].Name
		t, ok := tools[seed]
		if name == "" || name == seed || !ok {
			continue // an unknown tool is reported with its other corrections
		}
		if !toolNameRE.MatchString(name) {
			return &Problem{File: cfile, Tool: seed, Field: "name", Msg: fmt.Sprintf("%q must be 1-128 characters of A-Z a-z 0-9 _ - .", name)}
		}
		if other, dup := taken[name]; dup {
			return &Problem{File: cfile, Tool: seed, Field: "name", Msg: fmt.Sprintf("%q is already the name of tool %q", name, other)}
		}
		taken[name] = seed
		t.Name, t.Seed = name, seed
		if t.Title == seed {
			t.Title = name
		}
	}
	for _, t := range slices.Collect(maps.Values(tools)) {
		tools[t.Name] = t
	}
	return nil
}

// checkPaging: at most one offset, an integer; a limit only beside an upstream offset.
func checkPaging(t *Tool, bad func(field, format string, a ...any) error) error {
	var offset, limit *Argument
	for _, a := range t.Args {
		var p **Argument
		switch a.Role {
		case RoleOffset:
			p = &offset
		case RoleLimit:
			p = &limit
		default:
			continue
		}
		if *p != nil {
			return bad("arguments", "%q and %q both have role %s; a tool has at most one", (*p).Name, a.Name, a.Role)
		}
		if a.Type != "integer" {
			return bad("arguments."+a.Name, "role %s needs type integer, not %q", a.Role, a.Type)
		}
		*p = a
	}
	if limit != nil && (offset == nil || offset.In == "") {
		return bad("arguments."+limit.Name, "role limit needs an upstream argument with role offset beside it")
	}
	return nil
}

func val(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

var versionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// validVersion: a version gate is a plain major.minor.patch, compared number by number.
func validVersion(v string) bool { return versionRE.MatchString(v) }
