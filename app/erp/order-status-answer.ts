// The order status push's answer as XML: the pushes' answer, plus what the shop did with the
// updated records (applied through its API, or waiting for it, and why the shop refused, as the
// JSON answer says it).
import type { PushAnswer } from '../sync/push-service.js';
import type { StatusAnswer } from '../sync/order-status.js';
import { answerToXml } from './answer.js';
import { xmlText } from './xml-text.js';

export function statusAnswerToXml(a: StatusAnswer): string {
  const { shop, ...rest } = a;
  const error = shop.error === null ? '' : ` error="${xmlText(shop.error)}"`;
  const shopLine = `  <shop applied="${shop.applied}" waiting="${shop.waiting}" failed="${shop.failed}"${error}/>\n`;
  return answerToXml(rest as unknown as PushAnswer).replace(/  <durationMs>/, `${shopLine}  <durationMs>`);
}
