// Package podrun runs the containers of a rendered Kubernetes pod template as local processes,
// so tests can start the real application exactly as a chart configures it, without a
// container runtime.
//
// A Pod resolves what a kubelet would: env (value, secretKeyRef, configMapKeyRef, $(VAR)
// references), volumes (emptyDir and PVCs as directories, Secrets and ConfigMaps written as
// files), probes (httpGet, tcpSocket, exec). What a container would see is mapped onto this
// machine: mount paths become directories under the pod's directory wherever they appear in
// env, command, args and exec probes; Service host names and ports become local addresses;
// container ports become free local ports. The container's image is an Image: a PATH and an
// optional entrypoint. Processes can run as another uid (the pod's non-root user), with a
// clean environment: only what the pod spec sets, plus PATH.
package podrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/testserver"
)

// Image stands in for a container image.
type Image struct {
	// Path is the PATH processes of this image get unless the pod spec sets one.
	Path string
	// Entrypoint is used when the container has no command (the image's ENTRYPOINT).
	Entrypoint []string
	// Env is the image's ENV: the container's env overrides it.
	Env map[string]string
}

// Options configure a Pod.
type Options struct {
	// Dir holds the pod's volumes and logs; it must exist.
	Dir string
	// ClaimDir holds one directory per PersistentVolumeClaim name; Pods sharing it share
	// claims, so a replacement pod finds the data of the old one. Default: Dir/claims.
	ClaimDir string
	// Objects resolves secretKeyRef, configMapKeyRef and secret/configMap volumes.
	Objects *Objects
	// Images by reference, with or without tag ("docker.io/x/y:1" is tried, then "docker.io/x/y").
	Images map[string]Image
	// Services the pod reaches, mapped to local addresses.
	Services []Service
	// UID and GID to run every container as, overriding the pod spec.
	UID, GID *uint32
	// PodUser runs each container as its securityContext says (runAsUser/runAsGroup, the pod's
	// fsGroup and supplementalGroups as groups), as a kubelet would; it needs root and is
	// ignored otherwise (the processes then run as the current, already unprivileged, user).
	// Writable volumes then belong to the pod's user and fsGroup (group-writable).
	PodUser bool
	// Logs receives every container's output as well as the per-container log file.
	Logs io.Writer
}

// Pod is one pod instance: its volumes exist until Close.
type Pod struct {
	spec    corev1.PodSpec
	opts    Options
	volumes map[string]string // volume name -> local directory
	ports   map[int]int       // container port -> local port
	named   map[string]int    // container port name -> container port
}

// New prepares the pod's volumes and allocates local ports for its container ports.
func New(spec corev1.PodSpec, o Options) (*Pod, error) {
	if o.Objects == nil {
		o.Objects = &Objects{}
	}
	if o.ClaimDir == "" {
		o.ClaimDir = filepath.Join(o.Dir, "claims")
	}
	p := &Pod{spec: spec, opts: o, volumes: map[string]string{}, ports: map[int]int{}, named: map[string]int{}}
	if o.UID != nil || (o.PodUser && os.Geteuid() == 0) {
		if err := reachable(o.Dir); err != nil {
			return nil, err
		}
	}
	for _, v := range spec.Volumes {
		dir, err := p.volume(v)
		if err != nil {
			return nil, fmt.Errorf("volume %s: %w", v.Name, err)
		}
		p.volumes[v.Name] = dir
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, cp := range c.Ports {
			if _, ok := p.ports[int(cp.ContainerPort)]; !ok {
				lp, err := testserver.FreePort()
				if err != nil {
					return nil, err
				}
				p.ports[int(cp.ContainerPort)] = lp
			}
			if cp.Name != "" {
				p.named[cp.Name] = int(cp.ContainerPort)
			}
		}
	}
	return p, nil
}

// LocalPort returns the local port standing in for a container port (by number or name).
func (p *Pod) LocalPort(port string) (int, error) {
	n, err := strconv.Atoi(port)
	if err != nil {
		var ok bool
		if n, ok = p.named[port]; !ok {
			return 0, fmt.Errorf("no container port named %q", port)
		}
	}
	lp, ok := p.ports[n]
	if !ok {
		return 0, fmt.Errorf("container port %d is not declared", n)
	}
	return lp, nil
}

