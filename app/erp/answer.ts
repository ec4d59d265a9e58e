// The answer to a push, as XML for ERPs that speak XML (JSON is the object itself).
import type { PushAnswer } from '../sync/push-service.js';
import { xmlText as esc } from './xml-text.js';

export function answerToXml(a: PushAnswer): string {
  const counts = Object.entries(a.counts).map(([k, v]) => `${k}="${v}"`).join(' ');
  const list = (tag: string, items: string[]) => `  <${tag}>${items.map((i) => `<field>${esc(i)}</field>`).join('')}</${tag}>\n`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<answer>\n' +
    `  <run>${a.run}</run>\n  <kind>${a.kind}</kind>\n  <status>${a.status}</status>\n  <dryRun>${a.dryRun}</dryRun>\n` +
    `  <counts ${counts}/>\n` +
    list('ignoredFields', a.ignoredFields) +
    list('unknownFields', a.unknownFields) +
    '  <notApplied>\n' +
    a.notApplied.map((n) => `    <record n="${n.record}" code="${esc(n.code)}" outcome="${n.outcome}">${esc(n.reason)}</record>\n`).join('') +
    '  </notApplied>\n' +
    `  <durationMs>${a.durationMs}</durationMs>\n</answer>\n`
  );
}

export function errorToXml(status: number, message: string, run: number | null): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<error status="${status}"${run ? ` run="${run}"` : ''}>${esc(message)}</error>\n`;
}
