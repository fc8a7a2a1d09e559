package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// userDocs are the Markdown files a user or developer reads: the README and docs/.
func userDocs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	for _, f := range append([]string{"README.md"}, files...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	return docs
}

var (
	linkRE       = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	inlineCodeRE = regexp.MustCompile("`[^`\n]*`")
	headingRE    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	// A repository path in inline code: a file (with an extension) or a glob of files
	// under one of the repository's top-level directories.
	repoPathRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.*-]+)+\.(go|ya?ml|md|sh|json|mod|svg)$`)
	// A Go name of the repository in inline code: package.Name, package.Type.Member, the
	// package as its import path's last element (`upstreamhttp.EncodeQuery`,
	// `internal/podmantest.ContainersConf`).
	goNameRE = regexp.MustCompile(`^(?:[a-z]+/)*([a-z]+)((?:\.[A-Z]\w*)+)$`)
)

// prose is a Markdown document without its fenced code blocks, by line number: links and
// headings there are text, not Markdown.
func prose(doc string) map[int]string {
	out := map[int]string{}
	fenced := false
	for i, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out[i+1] = line
		}
	}
	return out
}

// anchors are the fragment names GitHub gives a document's headings: lower case, spaces
// as hyphens, other punctuation dropped, a repeated name numbered.
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	lines := prose(doc)
	for n := 1; n <= len(strings.Split(doc, "\n")); n++ {
		m := headingRE.FindStringSubmatch(lines[n])
		if m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		for i := 1; out[slug]; i++ {
			slug = fmt.Sprintf("%s-%d", b.String(), i)
		}
		out[slug] = true
	}
	return out
}

// Every relative link of the README and docs/ leads to a file of the repository, and
// every #fragment to a heading of the page it names.
func TestDocsLinks(t *testing.T) {
	docs := userDocs(t)
	checked := 0
	for file, doc := range docs {
		for n, line := range prose(doc) {
			line = inlineCodeRE.ReplaceAllString(line, "code")
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				if err := checkLink(file, target, docs); err != nil {
					t.Errorf("%s:%d: link %s: %v", file, n, target, err)
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d relative links found; the parser misses some", checked)
	}
}

// checkLink resolves target as seen from file.
func checkLink(file, target string, docs map[string]string) error {
	p, frag, _ := strings.Cut(target, "#")
	dest := file
	if p != "" {
		dest = path.Clean(path.Join(path.Dir(file), p))
	}
	if strings.HasPrefix(dest, "../") {
		return fmt.Errorf("leads out of the repository")
	}
	if _, err := os.Stat(dest); err != nil {
		return fmt.Errorf("no file %s", dest)
	}
	if frag == "" {
		return nil
	}
	doc, ok := docs[dest]
	if !ok {
		return fmt.Errorf("#%s: %s is not a page whose headings are known", frag, dest)
	}
	if !anchors(doc)[frag] {
		return fmt.Errorf("%s has no heading #%s", dest, frag)
	}
	return nil
}

// Every repository file the README and docs/ name in inline code (`tools/call.go`,
// `e2e/trust_*_test.go`) exists, so a moved or renamed file cannot leave a page pointing
// at nothing.
func TestDocsFilePaths(t *testing.T) {
	top := map[string]bool{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			top[e.Name()] = true
		}
	}
	checked := 0
	for file, doc := range userDocs(t) {
		for _, line := range prose(doc) {
			for _, code := range inlineCodeRE.FindAllString(line, -1) {
				p := strings.Trim(code, "`")
				if !repoPathRE.MatchString(p) || !top[strings.SplitN(p, "/", 2)[0]] {
					continue
				}
				checked++
				if m, _ := filepath.Glob(p); len(m) == 0 {
					t.Errorf("%s names %s: no such file in the repository", file, p)
				}
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d repository paths found; the parser misses some", checked)
	}
}

// Every Go name of the repository the README and docs/ name in code (`tools.Engine.Values`,
// `upstreamhttp.EncodeQuery`) is declared there: a package-level name, or a method or field of
// a package-level type.
func TestDocsGoNames(t *testing.T) {
	pkgs := repoPackages(t)
	checked := 0
	for file, doc := range userDocs(t) {
		for _, line := range prose(doc) {
			for _, code := range inlineCodeRE.FindAllString(line, -1) {
				m := goNameRE.FindStringSubmatch(strings.Trim(code, "`"))
				if m == nil {
					continue
				}
				names, ok := pkgs[m[1]]
				if !ok {
					continue // another module's package (gjson.ValidBytes, os.Root)
				}
				checked++
				if !names[strings.TrimPrefix(m[2], ".")] {
					t.Errorf("%s names %s: package %s declares no %s", file, code, m[1], strings.TrimPrefix(m[2], "."))
				}
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d Go names found; the parser misses some", checked)
	}
}

// repoPackages gives, per package name of the repository, what its non-test files
// declare: Name, Type.Method and Type.Field.
func repoPackages(t *testing.T) map[string]map[string]bool {
	t.Helper()
	pkgs := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go"):
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		names := pkgs[f.Name.Name]
		if names == nil {
			names = map[string]bool{}
			pkgs[f.Name.Name] = names
		}
		declaredNames(f, names)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func declaredNames(f *ast.File, names map[string]bool) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
				continue
			}
			recv := d.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				names[id.Name+"."+d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
					if st, ok := s.Type.(*ast.StructType); ok {
						for _, field := range st.Fields.List {
							for _, n := range field.Names {
								names[s.Name.Name+"."+n.Name] = true
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
}
