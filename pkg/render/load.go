package render

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/flotilla/flotilla/charts"
)

// LoadOptions tune how a chart reference is fetched.
type LoadOptions struct {
	// Version of an oci:// chart (its tag). Empty: the tag or digest in the reference, else the
	// highest SemVer tag of the repository (pre-releases excluded), as helm install does.
	Version string
	// PlainHTTP talks to an OCI registry over http (loopback test registries).
	PlainHTTP bool
	// CredentialsFile is a registry credentials file (Docker config format); empty uses Helm's default.
	CredentialsFile string
}

// Load loads a chart by reference: the name of an embedded chart ("flowise"), a chart
// directory, a packaged .tgz, or an oci:// reference. It uses Helm's own loader.
func Load(ctx context.Context, ref string, opts LoadOptions) (*chart.Chart, error) {
	switch {
	case strings.HasPrefix(ref, "oci://"):
		ch, err := loadOCI(ctx, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", ref, err)
		}
		return ch, nil
	case slices.Contains(charts.Names, ref):
		if _, err := os.Stat(ref); err == nil {
			// A local directory of that name wins, like helm's own resolution of paths.
			break
		}
		ch, err := LoadFS(charts.FS, ref)
		if err != nil {
			return nil, fmt.Errorf("load embedded chart %s: %w", ref, err)
		}
		return ch, nil
	}
	if _, err := os.Stat(ref); err != nil {
		return nil, fmt.Errorf("load %s: not an embedded chart (%s), a chart directory, a .tgz or an oci:// reference: %w",
			ref, strings.Join(charts.Names, ", "), err)
	}
	ch, err := loader.Load(ref)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", ref, err)
	}
	return ch, nil
}

// LoadFS loads the chart in directory dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*chart.Chart, error) {
	var files []*loader.BufferedFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, &loader.BufferedFile{Name: strings.TrimPrefix(p, dir+"/"), Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no chart files under %s", path.Clean(dir))
	}
	return loader.LoadFiles(files)
}

func loadOCI(ctx context.Context, ref string, opts LoadOptions) (*chart.Chart, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	clientOpts := []registry.ClientOption{registry.ClientOptWriter(ioDiscard{})}
	if opts.PlainHTTP {
		clientOpts = append(clientOpts, registry.ClientOptPlainHTTP())
	}
	if opts.CredentialsFile != "" {
		clientOpts = append(clientOpts, registry.ClientOptCredentialsFile(opts.CredentialsFile))
	}
	client, err := registry.NewClient(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("registry client: %w", err)
	}
	target := strings.TrimPrefix(ref, "oci://")
	switch {
	case opts.Version != "":
		target += ":" + opts.Version
	case !OCIRefPinned(ref):
		tags, err := client.Tags(target)
		if err != nil {
			return nil, fmt.Errorf("no version given: list tags: %w", err)
		}
		tag, err := registry.GetTagMatchingVersionOrConstraint(tags, "")
		if err != nil {
			return nil, fmt.Errorf("no version given and no SemVer release tag to default to (tags %v): pass a version", tags)
		}
		target += ":" + tag
	}
	res, err := client.Pull(target)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	return loader.LoadArchive(bytes.NewReader(res.Chart.Data))
}

// OCIRefPinned reports whether an oci:// reference names its tag or digest itself.
func OCIRefPinned(ref string) bool {
	last := ref[strings.LastIndex(ref, "/")+1:]
	return strings.ContainsAny(last, ":@")
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }
