/**
 * Verifies the Forge invocation token (FIT) that Confluence sends with a call
 * from the "Email this page" action to our remote (reference §B.4): an RS256
 * JWT signed by Atlassian, checked against its published keys, our app id as
 * audience. Its `principal` is the person who clicked — the only identity a
 * call from Confluence carries that nobody can forge.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ForgeVerifierConfig {
  jwksUrl: string;
  appId: string;
  issuer: string;
}

export interface ForgeInvocation {
  accountId: string;
  cloudId: string;
}

export class ForgeTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: ForgeVerifierConfig) {
    // Cached and refreshed by jose when a token names an unknown key id.
    this.keys = createRemoteJWKSet(new URL(config.jwksUrl));
  }

  /** Throws when the token is not one Atlassian signed for this app, or has expired. */
  async verify(token: string): Promise<ForgeInvocation> {
    const { payload } = await jwtVerify(token, this.keys, { audience: this.config.appId, issuer: this.config.issuer, algorithms: ['RS256'] });
    const principal = typeof payload.principal === 'string' ? payload.principal : null;
    const context = payload.context as { cloudId?: unknown } | undefined;
    const cloudId = typeof context?.cloudId === 'string' ? context.cloudId : null;
    if (!principal || !cloudId) throw new Error('the invocation token names no user (principal) or no site (context.cloudId)');
    return { accountId: principal, cloudId };
  }
}
