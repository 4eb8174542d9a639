package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/hookimage"
	"github.com/flotilla/flotilla/pkg/release"
)

// Environment variables release reads secrets (and CI settings) from.
const (
	envPGPKeyring    = "FLOTILLA_PGP_KEYRING"
	envPGPKey        = "FLOTILLA_PGP_KEY"
	envPGPPassphrase = "FLOTILLA_PGP_PASSPHRASE"
	envPGPKeyURL     = "FLOTILLA_PGP_KEY_URL"
	envCosignKey     = "FLOTILLA_COSIGN_KEY"
	envCosignPass    = "COSIGN_PASSWORD" // cosign's own name for it
)

func runRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("release", "release --registry REGISTRY --version VERSION [--plain-http] [--charts DIR]", stderr)
	var o release.Options
	fs.StringVar(&o.Registry, "registry", "", "registry and namespace, e.g. ghcr.io/flotilla: image to REGISTRY/flotilla-hook:VERSION, charts to oci://REGISTRY/charts/CHART")
	fs.StringVar(&o.Version, "version", "", "release version (SemVer): the flotilla-hook image tag; each chart keeps its own version")
	fs.BoolVar(&o.PlainHTTP, "plain-http", false, "talk plain HTTP to the registry (a loopback test registry)")
	fs.StringVar(&o.ChartsDir, "charts", "", "directory of chart directories to release (default: the checkout's charts/, checked against the Go sources first)")
	fs.StringVar(&o.OutDir, "out", "", "where packages, .prov files and cosign.pub go (default build/release/VERSION)")
	fs.StringVar(&o.PGP.Keyring, "pgp-keyring", os.Getenv(envPGPKeyring), "OpenPGP secret keyring, binary (gpg --export-secret-keys), as helm package --keyring [$"+envPGPKeyring+"]")
	fs.StringVar(&o.PGP.Name, "pgp-key", os.Getenv(envPGPKey), "name of the signing key in the keyring, as helm package --key [$"+envPGPKey+"]")
	fs.StringVar(&o.PGP.PublicKeyURL, "pgp-key-url", os.Getenv(envPGPKeyURL), "URL of the armored public key, for artifacthub.io/signKey [$"+envPGPKeyURL+"]")
	passFile := fs.String("pgp-passphrase-file", "", "file holding the PGP key's passphrase (default $"+envPGPPassphrase+"; none: the key is not encrypted)")
	fs.StringVar(&o.CosignKey, "cosign-key", os.Getenv(envCosignKey), "cosign private key (cosign generate-key-pair, password in $"+envCosignPass+") [$"+envCosignKey+"]")
	root := fs.String("root", "", "repository root (default: the directory holding go.mod, found upwards)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: release takes no arguments, got %q", errUsage, pos)
	}
	if o.Registry == "" || o.Version == "" {
		return fmt.Errorf("%w: --registry and --version are required", errUsage)
	}
	if o.PGP.Passphrase, err = secret(*passFile, envPGPPassphrase); err != nil {
		return err
	}
	if pw, ok := os.LookupEnv(envCosignPass); ok {
		o.CosignPassword = []byte(pw)
	}
	dir, err := chartkit.Root(*root)
	if err != nil {
		return err
	}
	if o.ChartsDir == "" {
		// Release what the Go definitions generate, nothing else.
		if err := upToDate(dir); err != nil {
			return err
		}
	}
	o.Hook = hookimage.Options{Root: dir, Revision: hookimage.Revision(ctx, dir)}
	o.Log = slog.New(slog.NewTextHandler(stderr, nil))
	res, err := release.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "image %s:%s@%s\n", res.Image.Context().Name(), o.Version, res.Image.DigestStr())
	for _, c := range res.Charts {
		fmt.Fprintln(stdout, c.InstallCommand(o.PlainHTTP))
	}
	return nil
}

// secret reads a passphrase from file, else from the environment variable; nil when neither.
func secret(file, env string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		return []byte(strings.TrimRight(string(b), "\r\n")), nil
	}
	if v, ok := os.LookupEnv(env); ok {
		return []byte(v), nil
	}
	return nil, nil
}

// upToDate fails when the checkout's charts/ differ from what the Go sources generate.
func upToDate(root string) error {
	files, err := chartkit.Generate(root, catalog.Charts())
	if err != nil {
		return err
	}
	drift, err := chartkit.Check(root, files)
	if err != nil {
		return err
	}
	if len(drift) > 0 {
		return errors.New("charts/ drifted from the Go sources (run `flotilla generate` and commit): " + strings.Join(drift, ", "))
	}
	return nil
}
