package capabilities

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// applyCorrections gives the tools the names their corrections give them, then corrects
// each tool, in name order; the first problem found is the one reported.
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
		t, ok := tools[name]
		if !ok {
			return &Problem{File: cfile, Tool: name, Msg: "no such tool in " + file}
		}
		if t.Seed != "" && t.Seed != name {
			return &Problem{File: cfile, Tool: name, Msg: fmt.Sprintf("the corrections of a renamed tool are under its seed name, %q", t.Seed)}
		}
		f := &toolFix{t: t, c: corr.Tools[name], file: file, tools: tools, display: corr.Display,
			bad: func(field, format string, a ...any) error {
				return &Problem{File: cfile, Tool: name, Field: field, Msg: fmt.Sprintf(format, a...)}
			}}
		if err := f.apply(); err != nil {
			return err
		}
	}
	return nil
}

// toolFix applies one tool's correction. Its steps run in a fixed order, as later checks
// read what earlier steps set (roles, added arguments, the confirm rule).
type toolFix struct {
	t       *Tool
	c       ToolCorrection
	file    string           // the spec file, named when argumentsAs finds no tool in it
	tools   map[string]*Tool // the capability's tools by either name, for argumentsAs
	display string           // the upstream's name, in the version note of a description
	bad     func(field, format string, a ...any) error
}

func (f *toolFix) apply() error {
	for _, step := range []func() error{
		f.header, f.arguments, f.argumentsAs, f.added, f.urlRoles, f.paging,
		f.confirm, f.ask, f.requireOneOf, f.registryAuth, f.fileResponse,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// header: the title, the description, the hints and how the answer is read.
func (f *toolFix) header() error {
	t, c := f.t, f.c
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
		return f.bad("response", "unknown %q (want json, exists, ndjson or file)", c.Response)
	}
	t.Response = cmp.Or(c.Response, t.Response)
	if c.MinVersion != "" && !validVersion(c.MinVersion) {
		return f.bad("minVersion", "%q is not a version like 5.7.0", c.MinVersion)
	}
	t.MinVersion, t.Instead = c.MinVersion, c.Instead
	t.ErrorsAt = c.ErrorsAt
	t.ErrorHints = c.ErrorHints
	return nil
}

// arguments corrects the spec's arguments, in name order.
func (f *toolFix) arguments() error {
	for _, an := range slices.Sorted(maps.Keys(f.c.Arguments)) {
		if err := f.argument(an, f.c.Arguments[an]); err != nil {
			return err
		}
	}
	return nil
}

func (f *toolFix) argument(an string, ac ArgumentCorrection) error {
	a := f.t.Arg(an)
	if a == nil {
		return f.bad("arguments."+an, "the tool has no such argument")
	}
	if !ac.Role.Known() {
		return f.bad("arguments."+an+".role", "unknown role %q", ac.Role)
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
			return f.bad("arguments."+an+".minVersion", "%q is not a version like 5.7.0", ac.MinVersion)
		}
		if ac.Default != nil {
			return f.bad("arguments."+an+".minVersion", "an argument with a default is always sent; it cannot need a newer version")
		}
		a.MinVersion = ac.MinVersion
		// Said in the schema too, so a model does not pick an argument the connected
		// upstream lacks.
		a.Description = strings.TrimSpace(fmt.Sprintf("%s (%s %s+)", a.Description, cmp.Or(f.display, "upstream"), ac.MinVersion))
	}
	switch ac.Default.(type) {
	case nil, string, bool, int, float64:
		a.Default = ac.Default
	default:
		return f.bad("arguments."+an+".default", "must be a scalar")
	}
	return nil
}

// argumentsAs drops the seed descriptions of the arguments another tool already gives,
// unless a correction gave one.
func (f *toolFix) argumentsAs() error {
	if f.c.ArgumentsAs == "" {
		return nil
	}
	other, ok := f.tools[f.c.ArgumentsAs] // by its seed name or its own
	if !ok || other == f.t {
		return f.bad("argumentsAs", "%q is not another tool of %s", f.c.ArgumentsAs, f.file)
	}
	for _, a := range f.t.Args {
		if _, corrected := f.c.Arguments[a.Name]; !corrected && other.Arg(a.Name) != nil {
			a.Description = ""
		}
	}
	return nil
}

// added appends the arguments the spec lacks; they are never sent upstream.
func (f *toolFix) added() error {
	for i, ad := range f.c.Added {
		field := fmt.Sprintf("added[%d]", i)
		switch {
		case ad.Name == "":
			return f.bad(field+".name", "missing")
		case f.t.Arg(ad.Name) != nil:
			return f.bad(field+".name", "%q is already an argument", ad.Name)
		case !knownTypes[ad.Type]:
			return f.bad(field+".type", "unknown type %q", ad.Type)
		case !ad.Role.Known() || ad.Role == "":
			return f.bad(field+".role", "unknown role %q (want input-file, context-dir, output-file, overwrite, fields or offset)", ad.Role)
		case ad.Role.OnHost():
			return f.bad(field+".role", "role %s is for an argument the upstream reads; an added one is never sent", ad.Role)
		}
		if ad.Description == "" && ad.Role == RoleOffset {
			ad.Description = "Items to skip, as a cut answer says."
		}
		f.t.Args = append(f.t.Args, &Argument{Name: ad.Name, Type: ad.Type, Description: ad.Description, Required: ad.Required, Role: ad.Role, List: ad.List, PageSize: ad.PageSize})
	}
	return nil
}

func (f *toolFix) urlRoles() error {
	for _, an := range slices.Sorted(maps.Keys(f.c.Arguments)) {
		if err := checkURLRole(f.t, f.t.Arg(an), f.c.Arguments[an], func(field, format string, args ...any) error {
			return f.bad("arguments."+an+"."+field, format, args...)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (f *toolFix) paging() error { return checkPaging(f.t, f.bad) }

func (f *toolFix) confirm() error {
	cr := f.c.Confirm
	if cr == nil {
		return nil
	}
	if a := f.t.Arg(cr.Argument); a == nil || a.Type != "boolean" {
		return f.bad("confirm.argument", "%q is not a boolean argument of the tool", cr.Argument)
	}
	if cr.Scope != "" && f.t.Arg(cr.Scope) == nil {
		return f.bad("confirm.scope", "%q is not an argument of the tool", cr.Scope)
	}
	f.t.Confirm = cr
	return nil
}

func (f *toolFix) ask() error { return checkAsk(f.t, f.c.Ask, f.bad) }

func (f *toolFix) requireOneOf() error {
	for _, n := range f.c.RequireOneOf {
		if f.t.Arg(n) == nil {
			return f.bad("requireOneOf", "%q is not an argument of the tool", n)
		}
	}
	f.t.RequireOneOf = f.c.RequireOneOf
	return nil
}

func (f *toolFix) registryAuth() error {
	ra := f.c.RegistryAuth
	if ra == nil {
		return nil
	}
	if h := f.t.Arg(ra.Header); h == nil || h.In != "header" {
		return f.bad("registryAuth.header", "%q is not a header argument of the tool", ra.Header)
	}
	if len(ra.Reference) == 0 && !ra.All {
		return f.bad("registryAuth.reference", "name the argument(s) holding the image reference, or set all: true")
	}
	for _, r := range ra.Reference {
		if f.t.Arg(r) == nil {
			return f.bad("registryAuth.reference", "%q is not an argument of the tool", r)
		}
	}
	f.t.RegistryAuth = ra
	return nil
}

func (f *toolFix) fileResponse() error {
	if f.t.Response == ResponseFile && f.t.ArgWithRole(RoleOutputFile) == nil {
		return f.bad("response", "file responses need an argument with role output-file")
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

var versionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// validVersion: a version gate is a plain major.minor.patch, compared number by number.
func validVersion(v string) bool { return versionRE.MatchString(v) }
