/**
 * Sends a sample mail to the gateway, as a person's mail client would:
 *   npm run send -- --to demo@demo.local [--subject "..."] [--text "..."] [--attach file ...] [--port 2525]
 * Without --text the mail is HTML with an inline image and a small attachment.
 */
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';

const SAMPLE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAALElEQVR42mOQz7+Ahv5jAGLUMIwaREeDyNOGqWbUIHoaNJqyR/PaqEF0MQgAi7TmneuTM4cAAAAASUVORK5CYII=',
  'base64',
);

const { values } = parseArgs({
  options: {
    to: { type: 'string', default: 'demo@demo.local' },
    from: { type: 'string', default: 'Alice Example <alice@demo.local>' },
    subject: { type: 'string' },
    text: { type: 'string' },
    attach: { type: 'string', multiple: true, default: [] },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '2525' },
  },
});

const subject = values.subject ?? `Notes from the demo, ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
const attachments = values.attach.map((file) => ({ path: file }));
const message = values.text
  ? { text: values.text, attachments }
  : {
      text: 'Hello from mail2confluence.\n\nThis mail has an inline image and an attachment.',
      html:
        '<h2>Hello from mail2confluence</h2><p>This mail becomes a <b>Confluence page</b>, with:</p>' +
        '<ul><li>its formatting,</li><li>an inline image: <img src="cid:chart@demo" alt="chart"></li><li>and an attachment.</li></ul>' +
        '<table><tr><th>Team</th><th>Status</th></tr><tr><td>Docs</td><td>on track</td></tr></table>',
      attachments: [
        { filename: 'image001.png', content: SAMPLE_PNG, cid: 'chart@demo' },
        { filename: 'agenda.txt', content: 'Agenda\n1. Welcome\n2. Status\n' },
        ...attachments,
      ],
    };

const transport = nodemailer.createTransport({ host: values.host, port: Number(values.port), secure: false, ignoreTLS: true });
try {
  const info = await transport.sendMail({ from: values.from, to: values.to, subject, ...message });
  process.stdout.write(`sent "${subject}" to ${values.to}: ${info.response}\n`);
} catch (err) {
  const { response, message: text } = err as { response?: string; message: string };
  process.stderr.write(`not accepted: ${response ?? text}\n`);
  process.exitCode = 1;
} finally {
  transport.close();
}
