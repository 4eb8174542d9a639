package podrun

import (
	"sort"
	"strconv"
	"strings"
)

// Service maps a Kubernetes Service (host name as the pod sees it, and port) to a local address.
type Service struct {
	Host string // e.g. "flowise-postgresql" or "redis.cache.svc.cluster.local"
	Port int
	Addr string // "127.0.0.1:54321"
}

func (s Service) localHost() string {
	h, _, _ := strings.Cut(s.Addr, ":")
	return h
}

func (s Service) localPort() string {
	_, p, _ := strings.Cut(s.Addr, ":")
	return p
}

// rewriter maps what a container sees (mount paths, service names, container ports) onto what
// exists on this machine. Every replacement it makes is recorded for tests and diagnostics.
type rewriter struct {
	mounts   []mountMap // longest mount path first
	services []Service
	ports    map[string]string // container port -> local port, as decimal strings
	log      []string
}

type mountMap struct{ from, to string }

func newRewriter(mounts map[string]string, services []Service, ports map[int]int) *rewriter {
	r := &rewriter{services: services, ports: map[string]string{}}
	for from, to := range mounts {
		r.mounts = append(r.mounts, mountMap{from: strings.TrimSuffix(from, "/"), to: to})
	}
	sort.Slice(r.mounts, func(i, j int) bool { return len(r.mounts[i].from) > len(r.mounts[j].from) })
	for c, l := range ports {
		r.ports[strconv.Itoa(c)] = strconv.Itoa(l)
	}
	return r
}

// Characters that may precede or follow a path inside a value ("--x=/p", "a:/p", "/p/file").
func beforeOK(b byte) bool { return strings.IndexByte(" =:,\"'", b) >= 0 }
func afterOK(b byte) bool  { return strings.IndexByte("/ :,\"'", b) >= 0 }

// paths replaces each mount path found at a path boundary in v, in one pass.
func (r *rewriter) paths(v string) string {
	if len(r.mounts) == 0 || !strings.Contains(v, "/") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		matched := false
		if v[i] == '/' && (i == 0 || beforeOK(v[i-1])) {
			for _, m := range r.mounts {
				end := i + len(m.from)
				if strings.HasPrefix(v[i:], m.from) && (end == len(v) || afterOK(v[end])) {
					b.WriteString(m.to)
					i = end
					matched = true
					break
				}
			}
		}
		if !matched {
			b.WriteByte(v[i])
			i++
		}
	}
	if out := b.String(); out != v {
		r.log = append(r.log, v+" -> "+out)
		return out
	}
	return v
}

// service rewrites a value naming a Service: "host", "host:port", or a URL with that host.
// It returns the matched service, if any.
func (r *rewriter) service(v string) (string, *Service) {
	for i := range r.services {
		s := &r.services[i]
		hp := s.Host + ":" + strconv.Itoa(s.Port)
		var out string
		switch {
		case v == s.Host:
			out = s.localHost()
		case v == hp:
			out = s.Addr
		case strings.Contains(v, "//"+hp) || strings.Contains(v, "@"+hp):
			out = strings.Replace(v, hp, s.Addr, 1)
		default:
			continue
		}
		r.log = append(r.log, v+" -> "+out)
		return out, s
	}
	return v, nil
}

// value applies path and service rewriting to one value.
func (r *rewriter) value(v string) string {
	v, _ = r.service(v)
	return r.paths(v)
}

// env rewrites resolved environment variables in place. A variable whose value is a container
// port becomes the local port; FOO_HOST naming a Service makes FOO_PORT (when it holds that
// Service's port) the local port, the convention of PGHOST/PGPORT, REDIS_HOST/REDIS_PORT, ….
func (r *rewriter) env(names []string, vals map[string]string) {
	for _, k := range names {
		v := vals[k]
		if p, ok := r.ports[v]; ok {
			r.log = append(r.log, k+"="+v+" -> "+p)
			vals[k] = p
			continue
		}
		nv, svc := r.service(v)
		if svc != nil && strings.HasSuffix(k, "HOST") {
			pk := strings.TrimSuffix(k, "HOST") + "PORT"
			if pv, ok := vals[pk]; ok && pv == strconv.Itoa(svc.Port) {
				vals[pk] = svc.localPort()
				r.log = append(r.log, pk+"="+pv+" -> "+svc.localPort())
			}
		}
		vals[k] = r.paths(nv)
	}
}
