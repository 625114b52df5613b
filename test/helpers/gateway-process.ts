/** The gateway as a child process; shared with the soak script. */
export * from '../../scripts/lib/gateway-process.js';
