/**
 * The data the bounce templates see: the refusal view plus the original
 * mail, with the few things logic-less templates cannot do themselves
 * (labels with fallbacks, sizes and dates in words) done here once.
 */
import { formatLocalDateTime } from '../content/format-date.js';
import type { RefusalView } from '../explain/refusal-view.js';
import type { OriginalMessage } from './original-message.js';

export interface BounceModel {
  cause: string;
  summary: string;
  explanation: string;
  subject?: string;
  recipient: string;
  queueId: string;
  /** `Documentation (DOCS)`, or just `DOCS` when the name is not known. */
  space?: { key: string; name: string; label: string; url: string; permissionsUrl: string; restrictionsUrl: string };
  /** Absent when the refusal happened before an app user was known (NO_ROUTE). */
  appUser?: { name: string; id: string };
  /** Anything to show in the facts block under the headline. */
  hasFacts: boolean;
  isPage: boolean;
  isBlogpost: boolean;
  isComment: boolean;
  pageTitle?: string;
  parent?: { id?: string; title?: string; url?: string };
  restrictedAncestor?: { id: string; title?: string; url: string };
  permission?: string;
  refusedFiles: string[];
  /** `budget.xlsx, diagram.png`: one line in the text part. */
  refusedFileList: string;
  createdPage?: { id: string; url: string };
  size?: { actual: string; limit: string };
  links: RefusalView['links'];
  retry?: { url: string; expires: string };
  /** The sender's own linked account was (to be) the writer, not the app user. */
  writesAsSender: boolean;
  sender?: { address: string; neverLinked: boolean; why: string };
  relink?: { url: string; expires: string };
  /** Where anyone can ask for a fresh account-link mail. */
  linkPageUrl?: string;
}

export function buildBounceModel(view: RefusalView, original: OriginalMessage): BounceModel {
  const model: BounceModel = {
    cause: view.cause,
    summary: view.summary,
    explanation: asSentence(view.explanation),
    recipient: original.recipient,
    queueId: original.queueId,
    isPage: view.contentKind === 'page',
    isBlogpost: view.contentKind === 'blogpost',
    isComment: view.contentKind === 'comment',
    refusedFiles: view.refusedFiles,
    refusedFileList: view.refusedFiles.join(', '),
    hasFacts: false,
    links: view.links,
    writesAsSender: view.writesAsSender,
  };
  if (original.subject) model.subject = original.subject;
  if (view.space) {
    const { key, name } = view.space;
    model.space = { ...view.space, label: name === key ? key : `${name} (${key})` };
  }
  // explainRefusal fills in a placeholder name when no app user was involved.
  if (view.appUser.id) model.appUser = view.appUser;
  if (view.pageTitle) model.pageTitle = view.pageTitle;
  if (view.parent) model.parent = view.parent;
  if (view.restrictedAncestor) model.restrictedAncestor = view.restrictedAncestor;
  if (view.permission) model.permission = view.permission;
  if (view.createdPage) model.createdPage = view.createdPage;
  if (view.sizeBytes !== undefined && view.limitBytes !== undefined) {
    model.size = { actual: formatBytes(view.sizeBytes), limit: formatBytes(view.limitBytes) };
  }
  model.hasFacts = Boolean(model.space ?? model.appUser ?? model.pageTitle ?? model.parent);
  if (view.retry) model.retry = { url: view.retry.url, expires: formatExpiry(view.retry.expiresAt) };
  if (view.sender) model.sender = { ...view.sender, why: asSentence(view.sender.why) };
  if (view.relink) model.relink = { url: view.relink.url, expires: formatExpiry(view.relink.expiresAt) };
  if (view.links.linkPage) model.linkPageUrl = view.links.linkPage;
  return model;
}

/** Refusal messages are written by several stages; in a bounce each must read as a sentence. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

const KB = 1024;
const MB = KB * 1024;

/** Sizes as people say them: `150 MB`, `4.8 MB`, `12 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${round1(bytes / MB)} MB`;
  if (bytes >= KB) return `${round1(bytes / KB)} KB`;
  return `${bytes} bytes`;
}

function round1(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** `2026-12-15 09:30 UTC`: one unambiguous shape, whatever the reader's locale. */
export function formatExpiry(iso: string): string {
  return `${formatLocalDateTime(new Date(iso), 'UTC')} UTC`;
}
