# syntax=docker/dockerfile:1
# Build: docker build -t qantar-bot .
# Run:   docker run -d --name qantar -e TELOXIDE_TOKEN=... -v qantar-data:/app/data qantar-bot

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so editing the bot's code does not rebuild the whole tree.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src ./src
COPY migrations ./migrations
# Touch so cargo sees the real sources as newer than the cached stub.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin qantar \
    && mkdir -p /app/data \
    && chown qantar:qantar /app/data
WORKDIR /app
COPY --from=build /src/target/release/qantar-bot /usr/local/bin/qantar-bot
COPY content ./content
COPY locales ./locales
# Fail the build, not the deployment, if the curated files are broken.
RUN ["/usr/local/bin/qantar-bot", "check"]
USER qantar
# The only state: chat → language, in data/qantar.db.
VOLUME ["/app/data"]
ENV RUST_LOG=info
# The bot handles SIGTERM itself: it stops polling, finishes replies in flight, exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/qantar-bot"]
CMD ["run"]
