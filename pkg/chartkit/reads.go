package chartkit

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template/parse"
)

// A declared value no template reads is a bug: users set it and nothing happens. unreadValues
// finds them by abstract interpretation of a chart's templates (as cert-manager's helm-tool
// lint does, but following the ways Flotilla's templates pass values around):
//
//   - `.Values.a.b`, `$.Values.a.b`, `$v := .Values.a` then `$v.b`, `with .Values.a` then `.b`;
//   - values passed to helpers in dicts: `include "h" (dict "ctx" $ "pg" .Values.x)` analyses
//     "h" with `.pg` bound to x, so only the fields "h" touches count as read;
//   - helpers returning JSON (`toJson (dict "tls" $e.tls)` … `include … | fromJson`): a value in
//     the returned dict is read only where the caller uses it;
//   - `merge`, `default`, `index`/`get` with literal keys, `list`/`append`, ranges over dicts and
//     lists, `index $.Values $name` with a key not known statically (any child).
//
// A value printed, compared or handed to any other function is read whole (it and everything
// under it); an `if`/`with`/`not`/`empty` test reads only the value itself. A declared leaf is
// read when it or an ancestor is read whole, or when anything at or below it is read.

// aval is what the analysis knows about a template value; nil is nothing useful.
type aval any

type (
	ctxVal  struct{}                    // the chart's top-level object: .Values, .Release, ...
	pathVal struct{ p string }          // a values path ("" is .Values; a "*" element is any key)
	dictVal struct{ m map[string]aval } // a dict built by the template
	listVal struct{ elems []aval }      // a list built by the template
	strVal  struct{ s string }          // a string literal (dict keys, index keys)
	unionV  []aval                      // one of these
)

type reads struct {
	trees  map[string]*parse.Tree
	whole  map[string]bool
	exact  map[string]bool
	memo   map[string]aval
	active map[string]bool
}

type scope struct {
	dot  aval
	vars map[string]aval
	emit *[]aval
}

// unreadValues returns the leaves (dotted paths) that no template of templates (file name →
// text; files whose base name starts with "_" only define helpers) reads.
func unreadValues(templates, lazy map[string]string, leaves []string) ([]string, error) {
	r := &reads{trees: map[string]*parse.Tree{}, whole: map[string]bool{}, exact: map[string]bool{},
		memo: map[string]aval{}, active: map[string]bool{}}
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)
	var entries []string
	for _, n := range names {
		t := parse.New(n)
		t.Mode = parse.SkipFuncCheck
		if _, err := t.Parse(templates[n], "{{", "}}", r.trees); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		if !strings.HasPrefix(path.Base(n), "_") {
			entries = append(entries, n)
		}
	}
	// Lazy helpers' bodies (name#lazy) stand for their stubs, which run them through tpl.
	for n, text := range lazy {
		t := parse.New(n)
		t.Mode = parse.SkipFuncCheck
		if _, err := t.Parse(text, "{{", "}}", r.trees); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
	}
	for name, tree := range r.trees {
		if stub, ok := strings.CutSuffix(name, lazySuffix); ok {
			r.trees[stub] = tree
		}
	}
	for _, n := range entries {
		tree := r.trees[n]
		if tree == nil || tree.Root == nil {
			continue
		}
		var out []aval
		r.walk(tree.Root, &scope{dot: ctxVal{}, vars: map[string]aval{"$": ctxVal{}}, emit: &out})
		for _, v := range out {
			r.readWhole(v, 0)
		}
	}
	var unread []string
	for _, l := range leaves {
		if !r.isRead(l) {
			unread = append(unread, l)
		}
	}
	return unread, nil
}

func (r *reads) isRead(leaf string) bool {
	ls := strings.Split(leaf, ".")
	for w := range r.whole {
		if w == "" || prefixMatch(strings.Split(w, "."), ls) {
			return true
		}
	}
	for _, set := range []map[string]bool{r.whole, r.exact} {
		for p := range set {
			if p != "" && prefixMatch(ls, strings.Split(p, ".")) {
				return true
			}
		}
	}
	return false
}

// prefixMatch: a is a prefix of b, a "*" in either matching any element.
func prefixMatch(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && a[i] != "*" && b[i] != "*" {
			return false
		}
	}
	return true
}

