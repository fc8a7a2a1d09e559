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

func val(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
