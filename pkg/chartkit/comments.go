package chartkit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// goComments reads the doc comments of exported types and struct fields in the given
// module-relative directories, keyed like invopop/jsonschema's CommentMap
// ("import/path.Type.Field").
func goComments(root, module string, dirs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, dir := range dirs {
		fset := token.NewFileSet()
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			return nil, fmt.Errorf("read comments of %s: %w", dir, err)
		}
		pkg := path.Join(module, filepath.ToSlash(dir))
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, parser.ParseComments)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", name, err)
			}
			collectComments(f, pkg, out)
		}
	}
	return out, nil
}

func collectComments(f *ast.File, pkg string, out map[string]string) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			if !ts.Name.IsExported() {
				continue
			}
			doc := ts.Doc
			if doc == nil {
				doc = gd.Doc
			}
			if doc != nil {
				out[pkg+"."+ts.Name.Name] = cleanComment(doc.Text())
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, field := range st.Fields.List {
				text := field.Doc.Text()
				if text == "" {
					text = field.Comment.Text()
				}
				for _, n := range field.Names {
					if n.IsExported() && text != "" {
						out[pkg+"."+ts.Name.Name+"."+n.Name] = cleanComment(text)
					}
				}
			}
		}
	}
}

// cleanComment folds a doc comment onto one line.
func cleanComment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