// VolumeDir returns the local directory of a volume.
func (p *Pod) VolumeDir(name string) string { return p.volumes[name] }

func (p *Pod) volume(v corev1.Volume) (string, error) {
	switch {
	case v.EmptyDir != nil:
		return p.writableDir(filepath.Join(p.opts.Dir, "volumes", v.Name))
	case v.PersistentVolumeClaim != nil:
		return p.writableDir(filepath.Join(p.opts.ClaimDir, v.PersistentVolumeClaim.ClaimName))
	case v.Secret != nil:
		data, ok := p.opts.Objects.Secrets[v.Secret.SecretName]
		if !ok && (v.Secret.Optional == nil || !*v.Secret.Optional) {
			return "", fmt.Errorf("secret %q not found", v.Secret.SecretName)
		}
		return p.files(v.Name, data, v.Secret.Items, v.Secret.DefaultMode)
	case v.ConfigMap != nil:
		cm, ok := p.opts.Objects.ConfigMaps[v.ConfigMap.Name]
		if !ok && (v.ConfigMap.Optional == nil || !*v.ConfigMap.Optional) {
			return "", fmt.Errorf("configmap %q not found", v.ConfigMap.Name)
		}
		data := map[string][]byte{}
		for k, s := range cm {
			data[k] = []byte(s)
		}
		return p.files(v.Name, data, v.ConfigMap.Items, v.ConfigMap.DefaultMode)
	}
	return "", errors.New("unsupported volume type (emptyDir, persistentVolumeClaim, secret, configMap are)")
}

func (p *Pod) writableDir(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if owner := p.volumeOwner(); owner != nil {
		if err := os.Chown(dir, int(owner.Uid), int(owner.Gid)); err != nil {
			return "", fmt.Errorf("chown %s: %w", dir, err)
		}
		if err := os.Chmod(dir, 0o2775); err != nil { // fsGroup: group-writable, setgid
			return "", err
		}
	}
	return dir, openUp(dir, p.opts.Dir)
}

// volumeOwner is who owns writable volumes: Options.UID/GID, or the pod's user and fsGroup.
func (p *Pod) volumeOwner() *syscall.Credential {
	if p.opts.UID != nil {
		return &syscall.Credential{Uid: *p.opts.UID, Gid: *p.opts.GID}
	}
	if !p.podUser() {
		return nil
	}
	sc := p.spec.SecurityContext
	if sc == nil || sc.RunAsUser == nil {
		return nil
	}
	cr := &syscall.Credential{Uid: uint32(*sc.RunAsUser), Gid: uint32(*sc.RunAsUser)}
	if sc.RunAsGroup != nil {
		cr.Gid = uint32(*sc.RunAsGroup)
	}
	if sc.FSGroup != nil {
		cr.Gid = uint32(*sc.FSGroup)
	}
	return cr
}

func (p *Pod) podUser() bool { return p.opts.PodUser && os.Geteuid() == 0 }

// credential is who a container runs as; nil: the current user.
func (p *Pod) credential(c corev1.Container) (*syscall.Credential, error) {
	if p.opts.UID != nil {
		return &syscall.Credential{Uid: *p.opts.UID, Gid: *p.opts.GID, Groups: []uint32{}}, nil
	}
	if !p.podUser() {
		return nil, nil
	}
	var uid, gid *int64
	groups := []uint32{}
	if sc := p.spec.SecurityContext; sc != nil {
		uid, gid = sc.RunAsUser, sc.RunAsGroup
		if sc.FSGroup != nil {
			groups = append(groups, uint32(*sc.FSGroup))
		}
		for _, g := range sc.SupplementalGroups {
			groups = append(groups, uint32(g))
		}
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			uid = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			gid = sc.RunAsGroup
		}
	}
	if uid == nil {
		return nil, fmt.Errorf("container %s: no runAsUser in its or the pod's securityContext", c.Name)
	}
	if gid == nil {
		gid = uid
	}
	return &syscall.Credential{Uid: uint32(*uid), Gid: uint32(*gid), Groups: groups}, nil
}

