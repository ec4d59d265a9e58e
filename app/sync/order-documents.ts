// Notes the export keeps about the documents it builds.
import { orderProblem } from '../erp/order-problems.js';

/** The journal's note for an order whose text was changed to be deliverable. */
export function replacedNote(replaced: string[]): string {
  return orderProblem('replaced', { fields: replaced.join(', ') }).slice(0, 500);
}
