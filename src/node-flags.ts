/**
 * Node flags the gateway runs with, wherever it runs: bin/mail2confluence.js
 * (its shebang), the Dockerfile's ENTRYPOINT, the npm scripts `gateway` and
 * `demo`, the benchmarks' and tests' child processes. V8 reads them only at
 * start-up (setting them later has no effect), so each launcher passes them;
 * test/cli/node-flags.test.ts checks that every launcher has the same ones.
 *
 * --max-semi-space-size=2: V8's young generation grows to 2 × 16 MB by default
 * and keeps that memory; the gateway's garbage is mostly short-lived chunks of
 * mail, for which 2 MB semi-spaces are plenty. Peak RSS for a 25 MB mail fell
 * by ~25 MB (npm run bench, section 5), for a few more scavenges per second.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=2'] as const;
