// Command image builds the flotilla-hook OCI image (used by `make image`): one image per
// --bin platform=path under an OCI index, written as an OCI layout and pushed with --push.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	flag.Var(bins, "bin", "platform=path of a static binary, e.g. linux/arm64=build/bin/linux_arm64/flotilla-hook (repeatable)")
	out := flag.String("out", "build/image/flotilla-hook", "OCI layout directory to write")
	push := flag.String("push", "", "also push to this reference (registry/repo:tag); loopback registries use plain HTTP")
	ca := flag.String("ca", "/etc/ssl/certs/ca-certificates.crt", "CA bundle (Debian package ca-certificates)")
	version := flag.String("version", "dev", "image version label and layout tag")
	revision := flag.String("revision", "", "git commit for org.opencontainers.image.revision")
	source := flag.String("source", "https://github.com/flotilla/flotilla", "org.opencontainers.image.source")
	licenses := flag.String("licenses", "NOASSERTION", "org.opencontainers.image.licenses (SPDX expression)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	labels := map[string]string{
		"org.opencontainers.image.title":       "flotilla-hook",
		"org.opencontainers.image.description": "Flotilla's companion binary: PostgreSQL bootstrap and FlowKit cache pruning",
		"org.opencontainers.image.version":     *version,
		"org.opencontainers.image.source":      *source,
		"org.opencontainers.image.licenses":    *licenses,
	}
	if *revision != "" {
		labels["org.opencontainers.image.revision"] = *revision
	}
	// Reproducible: timestamps from SOURCE_DATE_EPOCH when set, else the epoch.
	var created time.Time
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var secs int64
		if _, err := fmt.Sscan(s, &secs); err == nil {
			created = time.Unix(secs, 0).UTC()
		}
	}
	start := time.Now()
	idx, err := ociimage.Build(ociimage.Options{Binaries: bins, CACerts: *ca, Labels: labels, Created: created})
	if err == nil {
		err = ociimage.WriteLayout(*out, idx, *version)
	}
	if err != nil {
		log.Error("image build failed", "error", err)
		os.Exit(1)
	}
	digest, _ := idx.Digest()
	size := dirSize(*out)
	log.Info(fmt.Sprintf("wrote OCI layout %s: index %s, %d platform(s), %d bytes on disk", *out, digest, len(bins), size), "duration", time.Since(start).Round(time.Millisecond).String())
	if *push != "" {
		ref, err := ociimage.Push(context.Background(), idx, *push)
		if err != nil {
			log.Error("push failed", "error", err)
			os.Exit(1)
		}
		log.Info(fmt.Sprintf("pushed %s@%s", ref, digest))
	}
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
