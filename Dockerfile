# mail2confluence gateway image. Build: docker build -t mail2confluence .
# Run:  docker run -p 25:2525 -p 8080:8080 -v /srv/m2c:/var/spool/mail2confluence \
#         -v /etc/mail2confluence:/etc/mail2confluence:ro \
#         -e M2C__sites__acme__auth__apiToken=... mail2confluence
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package (postinstall) applies patches/ during npm ci: smtp-server's configurable greeting pause, mailauth's BIMI loaded on first use.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY simulator ./simulator
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim

WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY templates ./templates
COPY config ./config
RUN mkdir -p /var/spool/mail2confluence && chown node:node /var/spool/mail2confluence
USER node
EXPOSE 2525 8080
VOLUME ["/var/spool/mail2confluence"]
# Node flags: src/node-flags.ts says which and why.
ENTRYPOINT ["node", "--max-semi-space-size=1", "bin/mail2confluence.js"]
CMD ["serve", "--config", "/etc/mail2confluence/config.yaml"]
