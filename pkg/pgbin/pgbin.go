// Package pgbin finds PostgreSQL client and server programs (pg_dump, pg_restore, initdb, ...)
// the way Debian and the official postgres image install them.
package pgbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrNotFound reports that a program exists nowhere we look.
var ErrNotFound = errors.New("not found")

// Dir returns the directory holding program: dir itself when non-empty, else pg_config
// --bindir, else the newest /usr/lib/postgresql/<major>/bin (Debian keeps server programs off
// PATH), else the directory of program on PATH.
func Dir(dir, program string) (string, error) {
	has := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, program))
		return err == nil
	}
	if dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("%s: %w in %s", program, ErrNotFound, dir)
		}
		return dir, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); has(d) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOfDir(dirs[i]) > majorOfDir(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath(program); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("%s: %w (looked in pg_config --bindir, /usr/lib/postgresql/*/bin and PATH)", program, ErrNotFound)
}

func majorOfDir(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// Version runs "path --version" and returns the major and full version, e.g. 17 and "17.6".
func Version(path string) (major int, full string, err error) {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return 0, "", fmt.Errorf("%s --version: %w", path, err)
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return 0, "", fmt.Errorf("%s --version: unexpected output %q", path, strings.TrimSpace(string(out)))
	}
	major, _ = strconv.Atoi(m[1])
	full = m[1]
	if m[2] != "" {
		full += "." + m[2]
	}
	return major, full, nil
}
