// Command-line side of the order status feature (issue 15): erp-bridge's own API user in the
// shop, and a saved order status document run through the engine behind the URL.
import type { AppContext } from '../context.js';
import type { DocumentFormat } from '../erp/record.js';
import { LOCAL_ADDRESSES, OWN_API_USER, ensureApiUser, listApiUsers, shopApiFlavor } from '../shop/order-history.js';
import { OrderStatusService } from '../sync/order-status.js';
import type { Command, CommandOutput } from './commands.js';
import { UsageError } from './errors.js';

export async function pushOrderStatus(ctx: AppContext, body: Buffer, format: DocumentFormat, dryRun: boolean): Promise<CommandOutput> {
  const answer = await new OrderStatusService(ctx.db, ctx.settings).push({ body, format, dryRun, actor: 'cli' });
  const c = answer.counts;
  const lines = [
    `run ${answer.run}: order-status${dryRun ? ' (dry run: nothing written)' : ''}, ${answer.status}`,
    `received ${c.received}, updated ${c.updated}, unchanged ${c.unchanged}, unknown ${c.unknown}, invalid ${c.invalid}`,
    ...(dryRun ? [] : [`in the shop: applied ${answer.shop.applied}, waiting for its API ${answer.shop.waiting}, refused ${answer.shop.failed}${answer.shop.error ? ` (${answer.shop.error})` : ''}`]),
    ...answer.notApplied.map((n) => `  record ${n.record} ${n.code}: ${n.outcome}: ${n.reason}`),
  ];
  return { text: lines.join('\n'), data: answer };
}

export const orderStatusCommands: Record<string, Command> = {
  'shop-api-user': {
    usage: 'shop-api-user [--ip ADDRESS]…',
    summary: `create (or enable) erp-bridge's own API user in the shop ("${OWN_API_USER}", random key, ${LOCAL_ADDRESSES.join(' and ')} allowed unless --ip is given) and choose it for order status changes`,
    async run(ctx, args) {
      const ips: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] !== '--ip' || !args[i + 1]) throw new UsageError(`usage: erp-bridge ${orderStatusCommands['shop-api-user']!.usage}`);
        ips.push(args[++i]!);
      }
      if (!(await shopApiFlavor(ctx.db))) throw new UsageError('the shop has no API tables (api, api_ip): its API cannot take order status changes');
      const r = await ensureApiUser(ctx.db, OWN_API_USER, ips.length ? ips : LOCAL_ADDRESSES);
      await ctx.settings.update({ shop_api_user: OWN_API_USER });
      const user = (await listApiUsers(ctx.db)).find((u) => u.username === OWN_API_USER)!;
      // The key stays in the shop's table: it is never printed.
      return { text: `${r.created ? 'created' : 'enabled'} the shop's API user "${OWN_API_USER}" (api_id ${r.apiId}), allowed from ${user.ips.join(', ')}; setting shop_api_user = ${OWN_API_USER}`, data: { ...r, ips: user.ips } };
    },
  },
};
