# syntax=docker/dockerfile:1
# The Breadcast coordinator (service, operator dashboard) as an OCI image. See docs/coordinator.md.
# Build: docker build -t breadcast-coordinator .   Run with PostgreSQL: docker compose up
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# The dashboard is built with the development tools (Vite, Svelte), which stay in this stage.
FROM ${NODE_IMAGE} AS dashboard
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Install scripts are skipped: the build needs neither the Electron binary nor native modules.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY svelte.config.js tsconfig.json ./
COPY coordinator ./coordinator
COPY federated ./federated
RUN npx vite build --config coordinator/dashboard/vite.config.ts

# Production dependencies only. Scripts are skipped so the optional native TensorFlow binding
# downloads nothing (the coordinator never trains); better-sqlite3 is then built on its own.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  BREADCAST_COORDINATOR_HOST=0.0.0.0 \
  BREADCAST_COORDINATOR_PORT=5190 \
  BREADCAST_COORDINATOR_DATABASE=/var/lib/breadcast/coordinator.db
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY coordinator ./coordinator
COPY federated ./federated
COPY --from=dashboard /app/dist/dashboard ./dist/dashboard
# The sources stay root's and read-only; only the SQLite directory belongs to the service user.
RUN mkdir -p /var/lib/breadcast && chown node:node /var/lib/breadcast
VOLUME /var/lib/breadcast
USER node
EXPOSE 5190
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "bin/healthcheck.mjs"]
ENTRYPOINT ["node", "bin/breadcast.mjs", "coordinator"]
