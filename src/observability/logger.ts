/**
 * Structured logs (pino). Every line about a message carries its queueId:
 * stages log through `logger.child({ queueId })`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mail2confluence' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Message bodies and credentials never reach the log.
      redact: { paths: ['*.apiToken', '*.clientSecret', '*.token', 'headers.authorization'], censor: '[hidden]' },
    },
    destination,
  );
}
