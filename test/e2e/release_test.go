//go:build e2e

package e2e

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/ocisign"
	"github.com/flotilla/flotilla/pkg/release/releasetest"
	"github.com/flotilla/flotilla/pkg/render"
)

// releaseRun names this test binary's registry namespaces, so a plane reused across runs
// (make cluster-up, then go test twice) never finds a version already published.
var releaseRun = randSuffix(5)

// releaseEnv is what every `flotilla release` of this run shares: the binary and the keys.
type releaseEnv struct {
	bin  string
	keys releasetest.Keys
	err  error
}

var (
	relOnce sync.Once
	rel     releaseEnv
)

// releaseSetup makes throwaway signing keys for ./cmd/flotilla (goBinary).
func releaseSetup(t *testing.T) releaseEnv {
	t.Helper()
	relOnce.Do(func() {
		dir := filepath.Join(env.Work, "release-setup")
		if rel.bin, rel.err = goBinary("./cmd/flotilla"); rel.err != nil {
			return
		}
		if rel.err = os.MkdirAll(dir, 0o755); rel.err != nil {
			return
		}
		rel.keys = releasetest.NewKeys(t, dir)
		// flotilla release reads its keys from the environment, as in CI.
		for k, v := range map[string]string{
			"FLOTILLA_PGP_KEYRING": rel.keys.PGP.Keyring, "FLOTILLA_PGP_KEY": rel.keys.PGP.Name,
			"FLOTILLA_PGP_KEY_URL": rel.keys.PGP.PublicKeyURL, "FLOTILLA_PGP_PASSPHRASE": string(rel.keys.PGP.Passphrase),
			"FLOTILLA_COSIGN_KEY": rel.keys.CosignKey, "COSIGN_PASSWORD": string(rel.keys.CosignPassword),
		} {
			if rel.err = os.Setenv(k, v); rel.err != nil {
				return
			}
		}
	})
	if rel.err != nil {
		t.Fatalf("STEP FAILED: build flotilla: %v", rel.err)
	}
	return rel
}

// release runs `flotilla release` into <registry>/<namespace> and returns stdout, stderr, error.
func (r releaseEnv) release(t *testing.T, namespace, version string, extra ...string) (string, string, error) {
	t.Helper()
	args := append([]string{"release", "--registry", env.Registry + "/" + namespace, "--plain-http", "--version", version,
		"--out", filepath.Join(env.Work, "release-out", namespace)}, extra...)
	return try3(t, "flotilla release "+namespace, nil, r.bin, args...)
}

var installLine = regexp.MustCompile(`(?m)^helm install (\S+) oci://(\S+) --version (\S+) --plain-http$`)

// released is one chart a `flotilla release` printed.
type released struct{ Name, Repo, Version string }

func parseInstallLines(t *testing.T, out string) []released {
	t.Helper()
	var rs []released
	for _, m := range installLine.FindAllStringSubmatch(out, -1) {
		rs = append(rs, released{Name: m[1], Repo: m[2], Version: m[3]})
	}
	if len(rs) == 0 {
		t.Fatalf("STEP FAILED: flotilla release printed no `helm install` line:\n%s", indent(out))
	}
	return rs
}

// pullVerified runs `helm pull --verify` (provenance checked against the public keyring) and
// returns the .tgz path; untar also unpacks it under dest.
func (e releaseEnv) pullVerified(t *testing.T, r released, dest string, untar bool) string {
	t.Helper()
	args := []string{"pull", "oci://" + r.Repo, "--version", r.Version, "--plain-http", "--verify", "--keyring", e.keys.PGPPublicRing, "-d", dest}
	if untar {
		args = append(args, "--untar", "--untardir", dest)
	}
	must(t, "helm pull --verify "+r.Name, nil, "helm", args...)
	return filepath.Join(dest, r.Name+"-"+r.Version+".tgz")
}

