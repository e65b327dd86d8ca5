import type { ApiContext } from '../api-context.js';
import { BadRequestError } from '../errors.js';
import { ensureRegistry } from './registry-fallback.js';

/** The site a request is about: the `site` parameter, the configured default, or the only site there is. */
export async function resolveSite(ctx: ApiContext, site: string | undefined): Promise<string> {
  if (site !== undefined) return site;
  if (ctx.site !== undefined) return ctx.site;
  await ensureRegistry(ctx);
  const sites = ctx.registry.sites().map((s) => s.site);
  if (sites.length === 1 && sites[0] !== undefined) return sites[0];
  throw new BadRequestError(
    sites.length === 0
      ? 'no site is known yet: pass ?site='
      : `several sites are known (${sites.join(', ')}): pass ?site=`,
  );
}
