// apply/ may not reach up into cli/ (the schedule text forms live in schedule/).
import { parseWhen } from '../cli/schedule-options.js';

export const when = parseWhen({ daily: '01:30' });
