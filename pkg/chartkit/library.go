package chartkit

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// The shared helper library is one file per concept in templates/ (names, secrets, probes,
// PostgreSQL, ...). Helm parses every template of a chart on every render, so each chart gets
// only the helpers its own templates use (directly or through other helpers), each in a file of
// the same name under the chart's templates/flotilla/.
//
// A helper whose leading comment has a line starting "Lazy:" (the heavy body of a feature that is
// off by default) is not a template at all: its text goes to the chart file
// files/flotilla/<concept>.tpl and templates/flotilla/_<concept>.tpl gets a stub of the same name
// that runs it through tpl (flotilla.lazy). Releases that never call it never parse it. A helper
// called on every render that prints nothing unless its feature is on says "Lazy when PIPELINE:",
// PIPELINE a condition on the helper's argument: the stub runs the body only when it holds.

var (
	defineRE = regexp.MustCompile(`(?m)^\{\{- define "([^"]+)" -\}\}`)
	actionRE = regexp.MustCompile(`(?s)\{\{(/\*.*?\*/|[^}]*)\}\}`)
	refRE    = regexp.MustCompile(`(?:include|template) "(flotilla\.[^"]+)"`)
	lazyRE   = regexp.MustCompile(`(?m)^Lazy(?: when (.+))?: `)
	// lazyRefRE finds where a helper is defined or called by name.
	lazyRefRE = regexp.MustCompile(`(define |include |template )"(flotilla\.[^"]+)"`)
)

// lazyDir is where a chart's lazy helpers go (one file per library file), read by flotilla.lazy.
const lazyDir = "files/flotilla/"

// defineEnd returns the offset just past the {{ end }} that closes the define starting at
// from, counting the blocks (if, range, with, define, block) opened in between.
func defineEnd(lib string, from int) int {
	depth := 0
	for _, m := range actionRE.FindAllStringSubmatchIndex(lib[from:], -1) {
		action := strings.TrimSpace(strings.Trim(lib[from+m[2]:from+m[3]], "-"))
		word, _, _ := strings.Cut(action, " ")
		switch word {
		case "if", "range", "with", "define", "block":
			depth++
		case "end":
			depth--
			if depth == 0 {
				return from + m[1]
			}
		}
	}
	return -1
}

type helper struct {
	name string
	text string // leading comment + define ... end
	lazy bool   // its comment says "Lazy:": it goes to lazyDir, a stub stays in templates
	when string // "Lazy when PIPELINE:": the stub runs the body only when PIPELINE holds
}

// lazyStub is the template that stands for a lazy helper: it runs the helper's own text, read
// from the chart file, through tpl; that text defines the body (name#lazy) and tpl calls it.
func lazyStub(h helper, concept string) string {
	run := fmt.Sprintf("{{- include \"flotilla.lazy\" (dict \"file\" %q \"name\" %q \"args\" .) -}}", concept, h.name)
	if h.when != "" {
		run = "{{- if " + h.when + " }}\n" + run + "\n{{- end -}}"
	}
	return fmt.Sprintf("{{/* The body of %[1]s is in %[3]s%[2]s.tpl, parsed only when called. */}}\n"+
		"{{- define %[1]q -}}\n%[4]s\n{{- end -}}", h.name, concept, lazyDir, run)
}

// lazySuffix marks the name a lazy helper's body has in its file. Not the stub's name: Helm
// before 3.14 parses tpl's text first and the chart's templates after it, so a stub of the same
// name would replace the body (and call itself through tpl forever).
const lazySuffix = "#lazy"

// lazyText is a helper as it goes into a lazy file: tpl runs the file's text as a template, so
// the whitespace around its comments is trimmed ("{{- /*") to print nothing but the helper. The
// file's own lazy helpers (names) are defined and called by their body names.
func lazyText(text string, names map[string]bool) string {
	if t, ok := strings.CutPrefix(text, "{{/*"); ok {
		text = "{{- /*" + t
	}
	return lazyRefRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := lazyRefRE.FindStringSubmatch(m)
		if !names[sub[2]] {
			return m
		}
		return sub[1] + `"` + sub[2] + lazySuffix + `"`
	})
}

// concept is a library file's concept: "_status.tpl" -> "status".
func concept(file string) string {
	return strings.TrimSuffix(strings.TrimPrefix(file, "_"), ".tpl")
}

