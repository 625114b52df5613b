/**
 * The demo seed's OAuth 2.0 (3LO) app, as a site's `userLinking` points at a
 * simulator, and a person's consent given the way their browser would.
 */
import type { AtlassianOAuth, UserLinkingConfig } from '../../src/linking/atlassian-oauth.js';

export const DEMO_CLOUD_ID = '8a2d5e5b-1c3f-4d6a-9b7e-2f4c6d8e0a13';
export const DEMO_LINK_APP = 'demo-link-app';
/** The only callback URL the demo seed registers for it. */
export const DEMO_LINK_CALLBACK = 'http://127.0.0.1:8080/link/callback';

export function demoUserLinking(simUrl: string): Omit<UserLinkingConfig, 'scopes'> {
  return { clientId: DEMO_LINK_APP, clientSecret: 'demo-link-secret', cloudId: DEMO_CLOUD_ID, authorizeUrl: `${simUrl}/authorize`, tokenUrl: `${simUrl}/oauth/token`, apiUrl: simUrl };
}

/** Signs in as `login` on the consent page and accepts; returns the authorization code. */
export async function consentCode(simUrl: string, oauth: AtlassianOAuth, login: string): Promise<string> {
  const answer = await fetch(`${simUrl}/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ ...Object.fromEntries(new URL(oauth.authorizeUrl('state')).searchParams), login, decision: 'accept' }),
    redirect: 'manual',
  });
  const code = new URL(answer.headers.get('location') ?? 'http://invalid').searchParams.get('code');
  if (!code) throw new Error(`no code: ${answer.status} ${answer.headers.get('location')}`);
  return code;
}
