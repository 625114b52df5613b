/**
 * The SMTP listener: decides at MAIL FROM what it can (rate limits), at RCPT
 * what it can (unknown recipient, too many recipients, a sender the route's
 * policy refuses whatever the message says), and at DATA streams the
 * raw message into the intake (spool and queue, or the embedded backend's
 * accept journal). 250 is answered only once the message is durable and its
 * job queued; any failure there is a 4xx so the sending MTA retries.
 * No MIME parsing happens here: store first, parse in the worker.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
// A namespace import: a named one would fail to link, cryptically, on an unpatched smtp-server.
import * as smtpConnection from 'smtp-server/lib/smtp-connection.js';
import type { Config } from '../config/schema.js';
import type { Envelope } from '../domain/envelope.js';
import { newQueueId } from '../domain/queue-id.js';
import type { RouteTable } from '../routing/route-table.js';
import { IntakeFailed, type ArrivingEnvelope, type MessageIntake } from '../spool/message-intake.js';
import { MessageTooLarge } from '../spool/message-spool.js';
import { refusedAtRcpt } from '../sender/sender-policy.js';
import { coalescePipelinedReplies } from './pipelined-replies.js';
import { acceptedReply, smtpReplies } from './smtp-reply.js';
import type { SmtpRateLimits } from './smtp-rate-limits.js';

export interface SmtpListenerDeps {
  config: Config['smtp'];
  routes: RouteTable;
  /** Where a message goes at DATA; resolves once it and its job are durable. */
  intake: MessageIntake;
  /** Per sender and per client IP; absent or null: no limits. */
  limits?: SmtpRateLimits | null;
  logger: Logger;
}

export interface RunningListener {
  address: AddressInfo;
  /** Stops accepting connections and waits for open sessions to end. */
  close(): Promise<void>;
}

export async function startSmtpListener(deps: SmtpListenerDeps): Promise<RunningListener> {
  const { config, logger } = deps;
  // Without our patch smtp-server ignores the option and always waits 100 ms (e.g. an
  // install that ran `npm ci` without the patches/ directory): refuse to start on a setting it would ignore.
  if (config.earlyTalkerDelayMs !== 100 && !('earlyTalkerDelay' in smtpConnection)) {
    throw new Error(`smtp.earlyTalkerDelayMs is ${config.earlyTalkerDelayMs}, but this smtp-server is not patched to support it (patches/smtp-server+*.patch is applied by npm install/ci through patch-package)`);
  }
  const tls = config.tls ? { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) } : null;
  const options: SMTPServerOptions = {
    name: config.hostname,
    banner: 'mail2confluence ESMTP',
    size: config.maxMessageBytes,
    maxClients: config.maxClients,
    socketTimeout: config.socketTimeoutMs,
    // Pause before the 220 greeting; a client that talks during it is refused as an early
    // talker. `earlyTalkerDelay` is our patch to smtp-server (patches/smtp-server+*.patch),
    // which otherwise hard-codes 100 ms and so caps one-mail-per-connection rates at ~10/s.
    earlyTalkerDelay: config.earlyTalkerDelayMs,
    authOptional: true,
    // An MX for people to write to: no AUTH; STARTTLS only with a configured certificate.
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    // The PTR name is only recorded with the envelope for the operator; behind a relay it is always the relay's.
    disableReverseLookup: !config.reverseLookup,
    logger: false,
    // A SIZE declared at MAIL FROM over the limit is refused by smtp-server itself (552).
    onMailFrom(address, session, callback) {
      const limits = deps.limits;
      if (!limits) return callback();
      limits.check(address.address, session.remoteAddress).then(
        (exceeded) => {
          if (!exceeded) return callback();
          logger.info({ session: session.id, from: address.address, client: session.remoteAddress, limit: exceeded }, 'rate limited');
          callback(smtpReplies.rateLimited(exceeded));
        },
        (err: unknown) => {
          // The counter's store failed: let the mail in rather than refuse everyone (storing it will tell).
          logger.warn({ err }, 'could not check the rate limits');
          callback();
        },
      );
    },
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= config.maxRecipients) return callback(smtpReplies.tooManyRecipients(config.maxRecipients));
      const route = deps.routes.resolve(address.address);
      if (!route) {
        logger.info({ session: session.id, rcpt: address.address, client: session.remoteAddress }, 'refused unknown recipient');
        return callback(smtpReplies.unknownRecipient(address.address));
      }
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const refused = refusedAtRcpt(route.senders, mailFrom);
      if (refused) {
        logger.info({ session: session.id, rcpt: address.address, from: mailFrom, client: session.remoteAddress, why: refused }, 'refused sender at RCPT');
        return callback(smtpReplies.senderNotAllowed(refused));
      }
      callback();
    },
    onData(stream, session, callback) {
      // smtp-server sends the 354 only after onData returns: set the store up after it, while
      // the client is already sending (the stream keeps what arrives until it is read).
      process.nextTick(() =>
        acceptMessage(deps, stream, session).then(
          ({ queueId, envelope }) => {
            callback(null, acceptedReply(queueId));
            // Logged after the 250 is on its way: the log write is not part of the sender's wait.
            deps.logger.info(
              { queueId, session: session.id, from: envelope.mailFrom, to: envelope.rcptTo, size: envelope.size, client: envelope.remoteAddress },
              'accepted',
            );
          },
          (reply: Error) => callback(reply),
        ),
      );
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (err) => logger.warn({ err: err.message }, 'smtp connection error'));
  server.server.on('connection', coalescePipelinedReplies);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port, maxMessageBytes: config.maxMessageBytes }, 'smtp listener ready');
  return {
    address,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function acceptMessage(deps: SmtpListenerDeps, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<{ queueId: string; envelope: Envelope }> {
  const queueId = newQueueId();
  const arriving: ArrivingEnvelope = {
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
    remoteAddress: session.remoteAddress,
    clientHostname: session.clientHostname,
    heloName: session.hostNameAppearsAs,
  };
  let envelope: Envelope;
  try {
    envelope = await deps.intake.accept(queueId, stream, arriving, {
      maxBytes: deps.config.maxMessageBytes,
      sizeExceeded: () => stream.sizeExceeded,
    });
  } catch (err) {
    const log = deps.logger.child({ queueId, session: session.id });
    if (err instanceof MessageTooLarge) {
      log.info({ limit: deps.config.maxMessageBytes }, 'refused oversize message');
      throw smtpReplies.tooLarge(deps.config.maxMessageBytes);
    }
    stream.resume(); // the intake may have failed before reading: drain so the client gets the 451
    if (err instanceof IntakeFailed && err.stage === 'queue') {
      log.error({ err }, 'could not queue stored message');
      throw smtpReplies.queueFailed();
    }
    log.error({ err }, 'could not store message');
    throw smtpReplies.storeFailed();
  }
  return { queueId, envelope };
}
