// Statements that write different tables, run at once on connections of their own (the specials,
// the products' dates and the history of a promo push; a full sync's products, texts and mapping).

/**
 * Waits for every lane, whatever the others did (none is left running when the push goes on),
 * then throws the first failure in the lanes' order: the first lane's when several failed.
 */
export async function runLanes(lanes: Array<Promise<unknown>>): Promise<void> {
  const settled = await Promise.allSettled(lanes);
  for (const lane of settled) if (lane.status === 'rejected') throw lane.reason;
}
