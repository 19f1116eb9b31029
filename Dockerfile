# syntax=docker/dockerfile:1
# One image, two processes: the gateway and the worker run as separate containers from it and scale
# independently. Temporal itself runs elsewhere (docker-compose.temporal.yml or Temporal Cloud).
#   docker build -t loop-finale .
#   docker run --init --env-file prod.env -p 3000:3000 loop-finale gateway
#   docker run --init --env-file prod.env loop-finale worker
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production \
    GATEWAY_HOST=0.0.0.0 \
    TEMPORAL_METRICS_ADDRESS=0.0.0.0:9464 \
    WORKER_METRICS_ADDRESS=0.0.0.0:9465 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app

# Dependencies first, so code changes reuse this layer. tsx is a runtime dependency: the services run
# their TypeScript directly, with no separate compile step.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# Workers load this prebuilt bundle instead of running webpack at every start.
RUN npm run build:workflows -- "$WORKFLOW_BUNDLE_PATH"

# The code stays owned by root, so the service cannot modify it.
USER node
EXPOSE 3000 9464 9465

# `gateway` or `worker` (the package.json scripts of the same names).
ENTRYPOINT ["npm", "run", "--silent"]
CMD ["worker"]