func union(vs ...aval) aval {
	var out unionV
	for _, v := range vs {
		switch x := v.(type) {
		case nil:
		case unionV:
			out = append(out, x...)
		default:
			out = append(out, v)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (r *reads) readWhole(v aval, depth int) {
	if depth > 20 {
		return
	}
	switch x := v.(type) {
	case pathVal:
		r.whole[x.p] = true
	case *dictVal:
		for _, e := range x.m {
			r.readWhole(e, depth+1)
		}
	case *listVal:
		for _, e := range x.elems {
			r.readWhole(e, depth+1)
		}
	case unionV:
		for _, e := range x {
			r.readWhole(e, depth+1)
		}
	}
}

func (r *reads) readExact(v aval) {
	switch x := v.(type) {
	case pathVal:
		r.exact[x.p] = true
	case unionV:
		for _, e := range x {
			r.readExact(e)
		}
	}
}

func fieldOf(v aval, f string) aval {
	switch x := v.(type) {
	case ctxVal:
		if f == "Values" {
			return pathVal{""}
		}
	case pathVal:
		if x.p == "" {
			return pathVal{f}
		}
		return pathVal{x.p + "." + f}
	case *dictVal:
		return x.m[f]
	case unionV:
		var out []aval
		for _, e := range x {
			out = append(out, fieldOf(e, f))
		}
		return union(out...)
	}
	return nil
}

// anyKey is v[k] for a key not known statically.
func anyKey(v aval) aval {
	switch x := v.(type) {
	case pathVal:
		return fieldOf(x, "*")
	case *dictVal:
		var out []aval
		for _, e := range x.m {
			out = append(out, e)
		}
		return union(out...)
	case *listVal:
		return union(x.elems...)
	case unionV:
		var out []aval
		for _, e := range x {
			out = append(out, anyKey(e))
		}
		return union(out...)
	}
	return nil
}

func index(v, k aval) aval {
	switch key := k.(type) {
	case strVal:
		return fieldOf(v, key.s)
	case unionV:
		var out []aval
		for _, e := range key {
			s, ok := e.(strVal)
			if !ok {
				return anyKey(v)
			}
			out = append(out, fieldOf(v, s.s))
		}
		return union(out...)
	}
	return anyKey(v)
}

func (r *reads) elems(v aval) aval {
	switch x := v.(type) {
	case pathVal:
		r.exact[x.p] = true
		return fieldOf(x, "*")
	case unionV:
		var out []aval
		for _, e := range x {
			out = append(out, r.elems(e))
		}
		return union(out...)
	}
	return anyKey(v)
}

func dictKeys(v aval) aval {
	if d, ok := v.(*dictVal); ok {
		var out []aval
		for k := range d.m {
			out = append(out, strVal{k})
		}
		return union(out...)
	}
	return nil
}

func (r *reads) walk(n parse.Node, s *scope) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			r.walk(c, s)
		}
	case *parse.ActionNode:
		v := r.pipe(n.Pipe, s)
		if len(n.Pipe.Decl) == 0 {
			*s.emit = append(*s.emit, v)
			return
		}
		for _, d := range n.Pipe.Decl {
			if n.Pipe.IsAssign {
				// An assignment in a branch may or may not run: keep both.
				s.vars[d.Ident[0]] = union(s.vars[d.Ident[0]], v)
			} else {
				s.vars[d.Ident[0]] = v
			}
		}
	case *parse.IfNode:
		r.readExact(r.pipe(n.Pipe, s))
		r.walk(n.List, s)
		if n.ElseList != nil {
			r.walk(n.ElseList, s)
		}
	case *parse.WithNode:
		v := r.pipe(n.Pipe, s)
		r.readExact(v)
		for _, d := range n.Pipe.Decl {
			s.vars[d.Ident[0]] = v
		}
		r.walk(n.List, &scope{dot: v, vars: s.vars, emit: s.emit})
		if n.ElseList != nil {
			r.walk(n.ElseList, s)
		}
	case *parse.RangeNode:
		v := r.pipe(n.Pipe, s)
		el := r.elems(v)
		switch len(n.Pipe.Decl) {
		case 1:
			s.vars[n.Pipe.Decl[0].Ident[0]] = el
		case 2:
			s.vars[n.Pipe.Decl[0].Ident[0]] = dictKeys(v)
			s.vars[n.Pipe.Decl[1].Ident[0]] = el
		}
		r.walk(n.List, &scope{dot: el, vars: s.vars, emit: s.emit})
		if n.ElseList != nil {
			r.walk(n.ElseList, s)
		}
	case *parse.TemplateNode:
		var arg aval
		if n.Pipe != nil {
			arg = r.pipe(n.Pipe, s)
		}
		*s.emit = append(*s.emit, r.call(n.Name, arg))
	}
}

func (r *reads) pipe(p *parse.PipeNode, s *scope) aval {
	if p == nil {
		return nil
	}
	var prev aval
	for i, c := range p.Cmds {
		prev = r.cmd(c, s, prev, i > 0)
	}
	return prev
}

