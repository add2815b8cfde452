// The rules between variables (and what production requires): each broken one is a line
// naming the variable and how to fix it. `parseConfig` reports them with the schema's own.

/**
 * What the configuration is for: the `service` (serve, worker) needs everything production
 * requires; `migrate` only the database; `keys` (rotate) the database and the key ring.
 */
export type ConfigPurpose = 'service' | 'migrate' | 'keys';

export function crossVariableProblems(
  env: Record<string, string | undefined>,
  purpose: ConfigPurpose,
): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && purpose !== 'migrate' && !set('CANVASCAL_ENCRYPTION_KEYS')) {
    problems.push(
      'CANVASCAL_ENCRYPTION_KEYS: required when NODE_ENV=production (tokens are encrypted with it); create one with `canvascal keys generate`',
    );
  }
  // Signing in and Google are the service's business; migrate and key rotation never use them.
  if (purpose !== 'service') return problems;
  if (production && !set('AUTH_JWT_SECRET') && !set('AUTH_JWKS_URL')) {
    problems.push(
      'AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required when NODE_ENV=production (how user tokens are verified)',
    );
  }
  // Trusting every peer lets any visitor of a directly reachable port pick its own address.
  if (production && ['true', '1', 'yes', 'on'].includes((env.TRUST_PROXY ?? '').trim().toLowerCase())) {
    problems.push(
      'TRUST_PROXY: "true" trusts every peer\'s X-Forwarded-For in production; list your proxies\' addresses or ranges instead, e.g. TRUST_PROXY=10.0.0.0/8',
    );
  }
  // Without an issuer any token signed with the key would do, e.g. one another project minted.
  if (production && (set('AUTH_JWT_SECRET') || set('AUTH_JWKS_URL')) && !set('AUTH_JWT_ISSUER')) {
    problems.push(
      "AUTH_JWT_ISSUER: required when NODE_ENV=production (the issuer user tokens must carry: the Supabase project's auth URL, https://<ref>.supabase.co/auth/v1)",
    );
  }
  if (set('SUPABASE_URL') !== set('SUPABASE_ANON_KEY')) {
    problems.push(
      'SUPABASE_URL and SUPABASE_ANON_KEY: set both or neither (the page signs in with Supabase Auth only with both)',
    );
  }
  // The page would sign in with Supabase but the API would refuse its tokens.
  if (set('SUPABASE_URL') && !set('AUTH_JWT_SECRET') && !set('AUTH_JWKS_URL')) {
    problems.push(
      'SUPABASE_URL: needs AUTH_JWT_SECRET or AUTH_JWKS_URL (so the API accepts the tokens Supabase issues)',
    );
  }
  if (set('GOOGLE_CLIENT_ID') && !set('GOOGLE_CLIENT_SECRET')) {
    problems.push('GOOGLE_CLIENT_SECRET: required when GOOGLE_CLIENT_ID is set');
  }
  if (set('GOOGLE_API_URL') && !set('GOOGLE_CLIENT_ID')) {
    problems.push(
      "GOOGLE_API_URL: needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (that endpoint's OAuth client)",
    );
  }
  if (production && set('GOOGLE_API_URL') && !/^(1|true|yes|on)$/i.test(env.ALLOW_CUSTOM_ENDPOINTS ?? '')) {
    problems.push(
      "GOOGLE_API_URL: refused when NODE_ENV=production unless ALLOW_CUSTOM_ENDPOINTS=true (users' Google tokens would go there)",
    );
  }
  // Google delivers push notifications (live updates) to PUBLIC_URL and only over HTTPS. The
  // built-in emulator (a production-mode demo) delivers to a loopback http address as well.
  if (
    production &&
    env.CANVASCAL_EMULATORS !== 'on' &&
    !(env.PUBLIC_URL ?? '').trim().toLowerCase().startsWith('https://')
  ) {
    problems.push(
      'PUBLIC_URL: must be an https:// address when NODE_ENV=production (Google sends live-update notifications to PUBLIC_URL/webhooks/google only over HTTPS); set PUBLIC_URL=https://<the host students and Google reach>',
    );
  }
  if (production && !set('GOOGLE_CLIENT_ID') && env.CANVASCAL_EMULATORS !== 'on') {
    problems.push(
      'GOOGLE_CLIENT_ID: required when NODE_ENV=production (or set CANVASCAL_EMULATORS=on for a demo)',
    );
  }
  return problems;
}
