# App image: the `skriptoteket` binary (API + the built SPA) on a Debian slim base.
#
# There is no Rust image to pull on a machine without a container registry, so nothing is
# compiled in here: the image copies a release binary built on the host
# (`cargo build --release -p skriptoteket-server`; it links only glibc, so any Debian bookworm or
# newer base runs it) and the SPA built by `make fe-build` (frontend/dist).
# `scripts/build-app-image.sh` (`make build-app-image`) builds all three in order.
#
# BASE_IMAGE: real deployments use the default, the same Debian slim + Python image as the
# runner, so the two images share their base layers. Machines without a registry pass
# --build-arg BASE_IMAGE=skriptoteket-base:trixie (scripts/bootstrap-base-image.sh trixie).
# A plain debian:trixie-slim also works: python3 is then installed from Debian packages.
# Python 3.13 like the runner: the syntax pre-check must know the grammar tools are written in.
# No "syntax=" directive and no BuildKit-only instructions: the classic builder (docker-compose
# build without buildx) builds it too, and a syntax line would pull a frontend image.
ARG BASE_IMAGE=python:3.13-slim
FROM ${BASE_IMAGE}

# python3 stays in the image: the server checks a tool's syntax with `python3` before any
# container starts (and the HEALTHCHECK below uses it). Installed only when the base lacks it.
RUN if ! command -v python3 >/dev/null 2>&1; then \
      apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --gid 10000 skriptoteket \
 && useradd --uid 10000 --gid 10000 --no-create-home --home-dir /data \
      --shell /usr/sbin/nologin skriptoteket \
 && mkdir -p /data /artifacts /app \
 && chown 10000:10000 /data /artifacts && chmod 0750 /data /artifacts

# BINARY: which host-built binary to copy. The default is the release build; CI may pass
# target/debug/skriptoteket to reuse the test build (same behaviour, bigger and slower).
ARG BINARY=target/release/skriptoteket
COPY ${BINARY} /usr/local/bin/skriptoteket
COPY frontend/dist /app/dist

LABEL org.opencontainers.image.title="skriptoteket" \
      org.opencontainers.image.description="Skriptoteket API server with the built SPA" \
      org.opencontainers.image.licenses="MIT"

# The server's defaults for a container. The engine for runs is DOCKER_HOST (the mounted socket
# by default: run with --group-add <gid of the socket>), see docs/operations.md.
ENV SKRIPTOTEKET_BIND=0.0.0.0:8080 \
    SKRIPTOTEKET_DATA_DIR=/data \
    SKRIPTOTEKET_SPA_DIR=/app/dist \
    LANG=C.UTF-8

USER 10000:10000
WORKDIR /app
EXPOSE 8080
# A named volume mounted at /data or /artifacts (compose.prod.yaml's ARTIFACTS_ROOT) inherits
# the ownership above (uid 10000) on first use; a bind mount must be writable by uid 10000.
# Liveness only (the process answers); /api/ready also checks the database and the engine.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python3", "-I", "-c", "import os, urllib.request as u; port = os.environ.get('SKRIPTOTEKET_BIND', ':8080').rsplit(':', 1)[1]; u.urlopen('http://127.0.0.1:%s/api/health' % port, timeout=4)"]
ENTRYPOINT ["/usr/local/bin/skriptoteket"]
CMD ["serve"]
