# syntax=docker/dockerfile:1
# Build:   docker build -t qantar-bot .
# Polling: docker run -d -e TELOXIDE_TOKEN=... -v qantar-data:/app/data qantar-bot
# Webhook: docker run -d -e TELOXIDE_TOKEN=... -e QANTAR_WEBHOOK_URL=https://bot.example.org/telegram \
#            -e QANTAR_WEBHOOK_SECRET=... -p 8080:8080 -v qantar-data:/app/data qantar-bot

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so editing the bot's code does not rebuild the whole tree.
COPY Cargo.toml Cargo.lock ./
# Cargo reads every target the manifest declares (the floor bot, the benches), so each
# gets a stub here; only the bot is built.
RUN mkdir -p src/bin benches/load \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > src/bin/floor-bot.rs \
    && echo 'fn main() {}' > benches/render.rs \
    && echo 'fn main() {}' > benches/map.rs \
    && echo 'fn main() {}' > benches/load/main.rs \
    && cargo build --release --locked --bin qantar-bot \
    && rm -rf src benches
COPY src ./src
COPY benches ./benches
COPY migrations ./migrations
# The map's outline and font are embedded in the binary (include_bytes!).
COPY assets ./assets
# Touch so cargo sees the real sources as newer than the cached stub.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin qantar-bot

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
# The only state: chat → language, subscriptions and anonymous counts, in
# data/qantar.db (unless DATABASE_URL points at PostgreSQL), chat ids only hashed and
# sealed. Give the data key as a secret (QANTAR_DATA_KEY_FILE=/run/secrets/...); without
# one, a key file is made in this volume beside the database, which protects nothing if
# the volume is copied (README, "Privacy").
VOLUME ["/app/data"]
ENV RUST_LOG=info \
    QANTAR_LISTEN=0.0.0.0:8080
# Webhook mode listens here (the webhook, /healthz, /metrics). In polling mode nothing
# listens unless QANTAR_METRICS_LISTEN is set.
EXPOSE 8080
# The web pages and the Mini App's API, when QANTAR_WEB_LISTEN=0.0.0.0:8090 is set.
EXPOSE 8090
# Asks /healthz in webhook mode (or on QANTAR_METRICS_LISTEN when polling); a polling
# bot with no listener is healthy while it runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/usr/local/bin/qantar-bot", "healthcheck"]
# The bot handles SIGTERM itself: it stops taking updates, finishes replies in flight,
# confirms them to Telegram and exits 0. SIGHUP reloads content and locales.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/qantar-bot"]
CMD ["run"]
