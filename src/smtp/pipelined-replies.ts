/**
 * Replies to pipelined commands leave in one write. smtp-server writes each
 * reply as soon as it is made, so a client that pipelines MAIL, RCPT and DATA
 * (RFC 2920) gets three writes: three system calls, and three wake-ups of the
 * client, which on loopback and on a virtual machine cost more than the
 * replies themselves. RFC 2920 lets a server hold replies back while it is
 * still working through what the client sent, as long as it flushes them
 * before it waits for more input; Postfix's smtpd writes through a buffer it
 * flushes only then.
 *
 * Here the socket is corked when a chunk of input arrives and uncorked by
 * `setImmediate`: after this turn of the event loop, so after the chunk's
 * commands and the promise jobs they started (the rate-limit check at MAIL
 * FROM), and before the loop waits for input again. A reply made later (the
 * 250 after the journal's fsync) is written at once, as before. Corking never
 * reorders writes. At STARTTLS, the 220 is flushed the same way, before the
 * client can have read it and started its handshake; smtp-server then drops
 * every listener on the plaintext socket, this one too.
 */
import type { Socket } from 'node:net';

export function coalescePipelinedReplies(socket: Socket): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  const onData = () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  };
  // Added beside smtp-server's reader, when it pipes the socket into its parser (a turn after the
  // connection is accepted): a 'data' listener before that would start the flow of bytes with no
  // one there to take them. Put first, so that the replies the chunk's commands make are corked.
  const onNewListener = (event: string | symbol) => {
    if (event !== 'data') return;
    socket.off('newListener', onNewListener);
    socket.prependListener('data', onData);
  };
  socket.on('newListener', onNewListener);
}
