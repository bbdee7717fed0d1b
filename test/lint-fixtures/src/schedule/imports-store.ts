// schedule/ imports nothing from store/ (the store's row type extends schedule/'s fields).
import type { Model } from '../store/types.js';

export type Named = Pick<Model, 'name'>;
