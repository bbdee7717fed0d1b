/**
 * What @huggingface/hub's cache scanner complains about. Since huggingface_hub
 * keeps its shared blob store at the cache root (`blobs/`, see
 * docs/sharing-the-cache.md), the scanner, older than the store, takes that
 * folder for a badly named repository: that one warning is expected of any
 * cache holding the store, whoever made it.
 */
import type { scanCacheDir } from '@huggingface/hub';

export const STORE_FOLDER_WARNING = 'Repo path is not a valid HuggingFace cache directory: blobs';

/** The scan's warnings other than the store folder's. */
export function unexpectedScanWarnings(scan: Awaited<ReturnType<typeof scanCacheDir>>): string[] {
  return scan.warnings.map((warning) => (warning as Error).message).filter((text) => text !== STORE_FOLDER_WARNING);
}
