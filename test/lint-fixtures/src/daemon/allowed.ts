// What the rules allow: the Hub through its index, the store through its index and row types.
import { HubRuntime } from '../hub/index.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';
import { nextRunTimes } from '../schedule/schedule-timing.js';

export type Seen = { store: Store; model: Model };
export const used = [HubRuntime, nextRunTimes];
