# smsc-connect container image. Not built on the development machines (no Docker engine there); kept plain.

# Build stage: all dependencies, Prisma client generation, TypeScript build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# postinstall generates the Prisma client and compiles dist/ (scripts/prisma-generate.mjs, scripts/build-if-stale.mjs).
RUN npm ci

# Runtime stage: production dependencies plus the Prisma CLI, which `prisma migrate deploy` needs at start.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/app/data
# Memory, measured with `npm run bench` (which starts the service with these same values). V8 sizes its heap from
# the host's memory: on a large host it lets the old generation grow to about 4x the live data between full
# collections (peak RSS 390-475 MB at ~65 MB live); a 512 MB limit brings that factor to about 1.4 (255 MB).
# glibc raises its mmap threshold after large blocks are freed, so later large blocks of V8's worker threads
# stay in malloc arenas after use (~70 MB); a fixed threshold returns them to the system (190 MB).
ENV NODE_OPTIONS=--max-old-space-size=512 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
  && npm install --no-save --ignore-scripts prisma@7.10.1 \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/generated ./src/generated
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# With DATABASE_URL set, Prisma's own engine applies the migrations first (serve would apply them too, and
# records them the same way); without it, serve migrates the embedded PGlite database itself.
CMD ["sh", "-c", "if [ -n \"${DATABASE_URL:-}\" ]; then npx prisma migrate deploy; fi && exec node dist/cli/index.js serve"]