// splitLibrary cuts the library into its header and its helpers. Every helper starts with
// `{{- define "name" -}}` at the start of a line; a comment right above a define belongs to it.
func splitLibrary(lib string) (header string, helpers []helper, err error) {
	defs := defineRE.FindAllStringSubmatchIndex(lib, -1)
	if len(defs) == 0 {
		return "", nil, fmt.Errorf("shared library: no helpers")
	}
	start := func(i int) int {
		// Include the comment block directly above the define.
		pos := defs[i][0]
		before := strings.TrimRight(lib[:pos], "\n")
		if strings.HasSuffix(before, "*/}}") {
			if c := strings.LastIndex(before, "{{/*"); c >= 0 {
				return c
			}
		}
		return pos
	}
	header = lib[:start(0)]
	for i := range defs {
		name := lib[defs[i][2]:defs[i][3]]
		stop := defineEnd(lib, defs[i][0])
		if stop < 0 {
			return "", nil, fmt.Errorf("shared library: helper %s has no closing {{ end }}", name)
		}
		if i+1 < len(defs) && stop > defs[i+1][0] {
			return "", nil, fmt.Errorf("shared library: helper %s ends after the next define", name)
		}
		text := lib[start(i):stop]
		comment := lib[start(i):defs[i][0]]
		h := helper{name: name, text: text}
		if m := lazyRE.FindStringSubmatch(comment); m != nil {
			h.lazy, h.when = true, m[1]
		}
		helpers = append(helpers, h)
	}
	return header, helpers, nil
}

// libraryFile is one file of the shared library: its header comment and its helpers.
type libraryFile struct {
	name    string // e.g. "_names.tpl"
	header  string
	helpers []helper
}

// readLibrary reads every file of the shared library, in name order, and checks that no helper
// is defined twice.
func readLibrary(lib fs.FS) ([]libraryFile, error) {
	paths, err := fs.Glob(lib, libraryDir+"/_*.tpl")
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("shared library: no files in %s", libraryDir)
	}
	sort.Strings(paths)
	var files []libraryFile
	where := map[string]string{}
	for _, p := range paths {
		data, err := fs.ReadFile(lib, p)
		if err != nil {
			return nil, err
		}
		header, helpers, err := splitLibrary(string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		name := path.Base(p)
		for _, h := range helpers {
			if other, ok := where[h.name]; ok {
				return nil, fmt.Errorf("shared library: %s is defined in %s and %s", h.name, other, name)
			}
			where[h.name] = name
		}
		files = append(files, libraryFile{name: name, header: header, helpers: helpers})
	}
	return files, nil
}

// libraryFor returns, per library file, the part of it the chart's templates need (directly or
// through other helpers); files none of whose helpers are used are left out. generated are the
// texts of templates the generator writes for the chart (they use helpers too). lazy holds the
// lazy helpers used, per concept (the file files/flotilla/<concept>.tpl).
func libraryFor(lib []libraryFile, templates fs.FS, generated ...string) (out, lazy map[string][]byte, err error) {
	byName := map[string]helper{}
	for _, f := range lib {
		for _, h := range f.helpers {
			byName[h.name] = h
		}
	}
	need := map[string]bool{}
	var queue []string
	mark := func(text string) {
		for _, m := range refRE.FindAllStringSubmatch(text, -1) {
			if !need[m[1]] {
				need[m[1]] = true
				queue = append(queue, m[1])
			}
		}
	}
	err = fs.WalkDir(templates, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates, p)
		mark(string(data))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, text := range generated {
		mark(text)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		h, ok := byName[name]
		if !ok {
			return nil, nil, fmt.Errorf("templates use %q, which the shared library does not define", name)
		}
		mark(h.text)
		if h.lazy {
			mark(lazyStub(h, "")) // what the stub calls: flotilla.lazy, and helpers in its when
		}
	}
	out, lazy = map[string][]byte{}, map[string][]byte{}
	for _, f := range lib {
		var b, l strings.Builder
		inFile := map[string]bool{}
		for _, h := range f.helpers {
			inFile[h.name] = h.lazy
		}
		for _, h := range f.helpers {
			switch {
			case !need[h.name]:
			case h.lazy:
				b.WriteString(lazyStub(h, concept(f.name)) + "\n\n")
				l.WriteString(lazyText(h.text, inFile) + "\n\n")
			default:
				b.WriteString(h.text + "\n\n")
			}
		}
		if b.Len() > 0 {
			out[f.name] = []byte(f.header + strings.TrimRight(b.String(), "\n") + "\n")
		}
		if l.Len() > 0 {
			lazy[concept(f.name)] = []byte(lazyText(f.header, nil) + strings.TrimRight(l.String(), "\n") + "\n")
		}
	}
	return out, lazy, nil
}
