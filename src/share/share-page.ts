/**
 * Sharing one page by e-mail: the checks first (recipients allowed, the
 * person asking may view the page, the app user may edit it — seed 002), then
 * the page is read as the app user, rendered, sent, and the share recorded.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ShareConfig } from '../config/share-schema.js';
import type { ConfluenceApi } from '../confluence/confluence-api.js';
import { Refusal, type RefusalFacts } from '../domain/failures.js';
import { PERMISSION_WORDS } from '../diagnosis/permission-words.js';
import { renderShareMail } from './render/render-share-mail.js';
import { shareFingerprint } from './render/share-fingerprint.js';
import type { Requester } from './requester.js';
import type { ShareMailer } from './share-mailer.js';

export interface ShareInput {
  requester: Requester;
  pageId: string;
  to: string[];
  note?: string | undefined;
}

export interface ShareDeps {
  /** Confluence as the app user, for the requester's site. */
  app: ConfluenceApi;
  siteFacts: RefusalFacts;
  share: ShareConfig;
  mailer: ShareMailer;
  from: string;
  logger: Logger;
}

export interface ShareResult {
  shareRef: string;
  pageId: string;
  title: string;
  to: string[];
  messageId: string;
  omittedImages: string[];
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export async function sharePage(input: ShareInput, deps: ShareDeps): Promise<ShareResult> {
  const { requester, pageId } = input;
  const facts: RefusalFacts = { ...deps.siteFacts, contentKind: 'page' };
  checkRecipients(input.to, deps.share, facts);

  const seen = await requester.viewer.content('page', pageId);
  if (!seen) {
    throw new Refusal('REQUESTER_CANNOT_VIEW', `${requester.name} cannot view page ${pageId} (or there is no such page), so it is not sent.`, {
      ...facts,
      pageTitle: `page ${pageId}`,
    });
  }
  const space = await deps.app.spaceById(seen.spaceId);
  const pageFacts: RefusalFacts = { ...facts, pageTitle: seen.title, ...(space ? { spaceKey: space.key, spaceName: space.name, spaceId: space.id } : {}) };
  const operations = await deps.app.contentOperations('page', pageId);
  if (!operations?.some((entry) => entry.operation === 'update' && entry.targetType === 'page')) {
    throw new Refusal(
      'NO_UPDATE_PAGE',
      operations === null
        ? `The app user cannot even view "${seen.title}": a view restriction on it or on a page above it leaves the app user out.`
        : `The app user may view "${seen.title}" but not edit it, and sharing a page needs edit permission on it.`,
      { ...pageFacts, permission: operations === null ? PERMISSION_WORDS.viewRestriction : PERMISSION_WORDS.addPage },
    );
  }

  const page = await deps.app.content('page', pageId, { body: true });
  if (!page) throw new Refusal('NO_UPDATE_PAGE', `The app user cannot read "${seen.title}".`, pageFacts);
  const siteUrl = deps.siteFacts.siteUrl ?? '';
  const attachments = await deps.app.listAttachments(pageId);
  const shareRef = `S-${randomBytes(6).toString('hex')}`;
  const rendered = await renderShareMail(
    {
      siteUrl,
      page: { id: page.id, title: page.title, url: page.url, spaceKey: space?.key ?? '', spaceName: space?.name ?? '' },
      storage: page.body ?? '',
      attachments: attachments.map((attachment) => ({
        filename: attachment.title,
        mediaType: attachment.mediaType,
        size: attachment.fileSize,
        downloadUrl: `${siteUrl.replace(/\/+$/, '')}/download/attachments/${encodeURIComponent(page.id)}/${encodeURIComponent(attachment.title)}`,
      })),
    },
    { sharedBy: { name: requester.name, ...(requester.email ? { email: requester.email } : {}) }, ...(input.note ? { note: input.note } : {}) },
    {
      fetchAttachment: async (filename) => {
        const content = await deps.app.downloadAttachment(page.id, filename, deps.share.maxImageBytes);
        const known = attachments.find((attachment) => attachment.title === filename);
        return content ? { content, mediaType: known?.mediaType ?? 'application/octet-stream' } : null;
      },
    },
    { maxImageBytes: deps.share.maxImageBytes, maxTotalImageBytes: deps.share.maxTotalImageBytes, subjectPattern: deps.share.subject, shareRef },
  );
  const fingerprint = shareFingerprint(page.id, undefined, shareRef);
  const sent = await deps.mailer.send({ from: deps.from, to: input.to, ...(requester.email ? { replyTo: requester.email } : {}), rendered, fingerprint });
  const log = deps.logger.child({ shareRef });
  log.info({ by: requester.name, via: requester.via, pageId: page.id, title: page.title, to: input.to, messageId: sent.messageId, omittedImages: rendered.omittedImages }, 'page shared by e-mail');
  await recordOnPage(deps, page.id, requester.name, input.to, log);
  return { shareRef, pageId: page.id, title: page.title, to: input.to, messageId: sent.messageId, omittedImages: rendered.omittedImages };
}

function checkRecipients(to: string[], share: ShareConfig, facts: RefusalFacts): void {
  if (!to.length) throw new Refusal('RECIPIENT_NOT_ALLOWED', 'No recipient was given.', facts);
  if (to.length > share.maxRecipients) {
    throw new Refusal('RECIPIENT_NOT_ALLOWED', `${to.length} recipients; at most ${share.maxRecipients} per share.`, facts);
  }
  const malformed = to.filter((address) => !ADDRESS.test(address));
  if (malformed.length) throw new Refusal('RECIPIENT_NOT_ALLOWED', `Not an e-mail address: ${malformed.join(', ')}.`, facts);
  if (share.allowedDomains.length) {
    const outside = to.filter((address) => !share.allowedDomains.includes(address.slice(address.lastIndexOf('@') + 1).toLowerCase()));
    if (outside.length) {
      throw new Refusal('RECIPIENT_NOT_ALLOWED', `Pages may only be sent to ${share.allowedDomains.join(', ')}; not to ${outside.join(', ')}.`, facts);
    }
  }
}

/** The label and comment are why the app user needs edit permission; a failure here does not unsend the mail. */
async function recordOnPage(deps: ShareDeps, pageId: string, by: string, to: string[], log: Logger): Promise<void> {
  try {
    if (deps.share.label) await deps.app.addLabels(pageId, [deps.share.label]);
    if (deps.share.comment) {
      const who = escapeXml(by);
      await deps.app.addFooterComment(pageId, `<p>Shared by e-mail by ${who} with ${to.length} ${to.length === 1 ? 'person' : 'people'}.</p>`);
    }
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'shared, but could not record the share on the page');
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
