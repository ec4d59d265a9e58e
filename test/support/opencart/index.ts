// Real OpenCart in tests: one import for the harness.
//
//   const shop = await installOpenCart('4.1.0.3', { prefix: 'shop_' });   // installed + served
//   const admin = await adminLogin(shop);                                  // admin.get/post(route, …)
//   const { orderId } = await placeOrder(shop, { products: [{ productId, quantity: 2 }] });
//   const { price, special, old, title } = await productPrices(shop, productId);
//   expect(shop.phpProblems()).toEqual([]);                                // nothing PHP complained about
//   await shop.stop();                                                     // server, database, tree gone
//
// Pages a browser (playwright) loads are not seen by phpProblems() unless handed over:
// `shop.noteBody(page.url(), await page.content())`.
export { installOpenCart, freePort, installMs, RELEASES, OPENCART_DIR, type OpenCartShop, type Release, type InstallOptions } from './install.js';
export { adminLogin, type AdminSession } from './admin.js';
export { saveCoupon, type CouponForm } from './admin-forms.js';
export { placeOrder, ensureApiAccess, type OrderSpec, type OrderCustomer, type OrderAddress, type PlacedOrder } from './orders.js';
export {
  storefrontGet,
  productPage,
  productPrices,
  productDescription,
  categoryProducts,
  parseAmount,
  decodeHtml,
  type ProductPrices,
  type DisplayedPrice,
} from './storefront.js';
export { shopConfig, storefrontLanguage } from './settings.js';
export { ShopClient, CookieJar, type Reply, type Form } from './http.js';
export { phpProblems } from './php-problems.js';
export { phpAvailable, realOpenCartAvailable } from './available.js';
