# hfsched in a container: the daemon by default, the CLI with any other command.
#
#   docker build -t hfsched .
#   docker run -d --name hfsched --stop-timeout 20 \
#     -v hfsched-state:/data/state -v hfsched-models:/data/huggingface hfsched
#   docker exec hfsched hfsched model add openai-community/gpt2
#
# Two stages: the build stage has the compilers that better-sqlite3 (a native
# addon) needs; the runtime stage has only Node, tini and the built app.

# Node 22 LTS, not 24: better-sqlite3 12 compiled against Node >= 24.19
# headers (what a node:24 image has) aborts at exit,
# https://github.com/nodejs/node/issues/65446. CI tests Node 20, 22 and 24.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf dist/test dist/bench

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to the daemon and reaps zombies, so
# `docker stop` triggers the daemon's graceful shutdown (pause downloads,
# record it, exit) instead of a SIGKILL after the timeout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HF_HOME=/data/huggingface \
    HFSCHED_DB=/data/state/hfsched.db

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/dist ./dist
# `hfsched` on the PATH, so `docker exec <container> hfsched ...` works.
RUN printf '#!/bin/sh\nexec node /app/dist/src/cli/main.js "$@"\n' > /usr/local/bin/hfsched \
 && chmod 0755 /usr/local/bin/hfsched \
 && mkdir -p /data/state /data/huggingface \
 && chown node:node /data/state /data/huggingface

# The image's own unprivileged user (uid 1000); the volumes are created owned by it.
USER node
# /data/state: the SQLite database (back it up). /data/huggingface: the
# Hugging Face cache ($HF_HOME/hub holds the models; mount it where your
# inference containers read it).
VOLUME ["/data/state", "/data/huggingface"]

STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/src/cli/main.js", "status", "--health"]

# The daemon creates or migrates its database first (`hfsched init` is
# idempotent); `exec` then replaces the shell, so the daemon is tini's direct
# child and receives SIGTERM itself. Any other command runs the CLI as is.
ENTRYPOINT ["tini", "--", "sh", "-c", "if [ \"$1\" = daemon ]; then node /app/dist/src/cli/main.js init || exit 1; fi; exec node /app/dist/src/cli/main.js \"$@\"", "hfsched"]
CMD ["daemon"]
