// protocol/ and cache/ never import each other.
import { RepoCacheLayout } from '../cache/cache-layout.js';

export const layout = RepoCacheLayout;
