// Reads a real OpenCart storefront the way a visitor sees it: the product page's prices (with
// tax, in the currency's own format, as the default storefront shows them), its title and
// description, and the names a category page lists.
import type { OpenCartShop } from './install.js';
import { ShopClient } from './http.js';
import { shopConfig, storefrontLanguage } from './settings.js';

export interface DisplayedPrice {
  /** The text as displayed, e.g. `$110.00` or `1 234 Ft`. */
  text: string;
  /** The same parsed as a number (thousand separators removed), e.g. 110 or 1234. */
  value: number;
}

export interface ProductPrices {
  /** The product's name in the page's <h1>, HTML entities decoded. */
  title: string;
  /** The price the page shows as the buyer's price: the promo price when there is one. */
  price: DisplayedPrice;
  /** The promo (special) price, present when the page shows one (then equal to `price`). */
  special?: DisplayedPrice;
  /** The struck-through regular price shown beside a promo price. */
  old?: DisplayedPrice;
  /** The "Ex Tax:" price, when the shop displays prices with tax. */
  exTax?: DisplayedPrice;
}

/** index.php?route=… (4.x: with the shop's language, as its own links carry it). */
async function routeUrl(shop: OpenCartShop, route: string, query: Record<string, string | number> = {}): Promise<string> {
  const q = new URLSearchParams({ route });
  if (shop.major === 4) q.set('language', (await storefrontLanguage(shop)).code);
  for (const [k, v] of Object.entries(query)) q.set(k, String(v));
  return `index.php?${q.toString()}`;
}

/** GET a storefront path (`index.php?route=…`, `/`, …) or a bare route (`product/category`); the HTML. */
export async function storefrontGet(shop: OpenCartShop, pathOrRoute: string, client = new ShopClient(shop)): Promise<string> {
  const target = /^(?:\/|index\.php|https?:|\?)/.test(pathOrRoute) || pathOrRoute === '' ? pathOrRoute : await routeUrl(shop, pathOrRoute);
  const reply = await client.request(target.replace(/^\//, ''));
  if (reply.status !== 200) throw new Error(`storefront ${target}: HTTP ${reply.status}`);
  return reply.body;
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#039;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

/**
 * A displayed amount as a number. `decimals` is the currency's decimal_place: the last `.` or
 * `,` followed by exactly that many digits is the decimal point, every other one groups thousands.
 */
export function parseAmount(text: string, decimals: number): number {
  const raw = decodeHtml(text).replace(/[^0-9.,-]/g, '');
  const m = decimals > 0 ? new RegExp(`^(.*)[.,](\\d{${decimals}})$`).exec(raw) : null;
  const whole = (m ? m[1]! : raw).replace(/[.,]/g, '');
  const value = Number(m ? `${whole}.${m[2]}` : whole);
  if (!Number.isFinite(value) || whole.replace('-', '') === '') throw new Error(`not an amount: ${text}`);
  return value;
}

async function currencyDecimals(shop: OpenCartShop): Promise<number> {
  const code = (await shopConfig(shop, ['config_currency'])).config_currency;
  const [row] = await shop.query<Array<{ decimal_place: string }>>(
    `SELECT decimal_place FROM \`${shop.prefix}currency\` WHERE code = ?`,
    [code],
  );
  return row ? Number(row.decimal_place) : 2;
}

export async function productPage(shop: OpenCartShop, productId: number): Promise<string> {
  return storefrontGet(shop, await routeUrl(shop, 'product/product', { product_id: productId }));
}

/** The prices, as shown in the product page's information column (after its <h1>). */
export async function productPrices(shop: OpenCartShop, productId: number): Promise<ProductPrices> {
  const html = await productPage(shop, productId);
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  if (!h1) throw new Error(`product ${productId}: no product page (no <h1>)`);
  const title = decodeHtml(h1[1]!.replace(/<[^>]+>/g, '').trim());
  // The price list follows the h1 and ends before the options / add-to-cart form (id="product").
  const after = html.slice(h1.index + h1[0].length);
  const end = after.search(/<div id="product"|<form[^>]*id="form-product"/);
  const block = end >= 0 ? after.slice(0, end) : after;
  const decimals = await currencyDecimals(shop);
  const amount = (text: string | undefined): DisplayedPrice | undefined =>
    text === undefined ? undefined : { text: decodeHtml(text.trim()), value: parseAmount(text, decimals) };

  // 3.0: <span style="text-decoration: line-through;">old</span> … <h2>price</h2>;
  // 4.x: <span class="price-old">old</span> … <h2><span class="price-new">price</span></h2>.
  const old = /<span (?:style="text-decoration: line-through;"|class="price-old")>([^<]+)<\/span>/.exec(block)?.[1];
  const shown = /<h2>\s*(?:<span class="price-new">)?([^<]+?)\s*(?:<\/span>)?\s*<\/h2>/.exec(block)?.[1];
  if (!shown) throw new Error(`product ${productId}: no price shown`);
  const exTax = /<li>[^<:]*:\s*([^<]+)<\/li>/.exec(block.slice(block.indexOf(shown)))?.[1];
  const price = amount(shown)!;
  return {
    title,
    price,
    ...(old !== undefined ? { special: price, old: amount(old) } : {}),
    ...(exTax !== undefined && /Tax/i.test(block) ? { exTax: amount(exTax) } : {}),
  };
}

/** The description tab's inner HTML, as the storefront renders it (HTML, entities as served). */
export async function productDescription(shop: OpenCartShop, productId: number): Promise<string> {
  const html = await productPage(shop, productId);
  const open = /<div[^>]*id="tab-description"[^>]*>/.exec(html);
  if (!open) throw new Error(`product ${productId}: no description tab`);
  return innerDiv(html, open.index + open[0].length).trim();
}

/** Names of the products a category page lists (first page, up to `limit`), in page order. */
export async function categoryProducts(shop: OpenCartShop, categoryId: number, limit = 100): Promise<string[]> {
  const html = await storefrontGet(shop, await routeUrl(shop, 'product/category', { path: categoryId, limit }));
  const names: string[] = [];
  for (const m of html.matchAll(/<h4><a href="[^"]*product_id=\d+[^"]*">([\s\S]*?)<\/a><\/h4>/g)) names.push(decodeHtml(m[1]!.trim()));
  return names;
}

// The content of a <div> from just after its opening tag to its matching </div>.
function innerDiv(html: string, start: number): string {
  const re = /<div\b|<\/div>/g;
  re.lastIndex = start;
  let depth = 1;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0] === '</div>' ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index);
  }
  return html.slice(start);
}
