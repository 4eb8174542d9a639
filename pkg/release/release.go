// Package release publishes Flotilla to an OCI registry in one go: it builds the flotilla-hook
// image, pins its digest into every chart's packaged defaults, packages the charts, signs them
// (Helm provenance with OpenPGP, and cosign-compatible signatures for the charts and the image)
// and pushes everything. It refuses to overwrite a version the registry already has, and checks
// that before pushing anything.
package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/hookimage"
	"github.com/flotilla/flotilla/pkg/ocisign"
)

// ImageName is the hook image's repository under the registry.
const ImageName = "flotilla-hook"

// Options describe one release.
type Options struct {
	// Registry is where everything goes: the image to <Registry>/flotilla-hook:<Version>, the
	// charts to <Registry>/charts/<chart>:<chart version>, e.g. "ghcr.io/flotilla".
	Registry string
	// PlainHTTP talks HTTP to the registry (a loopback test registry).
	PlainHTTP bool
	// Version tags the hook image (SemVer); each chart's version is its own (Chart.yaml).
	Version string
	// ChartsDir holds one directory per chart to release.
	ChartsDir string
	// OutDir receives the packages, their .prov files and cosign.pub.
	OutDir string
	// HookRepository is the image repository the charts' defaults name for flotilla-hook
	// (default: chartvalues' DefaultHook); those values are pinned to the pushed image.
	HookRepository string
	// PGP signs the packages (.prov).
	PGP PGPKey
	// CosignKey is the PEM private key for the cosign-compatible signatures; CosignPassword
	// unlocks cosign's encrypted format.
	CosignKey      string
	CosignPassword []byte
	// Hook builds the image (Root, Go, Revision...); Version is set from Version.
	Hook hookimage.Options
	// Log receives progress (default slog.Default()).
	Log *slog.Logger
}

// Result is what a release published.
type Result struct {
	// Image is the pushed hook image, by digest.
	Image name.Digest
	// Charts are the pushed charts, in name order.
	Charts []Chart
}

// Chart is one released chart.
type Chart struct {
	Name, Version string
	// Repository is oci://<registry>/charts/<name>.
	Repository string
	// Digest is the chart's manifest in the registry.
	Digest name.Digest
	// Package and Provenance are the files under OutDir.
	Package, Provenance string
	// Pinned lists the values pinned to the released image ("hook.image").
	Pinned []string
}

// InstallCommand is the helm command that installs this chart version.
func (c Chart) InstallCommand(plainHTTP bool) string {
	cmd := fmt.Sprintf("helm install %s %s --version %s", c.Name, c.Repository, c.Version)
	if plainHTTP {
		cmd += " --plain-http"
	}
	return cmd
}

// ErrExists is returned (wrapped) when the registry already has a version being released.
var ErrExists = errors.New("already published")

// Run publishes. Keys, charts and the registry's existing versions are checked before anything
// is pushed; the image is built and every chart packaged and PGP-signed locally before the
// first push, so a failure there leaves the registry untouched.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	log := o.Log
	pgp, err := loadPGP(o.PGP)
	if err != nil {
		return nil, err
	}
	cosign, err := ocisign.LoadSigner(o.CosignKey, o.CosignPassword)
	if err != nil {
		return nil, err
	}
	charts, err := loadCharts(o.ChartsDir)
	if err != nil {
		return nil, err
	}
	t, err := newTarget(ctx, o.Registry, o.PlainHTTP)
	if err != nil {
		return nil, err
	}
	imageTag := t.image.Tag(o.Version)
	if err := refuseExisting(t, imageTag, charts); err != nil {
		return nil, err
	}

	start := time.Now()
	hook := o.Hook
	hook.Version, hook.Log = o.Version, log
	idx, err := hookimage.Build(ctx, hook)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", imageTag, err)
	}
	digest, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	img := Image{Repository: t.image.Name(), Tag: o.Version, Digest: digest.String()}
	log.Info("built image", "image", img.String(), "duration", time.Since(start).Round(time.Millisecond).String())

	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	res := &Result{Image: t.image.Digest(digest.String())}
	for _, ch := range charts {
		c, err := pack(ch, o, img, pgp)
		if err != nil {
			return nil, err
		}
		c.Repository = "oci://" + t.charts.Name() + "/" + c.Name
		res.Charts = append(res.Charts, c)
	}
	pub, err := cosign.PublicKeyPEM()
	if err == nil {
		err = os.WriteFile(filepath.Join(o.OutDir, "cosign.pub"), pub, 0o644)
	}
	if err != nil {
		return nil, fmt.Errorf("write cosign.pub: %w", err)
	}

	// Everything is ready: push the image before the charts that pin it.
	if err := remote.WriteIndex(imageTag, idx, t.remote...); err != nil {
		return nil, fmt.Errorf("push %s: %w", imageTag, err)
	}
	if _, err := cosign.Sign(ctx, res.Image, t.remote...); err != nil {
		return nil, err
	}
	log.Info("pushed and signed image", "image", res.Image.String())
	for i, c := range res.Charts {
		if res.Charts[i].Digest, err = pushChart(t, c); err != nil {
			return nil, err
		}
		if _, err := cosign.Sign(ctx, res.Charts[i].Digest, t.remote...); err != nil {
			return nil, err
		}
		log.Info("pushed and signed chart", "chart", res.Charts[i].Digest.String(), "version", c.Version)
	}
	return res, nil
}

