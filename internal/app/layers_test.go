package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layer says what a package may import from the project. DESIGN.md: web,
// api, store and jobs point at the domain packages, which point at apperr;
// the pure engines import nothing of the project; only app wires.
type layer struct {
	may       []string // project packages (by path under the module) it may import
	forbidStd []string // standard packages it must not import
}

var (
	domain  = []string{"internal/apperr", "internal/account", "internal/org", "internal/outbox", "internal/jobs", "internal/conversation", "internal/listening", "internal/consultation", "internal/proposal", "internal/measure", "internal/moderation"}
	pureStd = []string{"database/sql", "net/http", "os"}
)

func rules() map[string]layer {
	domainOnly := layer{may: domain, forbidStd: pureStd}
	r := map[string]layer{
		"internal/apperr":  {forbidStd: pureStd},
		"internal/i18n":    {},
		"internal/config":  {},
		"internal/opinion": {forbidStd: pureStd},
		"internal/textsim": {forbidStd: pureStd},
		"internal/query":   {forbidStd: pureStd},
		"internal/polis":   {may: []string{"internal/opinion"}, forbidStd: pureStd},

		// Conversations run the opinion math on what the store gives them.
		"internal/conversation": {may: append([]string{"internal/opinion", "internal/polis"}, domain...), forbidStd: pureStd},

		// Listening validates rules with the query language and highlights
		// matched terms for the pages.
		"internal/listening":    {may: append([]string{"internal/query", "internal/textsim"}, domain...), forbidStd: pureStd},
		"internal/consultation": {may: append([]string{"internal/textsim"}, domain...), forbidStd: pureStd},
		"internal/markdown":     {forbidStd: pureStd},
		// Moderation finds floods of one message with the text engine.
		"internal/moderation": {may: append([]string{"internal/textsim"}, domain...), forbidStd: pureStd},

		"internal/store":           {may: domain},
		"internal/store/storetest": {may: append([]string{"internal/store"}, domain...)},
		"internal/mail":            {may: domain},
		"internal/mail/smtptest":   {},
		"internal/sso":             {may: []string{"internal/apperr"}},
		"internal/sso/ssotest":     {},

		"internal/web":           {may: append([]string{"internal/i18n", "internal/sso", "internal/polis", "internal/markdown"}, domain...)},
		"internal/web/htmlcheck": {},
		// The API speaks English: it may read the catalogue's English texts
		// of the domain's message IDs instead of copying them.
		"internal/api": {may: append([]string{"internal/polis", "internal/i18n"}, domain...)},

		// The offline analysis commands run the pure engines directly.
		"cmd/parley":    {may: []string{"internal/app", "internal/config", "internal/opinion", "internal/polis", "internal/textsim"}},
		"internal/feed": {forbidStd: []string{"database/sql", "os"}},
	}
	for _, d := range domain {
		if _, ok := r[d]; !ok {
			r[d] = domainOnly
		}
	}
	return r
}

// TestDependencyRule fails when a package imports across the layers, or
// when a new package has not been given a layer here.
func TestDependencyRule(t *testing.T) {
	root := filepath.Join("..", "..")
	const module = "parley/"
	imports := map[string]map[string]bool{}
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			if imports[pkg] == nil {
				imports[pkg] = map[string]bool{}
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				imports[pkg][p] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := rules()
	pkgs := make([]string, 0, len(imports))
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		if pkg == "internal/app" {
			continue // the composition root may import anything
		}
		rule, ok := r[pkg]
		if !ok {
			t.Errorf("%s has no layer: add it to rules() in layers_test.go", pkg)
			continue
		}
		for imp := range imports[pkg] {
			if strings.HasPrefix(imp, module) {
				target := strings.TrimPrefix(imp, module)
				allowed := false
				for _, m := range rule.may {
					allowed = allowed || m == target
				}
				if !allowed {
					t.Errorf("%s imports %s, which its layer does not allow", pkg, target)
				}
			}
			for _, std := range rule.forbidStd {
				if imp == std {
					t.Errorf("%s imports %s: it must stay free of I/O", pkg, std)
				}
			}
		}
	}
}
