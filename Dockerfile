# syntax=docker/dockerfile:1

# Build: compile TypeScript with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies, compiled code, bundled agents; runs as the unprivileged `node` user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Bedrock or Vertex: their SDKs are optional and not in a default install (README, "Providers"), e.g.
# docker build --build-arg PROVIDER_SDKS=@anthropic-ai/bedrock-sdk -t bulwark .
ARG PROVIDER_SDKS=""
RUN if [ -n "$PROVIDER_SDKS" ]; then npm install --omit=dev --no-save --no-audit --no-fund $PROVIDER_SDKS && npm cache clean --force; fi
COPY --from=build /app/dist ./dist
# `node bin/bulwark.js agents check` in the image runs the compiled CLI (no sources or tsx here).
COPY bin ./bin
COPY agents ./agents
COPY app.yml LICENSE ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: npm would rebuild and would not forward SIGTERM; node receives it directly and drains.
# --max-semi-space-size=16: V8's young generation capped at 2 × 16 MB (Node 24 grows it to 2 × 64 MB under a large
# review, and never gives the pages back): ~370 MB → ~250 MB peak RSS on a 3,000-file PR, for more CPU in GC.
# --initial-old-space-size=160: no full (mark-compact) collection while the old generation is under 160 MB, which
# one large review stays within: about a quarter less CPU on a 3,000-file PR, for ~20 MB more peak RSS.
# Keep the same flags as `npm start` (package.json), which the pipeline benchmark reads. README: Deploying.
CMD ["node", "--max-semi-space-size=16", "--initial-old-space-size=160", "dist/main.js"]
