/**
 * The web side of account linking (issue 4 "who writes"):
 *   GET  /link            ask for a link by mail (proves the address);
 *   POST /link            mail it;
 *   GET  /link/start?t=   what will happen (mail scanners open links: no action on GET);
 *   POST /link/start      bind this browser, go to Atlassian's consent screen;
 *   GET  /link/callback   back from Atlassian: check the site, the person, save the link;
 *   POST /link/remove     unlink the address.
 * Every answer is a page saying what happened and what to do next, including
 * seed 000's failure modes: a new site, too many grants, no Confluence access.
 */
import { createHash, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config/schema.js';
import { formatExpiry } from '../bounce/bounce-model.js';
import { writerInWords } from '../config/show-config.js';
import type { AccountLinkTicket, GatewayLinks } from '../links/gateway-links.js';
import type { TokenCheck } from '../links/signed-token.js';
import { sendStatusPage, type StatusPageModel } from '../web/status-page.js';
import type { RouteGroup } from '../web/web-app.js';
import { GrantRefused, GrantsThrottled, OAuthUnavailable, type AtlassianOAuth } from './atlassian-oauth.js';
import type { LinkedAccounts } from './linked-accounts.js';
import type { ProofMailer } from './proof-mailer.js';

const COOKIE = 'm2c_link';
/** The consent round trip; Atlassian's own sign-in rarely takes longer. */
const STATE_TTL_MS = 15 * 60_000;
const ADDRESS = /^[^@\s<>"]+@[^@\s<>"]+\.[^@\s<>"]+$/;

export interface LinkRouteDeps {
  config: Pick<Config, 'sites' | 'routes' | 'linking' | 'http'>;
  accounts: LinkedAccounts;
  links: GatewayLinks;
  mailer: ProofMailer;
  /** Proof mails per address per hour. */
  proofLimiter: RateLimiterAbstract;
  /** Proof mails per client IP per hour: one client must not make the gateway mail a thousand addresses. */
  clientLimiter: RateLimiterAbstract;
  logger: Logger;
}

type Page = Omit<StatusPageModel, 'guideIndexUrl'>;

export function linkRoutes(deps: LinkRouteDeps): RouteGroup {
  const sites = Object.entries(deps.config.sites).filter(([, site]) => site.userLinking);
  const siteName = (siteId: string) => new URL(deps.config.sites[siteId]?.siteUrl ?? deps.config.sites[siteId]?.baseUrl ?? 'http://unknown').host;
  const secureCookie = deps.config.http.publicUrl.startsWith('https:');
  const show = (reply: FastifyReply, status: number, page: Page, formTargets: string[] = []) =>
    sendStatusPage(reply, status, { ...page, guideIndexUrl: deps.links.guideIndexUrl() }, formTargets);

  const cookieOptions = { path: '/link', httpOnly: true, sameSite: 'lax' as const, secure: secureCookie };
  const ask = askPage(sites.map(([id]) => ({ id, name: siteName(id) })));
  const noLinking: Page = { title: 'This site does not link accounts', tone: 'problem', paragraphs: ['The gateway no longer links accounts for this site.'] };
  return (app: FastifyInstance) => {
    void app.register(fastifyCookie);
    app.get('/link', async (_request, reply) => show(reply, 200, ask));

    app.post<{ Body: { address?: unknown; site?: unknown } }>('/link', async (request, reply) => {
      const address = typeof request.body?.address === 'string' ? request.body.address.trim().toLowerCase() : '';
      const siteId = typeof request.body?.site === 'string' && request.body.site ? request.body.site : sites.length === 1 ? sites[0]![0] : '';
      if (!ADDRESS.test(address) || !sites.some(([id]) => id === siteId)) {
        return show(reply, 400, { title: 'Check the address', tone: 'problem', paragraphs: ['Give your mail address, e.g. ann@example.com, and choose a site.'], forms: ask.forms ?? [] });
      }
      try {
        await deps.clientLimiter.consume(request.ip, 1);
        await deps.proofLimiter.consume(address, 1);
      } catch {
        return show(reply, 429, { title: 'Too many link mails', tone: 'problem', paragraphs: [`Several link mails went to ${address}, or were asked for from here, in the last hour. Use the newest one, or try again in an hour.`] });
      }
      const ttlMs = deps.config.linking.proofTtlMinutes * 60_000;
      const { url, expiresAt } = deps.links.accountLinkUrl({ siteId, address }, ttlMs);
      try {
        await deps.mailer.send({ to: address, siteName: siteName(siteId), url, expires: formatExpiry(expiresAt) });
      } catch (err) {
        deps.logger.error({ err: (err as Error).message, address }, 'could not send the account-link mail');
        return show(reply, 502, { title: 'The mail could not be sent', tone: 'problem', paragraphs: ['The gateway could not hand the link mail to its mail server. Please try again in a few minutes; if it keeps failing, tell whoever runs the gateway.'] });
      }
      deps.logger.info({ address, siteId }, 'account-link mail sent');
      // The same answer whether or not the address exists: this page must not tell who is known here.
      return show(reply, 200, {
        title: 'Check your mail',
        tone: 'wait',
        paragraphs: [`A mail with a link is on its way to ${address}. Open the link in it to continue; it works for ${deps.config.linking.proofTtlMinutes} minutes.`],
      });
    });

    app.get<{ Querystring: { t?: string } }>('/link/start', async (request, reply) => {
      const token = request.query.t ?? '';
      const ticket = deps.links.readAccountLink(token);
      if (!ticket.ok) return show(reply, ticket.reason === 'expired' ? 410 : 400, ticketProblem(ticket));
      const { siteId, address } = ticket.payload;
      const existing = await deps.accounts.find(siteId, address);
      const oauth = deps.accounts.oauthFor(siteId);
      if (!oauth) return show(reply, 404, noLinking);
      return show(reply, 200, {
        title: `Link ${address} to your Confluence account`,
        tone: 'wait',
        paragraphs: [
          `After you sign in to Atlassian and allow mail2confluence, mail you send from ${address} to the addresses below is posted on ${siteName(siteId)} with your own Confluence account and its permissions — nothing you could not post yourself.`,
          ...(existing?.state === 'active' ? [`It is linked now to ${existing.displayName}; linking again replaces that.`] : []),
          ...(existing?.state === 'revoked' ? [`Its link to ${existing.displayName} stopped working: ${existing.revokedWhy ?? 'it was revoked'}.`] : []),
        ],
        items: routesWritingAsSender(deps.config, siteId),
        forms: [
          { action: '/link/start', hidden: [{ name: 't', value: token }], button: 'Continue to Atlassian' },
          ...(existing ? [{ action: '/link/remove', hidden: [{ name: 't', value: token }], button: 'Remove the link', secondary: true }] : []),
        ],
      }, [new URL(oauth.authorizeUrl('x')).origin]);
    });

    app.post<{ Body: { t?: unknown } }>('/link/start', async (request, reply) => {
      const ticket = deps.links.readAccountLink(typeof request.body?.t === 'string' ? request.body.t : '');
      if (!ticket.ok) return show(reply, ticket.reason === 'expired' ? 410 : 400, ticketProblem(ticket));
      const oauth = deps.accounts.oauthFor(ticket.payload.siteId);
      if (!oauth) return show(reply, 404, noLinking);
      // The consent must come back to the browser that started it, or someone could make us link their account to a victim's address.
      const browser = randomBytes(18).toString('base64url');
      const state = deps.links.linkState({ ...ticket.payload, browser: sha256(browser) }, STATE_TTL_MS);
      return reply
        .setCookie(COOKIE, browser, { ...cookieOptions, maxAge: STATE_TTL_MS / 1000 })
        .header('cache-control', 'no-store')
        .redirect(oauth.authorizeUrl(state), 303);
    });

    app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>('/link/callback', async (request, reply) => {
      const state = deps.links.readLinkState(request.query.state ?? '');
      if (!state.ok) return show(reply, 400, { title: 'This sign-in has expired', tone: 'problem', paragraphs: ['The Atlassian sign-in took too long or the page was reloaded. Open the link from your mail again.'] });
      const browser = request.cookies[COOKIE];
      if (!browser || sha256(browser) !== state.payload.browser) {
        return show(reply, 400, { title: 'This sign-in started in another browser', tone: 'problem', paragraphs: ['Open the link from your mail in the browser you sign in to Atlassian with, and start again there.'] });
      }
      const { siteId, address } = state.payload;
      const oauth = deps.accounts.oauthFor(siteId)!;
      if (request.query.error) {
        return show(reply, 200, { title: 'Not linked', tone: 'problem', paragraphs: [`Atlassian answered: ${request.query.error_description ?? request.query.error}. Nothing was linked; open the link from your mail again to retry.`] });
      }
      const outcome = await completeLink(deps, oauth, siteId, address, request.query.code ?? '', siteName(siteId));
      if (outcome.retryAfterS !== undefined) reply.header('retry-after', String(outcome.retryAfterS));
      reply.clearCookie(COOKIE, cookieOptions);
      return show(reply, outcome.status, outcome.page);
    });

    app.post<{ Body: { t?: unknown } }>('/link/remove', async (request, reply) => {
      const ticket = deps.links.readAccountLink(typeof request.body?.t === 'string' ? request.body.t : '');
      if (!ticket.ok) return show(reply, ticket.reason === 'expired' ? 410 : 400, ticketProblem(ticket));
      await deps.accounts.unlink(ticket.payload.siteId, ticket.payload.address);
      deps.logger.info({ address: ticket.payload.address, siteId: ticket.payload.siteId }, 'account link removed by its owner');
      return show(reply, 200, { title: 'Link removed', tone: 'ok', paragraphs: [`${ticket.payload.address} is no longer linked to a Confluence account here. Its tokens are deleted; you may also remove mail2confluence from your Atlassian account's connected apps.`] });
    });
  };
}

/** After consent: tokens, the site among the person's sites, their Confluence access, then the link. */
async function completeLink(deps: LinkRouteDeps, oauth: AtlassianOAuth, siteId: string, address: string, code: string, site: string): Promise<{ status: number; page: Page; retryAfterS?: number }> {
  try {
    const grant = await oauth.exchangeCode(code);
    if (!grant.refreshToken) {
      return { status: 400, page: { title: 'Not linked', tone: 'problem', paragraphs: ['Atlassian did not grant offline access, so the link would stop working within the hour. Tell whoever runs the gateway: the app must ask for the offline_access scope.'] } };
    }
    const resources = await oauth.accessibleResources(grant.accessToken);
    if (!resources.some((resource) => resource.id === oauth.cloudId)) {
      return { status: 409, page: newSitePage(site, resources.map((resource) => resource.name || resource.url)) };
    }
    const access = await oauth.confluenceAccess(grant.accessToken);
    if (access === 'refused') return { status: 409, page: newSitePage(site, []) };
    if (access === 'cannot-use') {
      return { status: 403, page: { title: 'Your account has no access to Confluence', tone: 'problem', paragraphs: [`You signed in, but your Atlassian account may not use Confluence on ${site} ("Can use" product access). Ask a site admin to give you access to Confluence, then open the link from your mail again.`] } };
    }
    const account = await oauth.me(grant.accessToken);
    const link = await deps.accounts.save(siteId, address, account, { ...grant, refreshToken: grant.refreshToken });
    deps.logger.info({ address, siteId, accountId: link.accountId }, 'account linked');
    return {
      status: 200,
      page: {
        title: 'Linked',
        tone: 'ok',
        paragraphs: [
          `${address} is now linked to ${link.displayName}${account.email && account.email !== address ? ` (${account.email})` : ''} on ${site}. Mail from it to these addresses is posted as you:`,
        ],
        items: routesWritingAsSender(deps.config, siteId),
      },
    };
  } catch (err) {
    if (err instanceof GrantsThrottled) {
      const minutes = Math.max(1, Math.ceil((err.retryAfterMs ?? 5 * 60_000) / 60_000));
      return {
        status: 503,
        retryAfterS: Math.ceil((err.retryAfterMs ?? 5 * 60_000) / 1000),
        page: { title: 'Atlassian is busy linking other people', tone: 'wait', paragraphs: [`Atlassian limits how many people one app may act for in a short time, and that limit is reached right now. Nothing is wrong with your account: open the link from your mail again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`] },
      };
    }
    if (err instanceof GrantRefused) {
      return { status: 400, page: { title: 'Not linked', tone: 'problem', paragraphs: [`Atlassian did not accept this sign-in (${err.error}): it may have been used already or taken too long. Open the link from your mail again.`] } };
    }
    if (err instanceof OAuthUnavailable) {
      deps.logger.warn({ err: err.message, address, siteId }, 'account linking could not reach Atlassian');
      return { status: 502, page: { title: 'Atlassian could not be reached', tone: 'problem', paragraphs: ['Nothing was linked. Please open the link from your mail again in a few minutes.'] } };
    }
    throw err;
  }
}

function newSitePage(site: string, granted: string[]): Page {
  return {
    title: `No access to ${site} yet`,
    tone: 'problem',
    paragraphs: [
      `You signed in, but Atlassian did not give mail2confluence access to ${site}${granted.length ? ` (only to: ${granted.join(', ')})` : ''}.`,
      `If ${site} was created in the last few hours, Atlassian may not let apps act for its users yet: wait a few hours and open the link from your mail again. Otherwise open it again and choose ${site} on Atlassian's consent screen.`,
    ],
  };
}

function askPage(sites: Array<{ id: string; name: string }>): Page {
  return {
    title: 'Link your mail address to your Confluence account',
    tone: 'wait',
    paragraphs: [
      'Some Confluence mail addresses post as the sender, with the sender’s own permissions. For that, the gateway must know which Confluence account your mail address belongs to.',
      'Give your address: the gateway mails you a link, and you continue from that mail. That proves the address is yours.',
    ],
    forms: sites.map((site) => ({
      action: '/link',
      hidden: [{ name: 'site', value: site.id }],
      fields: [{ name: 'address', label: 'Your mail address', type: 'email' as const }],
      button: sites.length > 1 ? `Mail me a link for ${site.name}` : 'Mail me a link',
    })),
  };
}

function ticketProblem(check: Extract<TokenCheck<AccountLinkTicket>, { ok: false }>): Page {
  return check.reason === 'expired'
    ? { title: 'This link has expired', tone: 'problem', paragraphs: ['Links to link an account work for a limited time. Ask for a new one:'], forms: [{ action: '/link', button: 'Get a new link', hidden: [], fields: [{ name: 'address', label: 'Your mail address', type: 'email' }] }] }
    : { title: 'This link is not valid', tone: 'problem', paragraphs: ['The link has been changed or cut short — copy it again from the mail, in full.'] };
}

/** The addresses of a site whose mail is posted as the sender, in words. */
function routesWritingAsSender(config: Pick<Config, 'routes'>, siteId: string): string[] {
  return config.routes
    .filter((route) => route.site === siteId && (route.writeAs === 'sender' || route.senders.policy === 'linked'))
    .map((route) => `${route.match.replace('{parent}', '<page>')} — ${route.writeAs === 'sender' ? writerInWords(route) : 'posted by the app user, for linked senders only'}`);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
