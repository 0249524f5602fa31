import type { Extractor } from '../../ports/extractor';
import { extract } from './extract';

/** The rule-based extractor: pure, deterministic, no network. The default, and every other extractor's fallback. */
export const rulesExtractor: Extractor = {
  extract: async (notes, options) => extract(notes, options),
};
