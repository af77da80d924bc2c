# syntax=docker/dockerfile:1
# Placeholder until the container issue: builds the binary and runs `newsgraph serve`.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked

FROM debian:bookworm-slim
COPY --from=build /src/target/release/newsgraph /usr/local/bin/newsgraph
USER 65532:65532
ENV NEWSGRAPH_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["newsgraph"]
CMD ["serve"]