func (o *Options) defaults() error {
	if o.Registry == "" {
		return errors.New("no registry given")
	}
	if _, err := semver.StrictNewVersion(o.Version); err != nil {
		return fmt.Errorf("version %q is not SemVer (MAJOR.MINOR.PATCH): %w", o.Version, err)
	}
	if strings.Contains(o.Version, "+") {
		return fmt.Errorf("version %q: build metadata (+…) cannot be an image tag", o.Version)
	}
	if o.ChartsDir == "" {
		o.ChartsDir = filepath.Join(o.Hook.Root, "charts")
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join(o.Hook.Root, "build", "release", o.Version)
	}
	if o.HookRepository == "" {
		o.HookRepository = chartvalues.DefaultHook().Image.Repository
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return nil
}

// loadCharts loads every chart directory under dir, in name order.
func loadCharts(dir string) ([]*chart.Chart, error) {
	found, err := filepath.Glob(filepath.Join(dir, "*", chartutil.ChartfileName))
	if err != nil {
		return nil, err
	}
	slices.Sort(found)
	var out []*chart.Chart
	for _, f := range found {
		ch, err := loader.LoadDir(filepath.Dir(f))
		if err != nil {
			return nil, fmt.Errorf("load chart %s: %w", filepath.Dir(f), err)
		}
		out = append(out, ch)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no chart (*/Chart.yaml) under %s", dir)
	}
	return out, nil
}

// target is the registry: repositories and the options every request carries.
type target struct {
	image, charts name.Repository
	plainHTTP     bool
	remote        []remote.Option
}

func newTarget(ctx context.Context, reg string, plainHTTP bool) (target, error) {
	var opts []name.Option
	if plainHTTP {
		opts = append(opts, name.Insecure)
	}
	reg = strings.TrimSuffix(strings.TrimPrefix(reg, "oci://"), "/")
	image, err := name.NewRepository(reg+"/"+ImageName, opts...)
	if err != nil {
		return target{}, fmt.Errorf("registry %q: %w", reg, err)
	}
	charts, err := name.NewRepository(reg+"/charts", opts...)
	if err != nil {
		return target{}, fmt.Errorf("registry %q: %w", reg, err)
	}
	// Helm's registry client and go-containerregistry both read Docker's credentials
	// (docker login / ~/.docker/config.json), so one login serves the whole release.
	return target{image: image, charts: charts, plainHTTP: plainHTTP,
		remote: []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}}, nil
}

// chartTag is the OCI tag Helm pushes a chart version under ('+' is not allowed in tags).
func (t target) chartTag(ch *chart.Chart) name.Tag {
	return t.charts.Registry.Repo(t.charts.RepositoryStr(), ch.Name()).Tag(strings.ReplaceAll(ch.Metadata.Version, "+", "_"))
}

// refuseExisting fails, naming each one, when the image tag or a chart version is already in
// the registry: published versions are immutable.
func refuseExisting(t target, image name.Tag, charts []*chart.Chart) error {
	refs := []name.Tag{image}
	for _, ch := range charts {
		refs = append(refs, t.chartTag(ch))
	}
	var exists []string
	for _, ref := range refs {
		_, err := remote.Head(ref, t.remote...)
		switch {
		case err == nil:
			exists = append(exists, ref.String())
		case !ocisign.IsNotFound(err):
			return fmt.Errorf("check %s: %w", ref, err)
		}
	}
	if len(exists) > 0 {
		return fmt.Errorf("%w, nothing was pushed: %s (published versions are never overwritten: bump the release version or the chart's Version)",
			ErrExists, strings.Join(exists, ", "))
	}
	return nil
}

// pack pins, packages and PGP-signs one chart under o.OutDir.
func pack(ch *chart.Chart, o Options, img Image, pgp *provSigner) (Chart, error) {
	pinned, err := Pin(ch, o.HookRepository, img)
	if err != nil {
		return Chart{}, err
	}
	if err := chartutil.ValidateAgainstSchema(ch, ch.Values); err != nil {
		return Chart{}, fmt.Errorf("chart %s: pinned defaults break its schema: %w", ch.Name(), err)
	}
	if ch.Metadata.Annotations == nil {
		ch.Metadata.Annotations = map[string]string{}
	}
	ch.Metadata.Annotations["artifacthub.io/signKey"] = pgp.signKey()
	tgz, err := chartutil.Save(ch, o.OutDir)
	if err != nil {
		return Chart{}, fmt.Errorf("package %s: %w", ch.Name(), err)
	}
	prov, err := pgp.sign(tgz)
	if err != nil {
		return Chart{}, err
	}
	o.Log.Info("packaged and signed chart", "chart", ch.Name(), "version", ch.Metadata.Version, "package", tgz, "pinned", pinned)
	return Chart{Name: ch.Name(), Version: ch.Metadata.Version, Package: tgz, Provenance: prov, Pinned: pinned}, nil
}

// pushChart pushes the package with its provenance, as `helm push` does, and returns the
// manifest digest.
func pushChart(t target, c Chart) (name.Digest, error) {
	opts := []registry.ClientOption{registry.ClientOptEnableCache(true)}
	if t.plainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(opts...)
	if err != nil {
		return name.Digest{}, err
	}
	data, err := os.ReadFile(c.Package)
	if err != nil {
		return name.Digest{}, err
	}
	prov, err := os.ReadFile(c.Provenance)
	if err != nil {
		return name.Digest{}, err
	}
	ref := strings.TrimPrefix(c.Repository, "oci://") + ":" + c.Version // the client turns '+' into '_'
	res, err := client.Push(data, ref, registry.PushOptProvData(prov), registry.PushOptStrictMode(true))
	if err != nil {
		return name.Digest{}, fmt.Errorf("push %s: %w", ref, err)
	}
	h, err := v1.NewHash(res.Manifest.Digest)
	if err != nil {
		return name.Digest{}, fmt.Errorf("push %s: manifest digest: %w", ref, err)
	}
	return t.charts.Registry.Repo(t.charts.RepositoryStr(), c.Name).Digest(h.String()), nil
}
