#!/usr/bin/env bash
# Installs the Debian packages the tests need (as root, on Debian/Ubuntu). Idempotent: it
# only calls apt-get for what is missing.
set -euo pipefail
need=()
command -v yamllint >/dev/null || need+=(yamllint)                          # ct lint
# Any major version: Debian puts initdb in /usr/lib/postgresql/<major>/bin (pkg/pgtest looks there too).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null || need+=(postgresql)  # flotilla-hook tests
command -v redis-server >/dev/null || need+=(redis-server)                  # cache pruner tests (FlowMachine's Redis)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)      # make image
command -v openssl >/dev/null || need+=(openssl)                            # e2e certificates
command -v curl >/dev/null || need+=(curl)                                  # e2e health probes
command -v ss >/dev/null || need+=(iproute2)                                # e2e port checks
command -v git >/dev/null || need+=(git)                                    # ct
command -v redis-server >/dev/null || need+=(redis-server)                  # make runtime (redis-cli comes with it)
command -v node >/dev/null || need+=(nodejs)                                # make runtime: Flowise needs node 18.15+ or 20
command -v npm >/dev/null || need+=(npm)                                    # make runtime: installs flowise
command -v g++ >/dev/null || need+=(g++ make)                               # make runtime: npm rebuild sqlite3
command -v python3 >/dev/null || need+=(python3)                            # make runtime: node-gyp
if [ ${#need[@]} -eq 0 ]; then
  echo "deps: everything is installed"
  exit 0
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
