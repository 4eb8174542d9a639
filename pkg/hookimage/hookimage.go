// Package hookimage builds the flotilla-hook OCI image from a Flotilla checkout: it compiles
// the static binary for every platform with the go command and assembles the multi-arch image
// with pkg/ociimage. `make image` (hack/image) and `flotilla release` both build it here.
package hookimage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/flotilla/flotilla/pkg/ociimage"
)

// Platforms the image is built for by default.
var Platforms = []string{"linux/amd64", "linux/arm64"}

// Package is the Go package of the binary, relative to the module root.
const Package = "./cmd/flotilla-hook"

// Options describe one build.
type Options struct {
	// Root is the module root the binary is compiled in.
	Root string
	// Go is the go command (default "go").
	Go string
	// BinDir receives <os>_<arch>/flotilla-hook (default Root/build/bin).
	BinDir string
	// Platforms to build (default Platforms).
	Platforms []string
	// Binaries maps a platform to a prebuilt binary; when set nothing is compiled.
	Binaries map[string]string
	// Version is the org.opencontainers.image.version label.
	Version string
	// Revision is the git commit (org.opencontainers.image.revision); empty leaves it out.
	Revision string
	// Source and Licenses label the image (defaults: the GitHub repository, NOASSERTION).
	Source, Licenses string
	// CACerts is the CA bundle installed in the image (default Debian's ca-certificates).
	CACerts string
	// Created stamps the image; zero means SOURCE_DATE_EPOCH, else the Unix epoch (reproducible).
	Created time.Time
	// Log receives progress (default slog.Default()).
	Log *slog.Logger
}

// Build compiles (unless Binaries is set) and assembles the image index.
func Build(ctx context.Context, o Options) (v1.ImageIndex, error) {
	o.defaults()
	bins := o.Binaries
	if len(bins) == 0 {
		var err error
		if bins, err = Compile(ctx, o); err != nil {
			return nil, err
		}
	}
	return ociimage.Build(ociimage.Options{Binaries: bins, CACerts: o.CACerts, Labels: Labels(o), Created: o.Created})
}

func (o *Options) defaults() {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.BinDir == "" {
		o.BinDir = filepath.Join(o.Root, "build", "bin")
	}
	if len(o.Platforms) == 0 {
		o.Platforms = Platforms
	}
	if o.Source == "" {
		o.Source = "https://github.com/flotilla/flotilla"
	}
	if o.Licenses == "" {
		o.Licenses = "NOASSERTION"
	}
	if o.CACerts == "" {
		o.CACerts = "/etc/ssl/certs/ca-certificates.crt"
	}
	if o.Created.IsZero() {
		o.Created = CreatedFromEnv()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Compile builds a static flotilla-hook for each of o.Platforms and returns platform -> path.
func Compile(ctx context.Context, o Options) (map[string]string, error) {
	o.defaults()
	bins := map[string]string{}
	for _, p := range o.Platforms {
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok {
			return nil, fmt.Errorf("platform %q is not os/arch", p)
		}
		out := filepath.Join(o.BinDir, goos+"_"+goarch, "flotilla-hook")
		start := time.Now()
		// Static, no build paths, no symbols: the same source gives the same image digest.
		cmd := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-ldflags", "-s -w", "-o", out, Package)
		cmd.Dir = o.Root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("compile flotilla-hook for %s: %w\n%s", p, err, b)
		}
		o.Log.Info("compiled flotilla-hook", "platform", p, "path", out, "duration", time.Since(start).Round(time.Millisecond).String())
		bins[p] = out
	}
	return bins, nil
}

// Labels are the image's OCI labels (also index annotations).
func Labels(o Options) map[string]string {
	o.defaults()
	labels := map[string]string{
		"org.opencontainers.image.title":       "flotilla-hook",
		"org.opencontainers.image.description": "Flotilla's companion binary: PostgreSQL bootstrap and FlowKit cache pruning",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.licenses":    o.Licenses,
	}
	if o.Revision != "" {
		labels["org.opencontainers.image.revision"] = o.Revision
	}
	return labels
}

// CreatedFromEnv is SOURCE_DATE_EPOCH when set and valid, else the Unix epoch.
func CreatedFromEnv() time.Time {
	if secs, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return time.Unix(secs, 0).UTC()
	}
	return time.Unix(0, 0).UTC()
}

// Revision is the checkout's HEAD commit, or "" outside git.
func Revision(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
