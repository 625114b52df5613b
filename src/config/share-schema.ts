/**
 * The `share` section: who may ask the gateway to e-mail a page, to whom,
 * and how the mail goes out. Kept apart from schema.ts because it is one
 * feature's settings; schema.ts includes it.
 */
import { z } from 'zod';

const apiKeySchema = z.strictObject({
  /** Who this key is, in the operator log. */
  name: z.string().min(1),
  /** Sent by the caller in `X-Api-Key`; at least 24 characters. */
  key: z.string().min(24, 'use at least 24 characters'),
  /** The site it may share from. */
  site: z.string(),
  /**
   * The Confluence account the automation acts for. Its own credentials are
   * used for the "may view the page" check, so a key never reads more than
   * its account may.
   */
  email: z.string(),
  apiToken: z.string(),
});

const forgeSchema = z.strictObject({
  /** Where Atlassian publishes the keys that sign Forge invocation tokens. */
  jwksUrl: z.url().default('https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json'),
  /** The Forge app id (`ari:cloud:ecosystem::app/…`), the tokens' audience. */
  appId: z.string(),
  issuer: z.string().default('forge/invocation-token'),
  /** Where the person's own token is accepted: `<apiBaseUrl>/ex/confluence/<cloudId>/wiki` (reference §A.0). */
  apiBaseUrl: z.url().default('https://api.atlassian.com'),
  /** Site id (under `sites`) per Confluence cloudId the app is installed on. */
  sites: z.record(z.string(), z.string()),
});

export const shareSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    from: z.string().optional(),
    /** `"{title}" shared by {sharedBy}`; placeholders {title}, {space}, {sharedBy}. */
    subject: z.string().default('"{title}" shared by {sharedBy}'),
    maxRecipients: z.number().int().positive().default(20),
    /** Recipient domains allowed; empty: any. */
    allowedDomains: z.array(z.string().toLowerCase()).default([]),
    maxImageBytes: z.number().int().positive().default(2 * 1024 * 1024),
    maxTotalImageBytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** Label put on a page each time it is shared (why the app user needs to edit it); unset: none. */
    label: z.string().regex(/^[^\s:]+$/).optional(),
    /** Add a footer comment "Shared by … with …" to the page. */
    comment: z.boolean().default(false),
    apiKeys: z.array(apiKeySchema).default([]),
    forge: forgeSchema.optional(),
  })
  .prefault({});

export type ShareConfig = z.infer<typeof shareSchema>;
