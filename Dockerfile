# syntax=docker/dockerfile:1
# Cynllun: one static binary (serve, worker, probe, …) on a slim Debian base.
#   docker build -t cynllun .

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Pure Go (FerretDB's SQLite is modernc.org/sqlite), so a static binary;
# use only the toolchain in the image and go.sum as it is.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -tags ferretdb_no_postgresql -ldflags="-s -w" -o /out/cynllun ./cmd/cynllun

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed non-root uid/gid, so volume ownership and runAsNonRoot checks are
# predictable. The home directory is writable (pdfcpu's config, if ever
# enabled; the dev-mode data directory).
RUN groupadd --system --gid 10001 cynllun \
 && useradd --system --uid 10001 --gid cynllun --home-dir /home/cynllun \
      --create-home --shell /usr/sbin/nologin cynllun
COPY --from=build /out/cynllun /usr/local/bin/cynllun
USER 10001:10001
WORKDIR /home/cynllun
# The API listens on :8080 (HTTP_ADDR); a worker serves /readyz on :8081
# (WORKER_HEALTH_ADDR).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/cynllun"]
CMD ["serve"]
