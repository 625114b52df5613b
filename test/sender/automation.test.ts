import { describe, expect, it } from 'vitest';
import { automationReason } from '../../src/sender/automation.js';

const headers = (lines: string[]) => Buffer.from(`${['From: Alice <alice@example.com>', 'Subject: hi', ...lines].join('\r\n')}\r\n`);

describe('automated mail', () => {
  it.each([
    [['Auto-Submitted: auto-replied'], 'Auto-Submitted'],
    [['Auto-Submitted: auto-notified'], 'Auto-Submitted'],
    [['X-Autoreply: yes'], 'X-Autoreply'],
    [['Precedence: junk'], 'Precedence'],
    [['List-Unsubscribe: <mailto:u@lists.example>'], 'mailing-list'],
    [['Content-Type: multipart/report; report-type=disposition-notification; boundary=x'], 'report'],
    [['X-Mail2Confluence: bounce'], 'our own mail'],
  ])('%j is automated', (lines, why) => {
    expect(automationReason('alice@example.com', headers(lines))).toContain(why);
  });

  it('the null sender, mailer daemons and no-reply senders are automated', () => {
    expect(automationReason('', headers([]))).toContain('null sender');
    expect(automationReason('postmaster@example.com', headers([]))).toContain('automated mailbox');
    expect(automationReason('alice@example.com', Buffer.from('From: "Service" <do-not-reply@example.com>\r\n'))).toContain('automated mailbox');
  });

  it('is not fooled into silence by ordinary markers', () => {
    expect(automationReason('alice@example.com', headers(['Auto-Submitted: no', 'X-Auto-Response-Suppress: All', 'Precedence: first-class']))).toBeNull();
    // A subject alone is not automation: people write "Out of office" too.
    expect(automationReason('alice@example.com', Buffer.from('From: alice@example.com\r\nSubject: Out of office / Abwesenheitsnotiz\r\n'))).toBeNull();
    // A VERP return path carries a person's mail from a mailing service.
    expect(automationReason('bounces+123@esp.example', headers([]))).toBeNull();
  });
});
