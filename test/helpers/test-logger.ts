import { pino, type Logger } from 'pino';

/** Silent unless M2C_TEST_LOG=debug (or another level) is set, to debug a failing test. */
export function testLogger(): Logger {
  return pino({ level: process.env.M2C_TEST_LOG ?? 'silent' });
}
