// Command image builds the flotilla-hook OCI image (used by `make image`): the static binary for
// each platform (compiled here unless --bin gives it) under an OCI index, written as an OCI
// layout and pushed with --push. The build itself is pkg/hookimage's, shared with `flotilla release`.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/flotilla/flotilla/pkg/hookimage"
	"github.com/flotilla/flotilla/pkg/ociimage"
)

type binFlag map[string]string

func (b binFlag) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binFlag) Set(v string) error {
	p, path, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want os/arch=path, got %q", v)
	}
	b[p] = path
	return nil
}

func main() {
	bins := binFlag{}
	flag.Var(bins, "bin", "platform=path of a prebuilt static binary, e.g. linux/arm64=build/bin/linux_arm64/flotilla-hook (repeatable; default: compile linux/amd64 and linux/arm64)")
	out := flag.String("out", "build/image/flotilla-hook", "OCI layout directory to write")
	push := flag.String("push", "", "also push to this reference (registry/repo:tag); loopback registries use plain HTTP")
	ca := flag.String("ca", "/etc/ssl/certs/ca-certificates.crt", "CA bundle (Debian package ca-certificates)")
	version := flag.String("version", "dev", "image version label and layout tag")
	revision := flag.String("revision", "", "git commit for org.opencontainers.image.revision")
	source := flag.String("source", "https://github.com/flotilla/flotilla", "org.opencontainers.image.source")
	licenses := flag.String("licenses", "NOASSERTION", "org.opencontainers.image.licenses (SPDX expression)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, log, *out, *push, hookimage.Options{
		Binaries: bins, CACerts: *ca, Version: *version, Revision: *revision, Source: *source, Licenses: *licenses, Log: log,
	}); err != nil {
		log.Error("image failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, out, push string, o hookimage.Options) error {
	// make runs this from the module root, where ./cmd/flotilla-hook is compiled.
	o.Root = "."
	start := time.Now()
	idx, err := hookimage.Build(ctx, o)
	if err != nil {
		return err
	}
	if err := ociimage.WriteLayout(out, idx, o.Version); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	log.Info(fmt.Sprintf("wrote OCI layout %s: index %s, %d platform(s), %d bytes on disk", out, digest, len(im.Manifests), dirSize(out)), "duration", time.Since(start).Round(time.Millisecond).String())
	if push != "" {
		ref, err := ociimage.Push(ctx, idx, push)
		if err != nil {
			return err
		}
		log.Info(fmt.Sprintf("pushed %s@%s", ref, digest))
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