func (r *reads) cmd(c *parse.CommandNode, s *scope, prev aval, piped bool) aval {
	if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
		args := make([]aval, 0, len(c.Args))
		for _, a := range c.Args[1:] {
			args = append(args, r.arg(a, s))
		}
		if piped {
			args = append(args, prev)
		}
		return r.fn(id.Ident, args)
	}
	return r.arg(c.Args[0], s)
}

func (r *reads) arg(n parse.Node, s *scope) aval {
	switch n := n.(type) {
	case *parse.DotNode:
		return s.dot
	case *parse.FieldNode:
		return access(s.dot, n.Ident)
	case *parse.VariableNode:
		return access(s.vars[n.Ident[0]], n.Ident[1:])
	case *parse.ChainNode:
		return access(r.arg(n.Node, s), n.Field)
	case *parse.PipeNode:
		return r.pipe(n, s)
	case *parse.StringNode:
		return strVal{n.Text}
	case *parse.IdentifierNode:
		return r.fn(n.Ident, nil)
	}
	return nil
}

func access(v aval, fields []string) aval {
	for _, f := range fields {
		v = fieldOf(v, f)
	}
	return v
}

func (r *reads) fn(name string, args []aval) aval {
	arg := func(i int) aval {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	switch name {
	case "include":
		if s, ok := arg(0).(strVal); ok {
			return r.call(s.s, arg(1))
		}
	case "dict":
		d := &dictVal{m: map[string]aval{}}
		for i := 0; i+1 < len(args); i += 2 {
			if k, ok := args[i].(strVal); ok {
				d.m[k.s] = args[i+1]
			} else {
				r.readWhole(args[i+1], 0)
			}
		}
		return d
	case "list":
		return &listVal{elems: args}
	case "append", "mustAppend", "prepend", "mustPrepend", "concat":
		var el []aval
		for i, a := range args {
			if l, ok := a.(*listVal); ok {
				el = append(el, l.elems...)
			} else if i == 0 || name == "concat" {
				el = append(el, r.elems(a))
			} else {
				el = append(el, a)
			}
		}
		return &listVal{elems: el}
	case "set":
		if d, ok := arg(0).(*dictVal); ok {
			if k, ok := arg(1).(strVal); ok {
				d.m[k.s] = arg(2)
				return d
			}
		}
		r.readWhole(arg(2), 0)
		return arg(0)
	case "toJson", "fromJson", "toYaml", "fromYaml", "toPrettyJson", "toRawJson", "mustToJson", "mustFromJson",
		"deepCopy", "mustDeepCopy", "omit", "pick", "unset":
		// The value itself travels on (a helper's JSON result is read where it is used).
		return arg(0)
	case "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite", "default", "coalesce", "and", "or":
		return union(args...)
	case "ternary":
		r.readExact(arg(2))
		return union(arg(0), arg(1))
	case "required":
		return arg(len(args) - 1)
	case "index", "get":
		v := arg(0)
		for _, k := range args[1:] {
			v = index(v, k)
		}
		return v
	case "first", "last":
		return r.elems(arg(0))
	case "hasKey":
		return nil
	case "not", "empty", "kindIs", "kindOf", "typeOf", "typeIs", "len", "keys":
		for _, a := range args {
			r.readExact(a)
		}
		return nil
	}
	for _, a := range args {
		r.readWhole(a, 0)
	}
	return nil
}

// call analyses the define name with its data bound to arg and returns what it prints.
func (r *reads) call(name string, arg aval) aval {
	key := name + "|" + sig(arg, 0)
	if v, ok := r.memo[key]; ok {
		return v
	}
	tree := r.trees[name]
	if tree == nil || tree.Root == nil || r.active[key] || len(r.active) > 40 {
		r.readWhole(arg, 0)
		return nil
	}
	r.active[key] = true
	var out []aval
	r.walk(tree.Root, &scope{dot: arg, vars: map[string]aval{"$": arg}, emit: &out})
	delete(r.active, key)
	v := union(out...)
	r.memo[key] = v
	return v
}

// sig is a stable description of an abstract value, the memo key of a helper call.
func sig(v aval, depth int) string {
	if depth > 8 {
		return "…"
	}
	switch x := v.(type) {
	case ctxVal:
		return "$"
	case pathVal:
		return "." + x.p
	case strVal:
		return fmt.Sprintf("%q", x.s)
	case *dictVal:
		ks := make([]string, 0, len(x.m))
		for k := range x.m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		parts := make([]string, len(ks))
		for i, k := range ks {
			parts[i] = k + ":" + sig(x.m[k], depth+1)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case *listVal:
		parts := make([]string, len(x.elems))
		for i, e := range x.elems {
			parts[i] = sig(e, depth+1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case unionV:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = sig(e, depth+1)
		}
		return "(" + strings.Join(parts, "|") + ")"
	}
	return "?"
}
