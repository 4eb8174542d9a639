//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestCompanionImage builds the flotilla-hook image with `make image`, pushes it to the loopback
// registry, and checks its manifest list (linux/amd64 and linux/arm64) with go-containerregistry.
func TestCompanionImage(t *testing.T) {
	if out, err := exec.Command("make", "-C", env.RepoRoot, "-n", "image").CombinedOutput(); err != nil {
		t.Skipf("SKIPPED LOUDLY: the Makefile has no `image` target yet (make -n image: %s): the companion image is NOT checked", strings.TrimSpace(string(out)))
	}
	ref := env.Registry + "/flotilla-hook:e2e"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	out, errOut, err := runCmd3(ctx, "", nil, "nice", "-n", "10", "make", "image", "IMAGE="+ref)
	if err != nil {
		t.Fatalf("STEP FAILED: make image IMAGE=%s: %v", ref, err)
	}
	t.Logf("make image IMAGE=%s took %.0fs\n%s", ref, time.Since(start).Seconds(), indent(lastLines(out+errOut, 15)))

	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r, remote.WithContext(ctx))
	if err != nil {
		t.Fatalf("STEP FAILED: fetch the image index %s: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("STEP FAILED: read the index manifest: %v", err)
	}
	var platforms []string
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" { // attestation manifests
			continue
		}
		p := d.Platform.OS + "/" + d.Platform.Architecture
		platforms = append(platforms, p)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Errorf("%s: image %s: %v", p, d.Digest, err)
			continue
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Errorf("%s: config: %v", p, err)
			continue
		}
		if cfg.OS+"/"+cfg.Architecture != p {
			t.Errorf("%s: config says %s/%s", p, cfg.OS, cfg.Architecture)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) == 0 {
			t.Errorf("%s: no layers (%v)", p, err)
		}
		t.Logf("%s: %s, %d layers, entrypoint %v, user %q", p, d.Digest, len(layers), cfg.Config.Entrypoint, cfg.Config.User)
	}
	sort.Strings(platforms)
	for _, want := range []string{"linux/amd64", "linux/arm64"} {
		if i := sort.SearchStrings(platforms, want); i >= len(platforms) || platforms[i] != want {
			t.Errorf("manifest list %s lacks %s (has %v)", ref, want, platforms)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
