// A foreign upstream OpenID provider for the federation tests: node-oidc-provider (npm
// `oidc-provider`, the certified provider Keyward is compared with), run in this process on a
// free loopback port, with its development sign-in pages (any password is accepted: the
// upstream's own sign-in is not what is tested) and one client, Keyward.
import Provider from 'oidc-provider';

import { freePort } from './stack.mjs';

export class OidcUpstream {
  // `accounts`: sub -> claims ({ email, email_verified, given_name, family_name }).
  constructor({ accounts }) {
    this.accounts = accounts;
  }

  // `redirectUri`: Keyward's {issuer}/federation/callback.
  async start({ clientId, clientSecret, redirectUri }) {
    this.port = await freePort();
    this.issuer = `http://127.0.0.1:${this.port}`;
    const accounts = this.accounts;
    this.provider = new Provider(this.issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['given_name', 'family_name', 'preferred_username'],
      },
      // ID tokens carry the claims themselves (Google's do), not only userinfo.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['keyward federation test cookies'] },
      async findAccount(ctx, sub) {
        // devInteractions signs in whatever login name is typed: known names only.
        if (!accounts[sub]) return undefined;
        return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
      },
    });
    // Plain-http loopback issuer in a test: keep its cookies usable without TLS.
    this.provider.proxy = false;
    await new Promise((resolve) => {
      this.server = this.provider.listen(this.port, '127.0.0.1', resolve);
    });
    return this;
  }

  async stop() {
    if (this.server) await new Promise((resolve) => this.server.close(resolve));
  }
}
