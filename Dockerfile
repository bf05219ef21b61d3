# ClinicFlow API, worker and migration runner: one image, the command picks the process
# (docker-compose.yml runs `npm run api`, `npm run worker` and `npm run migrate` from it).
# TypeScript runs through tsx at runtime, so there is no separate build step.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, from the lockfile only, so this layer is reused until they change.
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock lacks other platforms' optional builds (see scripts/tools/ensure-tools.sh).
RUN npm install --no-audit --no-fund && npm cache clean --force

COPY . .

# The Prisma client is generated into prisma/generated (never copied from the host, see
# .dockerignore). Generating needs no database and no schema engine, but Prisma insists that
# the engine path exists, so point it at an empty placeholder instead of downloading one. The
# placeholder DATABASE_URL only satisfies a Prisma config that reads it; nothing connects.
RUN touch /tmp/no-engine \
 && PRISMA_SCHEMA_ENGINE_BINARY=/tmp/no-engine DATABASE_URL=postgresql://build@localhost/build \
    npx prisma generate

# The app never writes to its own files: they stay root-owned and it runs as the image's
# unprivileged `node` user.
USER node

EXPOSE 3000
CMD ["npm", "run", "api"]