// files writes a Secret or ConfigMap volume: every key, or only items, read-only.
func (p *Pod) files(name string, data map[string][]byte, items []corev1.KeyToPath, mode *int32) (string, error) {
	dir := filepath.Join(p.opts.Dir, "volumes", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	perm := os.FileMode(0o644)
	if mode != nil {
		perm = os.FileMode(*mode)
	}
	write := func(key, path string, m *int32) error {
		b, ok := data[key]
		if !ok {
			return fmt.Errorf("key %q not found", key)
		}
		fp := perm
		if m != nil {
			fp = os.FileMode(*m)
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, fp); err != nil {
			return err
		}
		return os.Chmod(dst, fp)
	}
	if len(items) > 0 {
		for _, it := range items {
			if err := write(it.Key, it.Path, it.Mode); err != nil {
				return "", err
			}
		}
	} else {
		for k := range data {
			if err := write(k, k, nil); err != nil {
				return "", err
			}
		}
	}
	return dir, openUp(dir, p.opts.Dir)
}

// openUp makes dir and its parents up to root traversable by other users (MkdirTemp makes 0700
// directories; the pod's user must reach its volumes).
func openUp(dir, root string) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(d, st.Mode().Perm()|0o055); err != nil {
				return err
			}
		}
		if d == root || d == filepath.Dir(d) || !strings.HasPrefix(d, root) {
			return nil
		}
	}
}

// reachable makes dir traversable by the pod's user: the temporary directories tests make are
// 0700, so each of dir's parents under the system temp dir is opened (o+x) when it is ours;
// any other parent that is closed is an error, not something to chmod.
func reachable(dir string) error {
	tmp := os.TempDir()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 != 0 {
			continue
		}
		owner := -1
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			owner = int(sys.Uid)
		}
		if !strings.HasPrefix(d, tmp+"/") || owner != os.Geteuid() {
			return fmt.Errorf("pod directory %s: %s is not traversable by other users; use a directory under %s", dir, d, tmp)
		}
		if err := os.Chmod(d, st.Mode().Perm()|0o055); err != nil {
			return err
		}
	}
	return nil
}

// Container is one resolved container of the pod, ready to start.
type Container struct {
	Name    string
	Argv    []string          // command + args, rewritten
	Env     map[string]string // resolved and rewritten
	Dir     string            // working directory
	spec    corev1.Container
	pod     *Pod
	rewrite *rewriter
}

// Rewrites lists every value podrun changed to run the container here ("old -> new").
func (c *Container) Rewrites() []string { return c.rewrite.log }

