/**
 * Node flags the gateway runs with, wherever it runs: bin/mail2confluence.js
 * (its shebang), the Dockerfile's ENTRYPOINT, the npm scripts `gateway` and
 * `demo`, the benchmarks' and tests' child processes. V8 reads them only at
 * start-up (setting them later has no effect), so each launcher passes them;
 * test/cli/node-flags.test.ts checks that every launcher has the same ones.
 *
 * --max-semi-space-size=1: V8's young generation grows to 2 × 16 MB by default
 * and keeps that memory; the gateway's garbage is mostly short-lived chunks of
 * mail. 2 MB semi-spaces took ~25 MB off the peak RSS for a 25 MB mail; 1 MB
 * took 6–7 MB more (124–131 against 131–137 MB for 25 and 100 MB mail, two
 * runs of each minutes apart, npm run bench section 5): the dead socket
 * buffers of a large mail arriving are freed by the scavenges, which come
 * twice as often. The price is those scavenges: about 8% more CPU per 4 KB
 * mail accepted (0.36 against 0.33 ms at 10 sessions, 0.45 against 0.42 at
 * 50; section 1).
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=1'] as const;
