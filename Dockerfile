# syntax=docker/dockerfile:1
#
# newsgraph: one image, the `newsgraph` binary (model and migrations built in) plus the
# bundled sample. Expected size: about 110 MB (debian:bookworm-slim, ~75 MB, plus a ~30 MB
# binary and the 0.2 MB sample).
#
#   docker build -t newsgraph .
#   docker run -e DATABASE_URL=postgres://... -p 8080:8080 newsgraph

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
ENV SQLX_OFFLINE=true CARGO_TERM_COLOR=never

# Dependencies first, in a layer of their own: it is rebuilt only when a manifest or the
# lock file changes, not when the code does.
COPY Cargo.toml Cargo.lock ./
COPY crates/extract/Cargo.toml crates/extract/Cargo.toml
RUN mkdir -p src crates/extract/src benches \
    && echo 'fn main() {}' > src/main.rs \
    && awk '/^\[\[bench\]\]/ {b = 1; next} b && /^name/ {gsub(/"/, "", $3); print $3; b = 0}' Cargo.toml \
        | while read -r bench; do echo 'fn main() {}' > "benches/$bench.rs"; done \
    && touch src/lib.rs crates/extract/src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src crates/extract/src benches target/release/.fingerprint/newsgraph-*

# Then the code.
COPY . .
RUN touch src/main.rs src/lib.rs crates/extract/src/lib.rs \
    && cargo build --release --locked \
    && cp target/release/newsgraph /newsgraph

FROM debian:bookworm-slim AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="newsgraph" \
      org.opencontainers.image.description="News articles in; people, places and organizations out, as a JSON API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/newsgraph/newsgraph" \
      org.opencontainers.image.documentation="https://github.com/newsgraph/newsgraph#readme"

RUN groupadd --system --gid 10001 newsgraph \
    && useradd --system --uid 10001 --gid newsgraph --no-create-home --home-dir /nonexistent newsgraph

COPY --from=build /newsgraph /usr/local/bin/newsgraph
COPY data/sample /usr/share/newsgraph/sample

ENV NEWSGRAPH_ADDR=0.0.0.0:8080 \
    NEWSGRAPH_LOG_FORMAT=json \
    RUST_LOG=info
USER 10001:10001
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["newsgraph", "healthcheck"]
ENTRYPOINT ["newsgraph"]
CMD ["serve"]
