# syntax=docker/dockerfile:1
# One image for every Larder app. docker-compose.yml picks the app per service with
# `command: ["node", "apps/<app>/dist/main.js"]`; without a command the image runs the
# all-in-one server (every mirror under its prefix, like `npm start`). `larder` (prefetch, verify)
# is on PATH: `docker compose exec npm larder verify /work/package-lock.json`.

# --- build: install everything, compile with turbo, then drop the dev dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# .dockerignore keeps node_modules, dist, data, tests and docs out of the context.
COPY . .
RUN npm ci \
 && npx turbo run build --output-logs=errors-only \
 && npm prune --omit=dev \
 && rm -rf .turbo node_modules/.cache

# --- runtime: the built tree only, run by an unprivileged user ---
FROM node:24-bookworm-slim AS runtime
# V8's young generation at 4 MB a semispace, as `npm start` runs it: the buffers of upstream sockets are
# collected sooner (docs/deployment.md, "Memory").
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    HOST=0.0.0.0 \
    PORT=8080 \
    LARDER_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# A new named volume takes the owner of the directory it is mounted on, so /data must
# belong to the runtime user before any volume is created from the image.
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/apps/server/bin/larder.mjs /usr/local/bin/larder
USER node
VOLUME ["/data"]
EXPOSE 8080
# Every app serves /healthz on PORT; node's own fetch keeps curl/wget out of the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/server/dist/main.js"]
