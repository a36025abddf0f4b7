// An independent OpenID provider for the sign-in tests: npm oidc-provider, with its own keys and
// a tenant id unlike the dev tenant's. Started by tests/auth/conftest.py; prints one JSON line
// {"issuer": ...} when it listens. Settings come as JSON in MYGOV_TEST_OIDC:
//   {"client_id", "client_secret", "accounts": {login: {tid, oid, name, email, groups?}}}
// Sign-in uses oidc-provider's development login form (any password); consent is pre-granted.
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.MYGOV_TEST_OIDC);
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

function configuration() {
  return {
    clients: [{
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: ['http://127.0.0.1/auth/callback', 'http://localhost/auth/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/auth/signed-out', 'http://localhost/auth/signed-out'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub', 'tid', 'oid', 'groups'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    conformIdTokenClaims: false, // the requested scopes' claims go in the id token, as Entra does
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = settings.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id, ...account };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  };
}

// A web client's registered loopback redirect URI matches on any port (each test server has its own).
function anyLoopbackPort(original, listName) {
  return function allowed(value) {
    if (original.call(this, value)) return true;
    try {
      const url = new URL(value);
      if (!LOOPBACK.has(url.hostname)) return false;
      url.port = '';
      return this[listName].includes(url.href);
    } catch {
      return false;
    }
  };
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  const { prototype } = provider.Client;
  prototype.redirectUriAllowed = anyLoopbackPort(prototype.redirectUriAllowed, 'redirectUris');
  prototype.postLogoutRedirectUriAllowed = anyLoopbackPort(prototype.postLogoutRedirectUriAllowed, 'postLogoutRedirectUris');
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
