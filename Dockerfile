# hfsched in a container: the daemon by default, the CLI with any other command.
#
#   docker build -t hfsched .
#   docker run -d --name hfsched --stop-timeout 20 \
#     -v hfsched-state:/data/state -v hfsched-models:/data/huggingface \
#     -v /srv/hfsched/hf_token:/run/secrets/hf_token:ro \
#     -e HF_TOKEN_PATH=/run/secrets/hf_token hfsched
#   docker exec hfsched hfsched model add openai-community/gpt2
#
# The token is a file (a secret), never `-e HF_TOKEN=...`: an environment
# variable shows in `docker inspect` and in every child process.
#
# Two stages: the build stage has the compilers that better-sqlite3 (a native
# addon) needs; the runtime stage has only Node, tini and the built app (no
# npm, no yarn, no corepack: nothing that installs code at run time).

# Node 22 LTS, not 24: better-sqlite3 12 compiled against Node >= 24.19
# headers (what a node:24 image has) aborts at exit,
# https://github.com/nodejs/node/issues/65446. CI tests Node 20, 22 and 24.
#
# Pinned by digest, so that a build today and a build next month start from
# the same bytes (a tag moves with every Debian or Node patch). How it was
# chosen: this build machine cannot pull images, so the digest is the one of
# the official multi-arch node:22-bookworm-slim index as pinned in public
# Dockerfiles (kept current there by Dependabot), not checked here against
# Docker Hub. To move to a newer patch release, read the current digest with
#   docker buildx imagetools inspect node:22-bookworm-slim
# (the "Digest:" line) and replace it below; a build fails outright if the
# digest does not exist, never silently uses another image.
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts ./scripts
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
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
 && rm -f /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg

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