func loadPub(t *testing.T, file string) crypto.PublicKey {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ocisign.LoadPublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// snapshotRegistry lists repository:tag -> digest for repositories under namespace.
func snapshotRegistry(t *testing.T, namespace string) map[string]string {
	t.Helper()
	reg, err := name.NewRegistry(env.Registry, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg)
	if err != nil {
		t.Fatalf("STEP FAILED: registry catalog: %v", err)
	}
	out := map[string]string{}
	for _, repo := range repos {
		if !strings.HasPrefix(repo, namespace+"/") {
			continue
		}
		tags, err := remote.List(reg.Repo(repo))
		if err != nil {
			t.Fatalf("STEP FAILED: list %s: %v", repo, err)
		}
		for _, tag := range tags {
			d, err := remote.Head(reg.Repo(repo).Tag(tag))
			if err != nil {
				t.Fatalf("STEP FAILED: head %s:%s: %v", repo, tag, err)
			}
			out[repo+":"+tag] = d.Digest.String()
		}
	}
	return out
}

var imageField = regexp.MustCompile(`(?m)^\s*(?:-\s+)?image:\s*"?([^"\s]+)"?\s*$`)

// TestRelease: `flotilla release` to the loopback registry publishes the hook image and every
// chart, pinned to each other and signed; a second release of the same version is refused and
// leaves the registry as it was.
func TestRelease(t *testing.T) {
	r := releaseSetup(t)
	ns := "release-" + releaseRun
	const version = "0.1.0"
	start := time.Now()
	out, errOut, err := r.release(t, ns, version)
	if err != nil {
		t.Fatalf("STEP FAILED: flotilla release: %v", err)
	}
	t.Logf("flotilla release (image build, 3 charts packaged, signed, pushed): %.0fs\n%s", time.Since(start).Seconds(), indent(out+lastLines(errOut, 8)))
	charts := parseInstallLines(t, out)
	pub := loadPub(t, r.keys.CosignPub)
	other := loadPub(t, releasetest.NewKeys(t, t.TempDir()).CosignPub)

	m := regexp.MustCompile(`(?m)^image (\S+):` + regexp.QuoteMeta(version) + `@(sha256:[0-9a-f]{64})$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("STEP FAILED: flotilla release printed no image line:\n%s", indent(out))
	}
	image, err := name.NewDigest(m[1]+"@"+m[2], name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("image", func(t *testing.T) {
		if _, err := remote.Head(image.Context().Tag(version)); err != nil {
			t.Errorf("image tag %s:%s missing: %v", image.Context(), version, err)
		}
		if err := ocisign.Verify(context.Background(), image, pub); err != nil {
			t.Errorf("STEP FAILED: cosign-style signature of %s: %v", image, err)
		}
		if err := ocisign.Verify(context.Background(), image, other); err == nil {
			t.Errorf("the image signature verified with another key")
		}
	})

	for _, c := range charts {
		t.Run(c.Name, func(t *testing.T) {
			dest := t.TempDir()
			tgz := r.pullVerified(t, c, dest, false)

			// Every image of ours that the chart runs, with its defaults and every example, is
			// pinned by digest and resolves in the registry.
			ch, err := render.Load(context.Background(), tgz, render.LoadOptions{})
			if err != nil {
				t.Fatalf("STEP FAILED: load %s: %v", tgz, err)
			}
			ours := map[string]bool{}
			exs, _ := filepath.Glob(filepath.Join(env.RepoRoot, "examples", c.Name, "*.yaml"))
			for _, vals := range append([][]string{nil}, splitEach(exs)...) {
				res, err := render.Render(ch, render.Options{ReleaseName: "e2e", Namespace: "e2e-release", KubeVersion: kubeVersion(t), ValueFiles: vals})
				if err != nil {
					t.Fatalf("STEP FAILED: render %s %v: %v", c.Name, vals, err)
				}
				for _, mf := range append(res.Manifests, res.Hooks...) {
					for _, im := range imageField.FindAllStringSubmatch(mf.YAML, -1) {
						if strings.Contains(im[1], "flotilla-hook") {
							ours[im[1]] = true
						}
					}
				}
			}
			if len(ours) == 0 {
				t.Fatalf("%s runs no flotilla-hook image with its defaults or examples: nothing to check", c.Name)
			}
			for im := range ours {
				if im != image.String() {
					t.Errorf("%s runs %s, want the released %s", c.Name, im, image)
				}
				d, err := name.NewDigest(im, name.Insecure)
				if err != nil {
					t.Errorf("%s: %v", im, err)
					continue
				}
				if _, err := remote.Head(d); err != nil {
					t.Errorf("STEP FAILED: %s does not resolve in the registry: %v", im, err)
				}
			}

			ref, err := name.NewTag(c.Repo+":"+c.Version, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			desc, err := remote.Head(ref)
			if err != nil {
				t.Fatalf("STEP FAILED: chart manifest %s: %v", ref, err)
			}
			chartDigest := ref.Context().Digest(desc.Digest.String())
			if err := ocisign.Verify(context.Background(), chartDigest, pub); err != nil {
				t.Errorf("STEP FAILED: cosign-style signature of %s: %v", chartDigest, err)
			}
			if err := ocisign.Verify(context.Background(), chartDigest, other); err == nil {
				t.Errorf("the signature of %s verified with another key", chartDigest)
			}

			// A package whose values were changed after signing fails helm verify.
			must(t, "tamper with "+c.Name, nil, "bash", "-c", `set -euo pipefail; d=$(mktemp -d); tar -xzf "$1" -C "$d"
sed -i 's/sha256:[0-9a-f]\{64\}/sha256:0000000000000000000000000000000000000000000000000000000000000000/' "$d/$2/values.yaml"
tar -czf "$1" -C "$d" "$2"; rm -rf "$d"`, "tamper", tgz, c.Name)
			if out, err := try(t, "helm verify tampered "+c.Name, nil, "helm", "verify", tgz, "--keyring", r.keys.PGPPublicRing); err == nil {
				t.Errorf("helm verify accepted a tampered %s:\n%s", c.Name, out)
			} else if !strings.Contains(err.Error(), "sha256 sum does not match") {
				t.Errorf("helm verify failed for another reason than the checksum: %v", err)
			}
		})
	}

	t.Run("same version again is refused", func(t *testing.T) {
		before := snapshotRegistry(t, ns)
		_, errOut, err := r.release(t, ns, version)
		if err == nil {
			t.Fatalf("a second `flotilla release --version %s` succeeded", version)
		}
		if !strings.Contains(errOut, "already published, nothing was pushed") {
			t.Errorf("refusal does not say why:\n%s", indent(errOut))
		}
		after := snapshotRegistry(t, ns)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("the refused release changed the registry:\nbefore %v\nafter  %v", before, after)
		}
		t.Logf("refused, registry unchanged (%d tags under %s/)", len(after), ns)
	})
}

func splitEach(files []string) [][]string {
	var out [][]string
	for _, f := range files {
		out = append(out, []string{f})
	}
	return out
}

// previousRelease is a release of the charts at an earlier git ref (release N-1 for
// ct install --upgrade): released by `flotilla release` into the loopback registry, pulled back
// with `helm pull --verify` and unpacked.
type previousRelease struct {
	ref    string            // git ref the charts come from
	why    string            // how the ref was chosen
	charts map[string]string // chart name -> unpacked directory
	err    error
}

var (
	releasesMu sync.Mutex
	releasesAt = map[string]*previousRelease{} // by ref, each released once per test binary
)

// previousRef picks the previous release: $E2E_PREVIOUS_RELEASE, else the newest v* tag before
// HEAD, else (no release tagged yet) the branch point from main, else HEAD's parent.
func previousRef(ctx context.Context) (ref, why string) {
	if r := os.Getenv("E2E_PREVIOUS_RELEASE"); r != "" {
		return r, "$E2E_PREVIOUS_RELEASE"
	}
	if tag := repoGit(ctx, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD"); tag != "" {
		return tag, "the newest release tag"
	}
	head := repoGit(ctx, "rev-parse", "HEAD")
	if mb := repoGit(ctx, "merge-base", "HEAD", "main"); mb != "" && mb != head {
		return mb, "no release tag yet: the branch point from main"
	}
	if parent := repoGit(ctx, "rev-parse", "--verify", "-q", "HEAD^"); parent != "" {
		return parent, "no release tag yet: HEAD's parent"
	}
	return "", "no release tag and no earlier commit"
}

// repoGit runs git in the repository under test; "" when it fails (no such ref, shallow clone).
func repoGit(ctx context.Context, args ...string) string {
	out, err := runCmd(ctx, "", nil, "git", append([]string{"-C", env.RepoRoot}, args...)...)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func previous(t *testing.T) *previousRelease {
	t.Helper()
	ref, why := previousRef(context.Background())
	return releasedAt(t, ref, why)
}

// releasedAt releases the charts as they were at ref (once per ref and test binary).
func releasedAt(t *testing.T, ref, why string) *previousRelease {
	t.Helper()
	releasesMu.Lock()
	defer releasesMu.Unlock()
	p := releasesAt[ref]
	if p == nil {
		p = &previousRelease{ref: ref, why: why}
		releasesAt[ref] = p
		if ref != "" {
			p.err = p.release(t)
		}
	}
	if p.err != nil {
		t.Fatalf("STEP FAILED: release of %s (%s): %v", p.ref, p.why, p.err)
	}
	return p
}

func (p *previousRelease) release(t *testing.T) error {
	t.Helper()
	r := releaseSetup(t)
	ctx := context.Background()
	short := repoGit(ctx, "rev-parse", "--short=10", p.ref)
	if short == "" {
		return fmt.Errorf("git ref %q is not in this clone (a shallow clone has no history: fetch it)", p.ref)
	}
	base := filepath.Join(env.Work, "previous", short)
	src := filepath.Join(base, "src")
	_ = os.RemoveAll(base)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	if _, err := runCmd(ctx, "", nil, "bash", "-c", `set -o pipefail; git -C "$1" archive --format=tar "$2" charts | tar -x -C "$3"`,
		"archive", env.RepoRoot, p.ref, src); err != nil {
		return err
	}
	version := "0.0.0-previous.g" + short
	if v, ok := strings.CutPrefix(p.ref, "v"); ok {
		version = v
	}
	out, errOut, err := r.release(t, "previous-"+short+"-"+releaseRun, version, "--charts", filepath.Join(src, "charts"))
	if err != nil {
		return fmt.Errorf("flotilla release of %s: %w", p.ref, err)
	}
	t.Logf("release of %s (%s) published as hook %s:\n%s", p.ref, p.why, version, indent(out+lastLines(errOut, 4)))
	p.charts = map[string]string{}
	dest := filepath.Join(base, "pulled")
	for _, c := range parseInstallLines(t, out) {
		r.pullVerified(t, c, dest, true)
		p.charts[c.Name] = filepath.Join(dest, c.Name)
	}
	return nil
}

// previousChart is c's directory in the previous release, or "" (said in the log) when c is the
// harness's own chart or the previous release has no such chart.
func previousChart(t *testing.T, c chartUnderTest) string {
	t.Helper()
	if !c.Product {
		t.Logf("NOTE: %s is the harness's test chart, never released: ct install runs without --upgrade", c.Name)
		return ""
	}
	p := previous(t)
	dir := p.charts[c.Name]
	if dir == "" {
		t.Logf("NOTE: the previous release (%s: %q) has no %s: ct install runs without --upgrade", p.why, p.ref, c.Name)
		return ""
	}
	var meta struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(dir, "Chart.yaml")); err == nil {
		_ = yaml.Unmarshal(b, &meta)
	}
	t.Logf("ct install --upgrade: %s %s from the previous release (%s: %s) -> %s in the working tree", c.Name, meta.Version, p.why, p.ref, c.Version)
	return dir
}
