/**
 * The official JavaScript client, `@huggingface/hub`'s downloadFileToCacheDir,
 * run as its own process by the benchmark: one file of a repository into a
 * Hugging Face cache. Arguments: endpoint, repo id, path, cache folder.
 */
import { downloadFileToCacheDir } from '@huggingface/hub';

const [hubUrl, repo, path, cacheDir] = process.argv.slice(2);
if (hubUrl === undefined || repo === undefined || path === undefined || cacheDir === undefined) {
  process.stderr.write('usage: official-js-client.js <endpoint> <repo id> <path> <cache folder>\n');
  process.exit(2);
}
await downloadFileToCacheDir({ repo, path, hubUrl, cacheDir });
