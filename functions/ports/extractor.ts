import type { NotesMessage } from '../domain/email/read-notes';
import type { ExtractOptions } from '../domain/extraction/extract';
import type { Extraction } from '../domain/model';

/**
 * Finds the meeting and its action items in the notes. The rules (domain/extraction) are the default and the
 * fallback of every other implementation; an input the rules reject (no readable Date) is rejected by all.
 */
export interface Extractor {
  extract(notes: NotesMessage, options: ExtractOptions): Promise<Extraction>;
}