// Container resolves the named container (or init container).
func (p *Pod) Container(name string) (*Container, error) {
	for _, c := range append(append([]corev1.Container{}, p.spec.InitContainers...), p.spec.Containers...) {
		if c.Name == name {
			return p.resolve(c)
		}
	}
	return nil, fmt.Errorf("no container %q in the pod", name)
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand applies Kubernetes' $(VAR) expansion ($$ escapes; unknown references stay).
func expand(s string, env map[string]string) string {
	if !strings.Contains(s, "$(") {
		return s
	}
	const esc = "\x00"
	s = strings.ReplaceAll(s, "$$", esc)
	s = varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
	return strings.ReplaceAll(s, esc, "$")
}

func (p *Pod) resolve(c corev1.Container) (*Container, error) {
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		dir, ok := p.volumes[m.Name]
		if !ok {
			return nil, fmt.Errorf("container %s mounts unknown volume %s", c.Name, m.Name)
		}
		if m.SubPath != "" {
			dir = filepath.Join(dir, m.SubPath)
		}
		mounts[m.MountPath] = dir
	}
	rw := newRewriter(mounts, p.opts.Services, p.ports)
	env := map[string]string{}
	var names []string
	for _, e := range c.Env {
		var v string
		switch {
		case e.ValueFrom == nil:
			v = expand(e.Value, env)
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			b, err := p.opts.Objects.secretKey(r.Name, r.Key)
			if err != nil {
				if r.Optional != nil && *r.Optional {
					continue
				}
				return nil, fmt.Errorf("container %s env %s: %w", c.Name, e.Name, err)
			}
			v = string(b)
		case e.ValueFrom.ConfigMapKeyRef != nil:
			r := e.ValueFrom.ConfigMapKeyRef
			s, err := p.opts.Objects.configMapKey(r.Name, r.Key)
			if err != nil {
				if r.Optional != nil && *r.Optional {
					continue
				}
				return nil, fmt.Errorf("container %s env %s: %w", c.Name, e.Name, err)
			}
			v = s
		default:
			return nil, fmt.Errorf("container %s env %s: only value, secretKeyRef and configMapKeyRef are supported", c.Name, e.Name)
		}
		if _, seen := env[e.Name]; !seen {
			names = append(names, e.Name)
		}
		env[e.Name] = v
	}
	rw.env(names, env)

	img, err := p.image(c.Image)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}
	for k, v := range img.Env {
		if _, ok := env[k]; !ok {
			env[k] = v
		}
	}
	if _, ok := env["PATH"]; !ok && img.Path != "" {
		env["PATH"] = img.Path
	}
	argv := append([]string{}, c.Command...)
	if len(argv) == 0 {
		argv = append(argv, img.Entrypoint...)
	}
	argv = append(argv, c.Args...)
	if len(argv) == 0 {
		return nil, fmt.Errorf("container %s: no command and the image has no entrypoint", c.Name)
	}
	for i, a := range argv {
		argv[i] = rw.value(expand(a, env))
	}
	dir := "/" // the usual image WORKDIR; the pod's own directory may not be the user's to enter
	if c.WorkingDir != "" {
		dir = rw.paths(c.WorkingDir)
	}
	return &Container{Name: c.Name, Argv: argv, Env: env, Dir: dir, spec: c, pod: p, rewrite: rw}, nil
}

func (p *Pod) image(ref string) (Image, error) {
	if img, ok := p.opts.Images[ref]; ok {
		return img, nil
	}
	repo := ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo = ref[:i]
	}
	if img, ok := p.opts.Images[repo]; ok {
		return img, nil
	}
	return Image{}, fmt.Errorf("no Image registered for %q", ref)
}

// environ renders the environment in a stable order.
func (c *Container) environ() []string {
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+c.Env[k])
	}
	return out
}

func (c *Container) command(ctx context.Context, argv []string) (*exec.Cmd, error) {
	bin := argv[0]
	if !strings.Contains(bin, "/") {
		// Resolve in the container's PATH, not the test's.
		found := ""
		for _, d := range filepath.SplitList(c.Env["PATH"]) {
			if st, err := os.Stat(filepath.Join(d, bin)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				found = filepath.Join(d, bin)
				break
			}
		}
		if found == "" {
			return nil, fmt.Errorf("container %s: %q not found in PATH %s", c.Name, bin, c.Env["PATH"])
		}
		bin = found
	}
	cmd := exec.CommandContext(ctx, bin, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = c.environ()
	cmd.Dir = c.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cred, err := c.pod.credential(c.spec)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr.Credential = cred
	// Signal the whole process group: the entrypoint may have children.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, nil
}

// Run runs the container to completion (an init container or a Job's) and returns its output.
func (c *Container) Run(ctx context.Context) (string, error) {
	cmd, err := c.command(ctx, c.Argv)
	if err != nil {
		return "", err
	}
	var out syncBuffer
	w, closeLog := c.output(&out)
	defer closeLog()
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("container %s: %w\n%s", c.Name, err, out.String())
	}
	return out.String(), nil
}

