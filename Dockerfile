# One image for both services; docker-compose.yml picks the entry point. Node 22: the oldest major that every
# dependency accepts (cookie, via Fastify's inject, and @fastify/static need >= 22).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY core/package.json core/
COPY kafka/package.json kafka/
COPY local-stack/package.json local-stack/
COPY broker/package.json broker/
COPY consumer-gateway/package.json consumer-gateway/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY faults/package.json faults/
COPY console/package.json console/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b && npm run build -w @tributary/console && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 4000 5000
# The broker's /readyz (open with AUTH=on); docker-compose.yml points the gateway's check at its own port.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "broker/dist/server.js"]
