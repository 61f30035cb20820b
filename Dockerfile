# One image for both services; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY core/package.json core/
COPY local-stack/package.json local-stack/
COPY broker/package.json broker/
COPY consumer-gateway/package.json consumer-gateway/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY console/package.json console/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b && npm run build -w @tributary/console && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 4000 5000
CMD ["node", "broker/dist/server.js"]