// output tees a process's output into buf, the container's log file in the pod directory and
// Options.Logs; call the returned func once the process has exited.
func (c *Container) output(buf io.Writer) (io.Writer, func()) {
	ws := []io.Writer{buf}
	closeLog := func() {}
	if f, err := os.OpenFile(filepath.Join(c.pod.opts.Dir, c.Name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
		ws = append(ws, f)
		closeLog = func() { _ = f.Close() }
	}
	if c.pod.opts.Logs != nil {
		ws = append(ws, prefixWriter{c.Name, c.pod.opts.Logs})
	}
	return io.MultiWriter(ws...), closeLog
}

// Process is a started container.
type Process struct {
	c    *Container
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// Start starts a long-running container.
func (c *Container) Start(ctx context.Context) (*Process, error) {
	cmd, err := c.command(context.WithoutCancel(ctx), c.Argv)
	if err != nil {
		return nil, err
	}
	pr := &Process{c: c, cmd: cmd, out: &syncBuffer{max: 256 << 10}, done: make(chan struct{})}
	w, closeLog := c.output(pr.out)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		closeLog()
		return nil, fmt.Errorf("start container %s: %w", c.Name, err)
	}
	go func() {
		pr.err = cmd.Wait()
		closeLog()
		close(pr.done)
	}()
	return pr, nil
}

// Pid is the process id of the container's entrypoint.
func (pr *Process) Pid() int { return pr.cmd.Process.Pid }

// Output returns the last output of the process (up to 256 KiB).
func (pr *Process) Output() string { return pr.out.String() }

// Exited reports whether the process has ended, and how.
func (pr *Process) Exited() (bool, error) {
	select {
	case <-pr.done:
		return true, pr.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace.
func (pr *Process) Stop(grace time.Duration) error {
	if done, _ := pr.Exited(); done {
		return nil
	}
	_ = syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-pr.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGKILL)
		<-pr.done
	}
	return nil
}

// Probe runs the container's probe of the given kind once ("readiness", "liveness",
// "startup"); nil means it passed.
func (c *Container) Probe(ctx context.Context, kind string) error {
	var pr *corev1.Probe
	switch kind {
	case "readiness":
		pr = c.spec.ReadinessProbe
	case "liveness":
		pr = c.spec.LivenessProbe
	case "startup":
		pr = c.spec.StartupProbe
	}
	if pr == nil {
		return fmt.Errorf("container %s has no %s probe", c.Name, kind)
	}
	timeout := time.Duration(max(pr.TimeoutSeconds, 1)) * time.Second
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case pr.HTTPGet != nil:
		port, err := c.pod.LocalPort(pr.HTTPGet.Port.String())
		if err != nil {
			return err
		}
		return httpGet(ctx, fmt.Sprintf("http://127.0.0.1:%d%s", port, pr.HTTPGet.Path))
	case pr.TCPSocket != nil:
		port, err := c.pod.LocalPort(pr.TCPSocket.Port.String())
		if err != nil {
			return err
		}
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return err
		}
		return conn.Close()
	case pr.Exec != nil:
		argv := make([]string, len(pr.Exec.Command))
		for i, a := range pr.Exec.Command {
			argv[i] = c.rewrite.value(a)
		}
		cmd, err := c.command(ctx, argv)
		if err != nil {
			return err
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("exec probe %v: %w: %s", argv, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	return fmt.Errorf("container %s: unsupported %s probe", c.Name, kind)
}

// WaitProbe repeats a probe until it passes, the process exits or ctx ends.
func (c *Container) WaitProbe(ctx context.Context, kind string, pr *Process) error {
	var last error
	for {
		if pr != nil {
			if done, err := pr.Exited(); done {
				return fmt.Errorf("container %s exited (%v) before its %s probe passed; output:\n%s", c.Name, err, kind, tail(pr.Output(), 4000))
			}
		}
		if last = c.Probe(ctx, kind); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			out := ""
			if pr != nil {
				out = tail(pr.Output(), 4000)
			}
			return fmt.Errorf("container %s: %s probe still failing (%v) when %w; output:\n%s", c.Name, kind, last, ctx.Err(), out)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// syncBuffer keeps the last max bytes written (0: everything), safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	if s.max > 0 && len(s.b) > s.max {
		s.b = append([]byte{}, s.b[len(s.b)-s.max:]...)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

type prefixWriter struct {
	name string
	w    io.Writer
}

func (p prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Fprintf(p.w, "[%s] %s", p.name, line)
		}
	}
	return len(b), nil
}
